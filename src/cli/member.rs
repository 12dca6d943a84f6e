//! `dastak member`: register, enrol, correct, find and show members.

use clap::Subcommand;

use crate::books::Books;
use crate::books::members::{DuplicateOk, EnrolForm, MemberForm};
use crate::cli::{
    Ctx, Failure, OperatorArg, emit, env_nonempty, now, print_json, required_env, show,
};
use crate::i18n::Message;
use crate::print::DocKind;

// Parsed once per run: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Register a villager and enrol them (Aadhaar, if any, from $DASTAK_AADHAAR).
    Add {
        #[command(flatten)]
        op: OperatorArg,
        #[arg(long)]
        name: String,
        /// Father's or husband's name.
        #[arg(long)]
        relative_name: String,
        /// female, male or other.
        #[arg(long)]
        gender: String,
        /// Date of birth, dd-mm-yyyy.
        #[arg(long)]
        dob: Option<String>,
        /// Approximate age in years, when the date of birth is not known.
        #[arg(long)]
        age: Option<String>,
        /// Village (default: the ration card's village).
        #[arg(long, default_value = "")]
        village: String,
        #[arg(long)]
        ration_card: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        #[command(flatten)]
        enrol: EnrolArgs,
        /// When this person looks like an existing member but is another
        /// (a namesake): the supervisor who accepts it (PIN from
        /// $DASTAK_SUPERVISOR_PIN) ...
        #[arg(long, requires = "duplicate_reason")]
        supervisor: Option<String>,
        /// ... and why they are not the same person.
        #[arg(long, requires = "supervisor")]
        duplicate_reason: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Enrol an existing member in another scheme.
    Enrol {
        #[command(flatten)]
        member: MemberArg,
        #[command(flatten)]
        op: OperatorArg,
        #[command(flatten)]
        enrol: EnrolArgs,
    },
    /// Correct or add a member's phone, relative's name or Aadhaar number
    /// (from $DASTAK_AADHAAR), with a reason.
    Correct {
        #[command(flatten)]
        member: MemberArg,
        #[command(flatten)]
        op: OperatorArg,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        relative_name: Option<String>,
        /// Take the Aadhaar number from $DASTAK_AADHAAR.
        #[arg(long)]
        aadhaar: bool,
        #[arg(long)]
        reason: String,
    },
    /// Name a new nominee for one scheme; prints a slip for the member.
    Nominee {
        #[command(flatten)]
        member: MemberArg,
        #[command(flatten)]
        op: OperatorArg,
        #[arg(long)]
        scheme: String,
        #[arg(long)]
        nominee_name: String,
        #[arg(long)]
        nominee_relation: String,
        #[arg(long)]
        reason: String,
    },
    /// Name a member's nominees for one scheme with their shares of the
    /// benefit (whole percent adding up to 100); prints a slip.
    Nominees {
        #[command(flatten)]
        member: MemberArg,
        #[command(flatten)]
        op: OperatorArg,
        #[arg(long)]
        scheme: String,
        /// One nominee as NAME,RELATION,SHARE (e.g. "सीता देवी,पुत्री,60");
        /// once for each, the first taking what a split leaves over.
        #[arg(long = "nominee", required = true)]
        nominees: Vec<String>,
        #[arg(long)]
        reason: String,
    },
    /// A member leaves a scheme (supervisors): no dues after the date.
    Leave {
        #[command(flatten)]
        member: MemberArg,
        #[command(flatten)]
        op: OperatorArg,
        #[arg(long)]
        scheme: String,
        /// The day they left, dd-mm-yyyy (default: today).
        #[arg(long)]
        on: Option<String>,
        #[arg(long)]
        reason: String,
    },
    /// Find members by name (either script), ID, phone or ration card.
    Find {
        query: String,
        #[arg(long, default_value_t = 20)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// A member's enrolments, dues and history.
    Show {
        #[command(flatten)]
        member: MemberArg,
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Args, Debug, Clone)]
pub struct EnrolArgs {
    /// Scheme code (FUND, SHG); repeat to enrol in several.
    #[arg(long = "scheme", required = true)]
    pub schemes: Vec<String>,
    /// Group code, for schemes that work in groups.
    #[arg(long)]
    pub group: Option<String>,
    #[arg(long)]
    pub nominee_name: Option<String>,
    #[arg(long)]
    pub nominee_relation: Option<String>,
}

/// The member a command is about: `--member ID`, as `pay` takes it, or
/// the ID alone (the older spelling, kept as an alias).
#[derive(clap::Args, Debug)]
pub struct MemberArg {
    /// Member ID, e.g. RMP01-00001.
    #[arg(long = "member", value_name = "ID", required_unless_present = "id")]
    member: Option<String>,
    #[arg(value_name = "ID", conflicts_with = "member", hide = true)]
    id: Option<String>,
}

impl MemberArg {
    fn id(&self) -> &str {
        self.member
            .as_deref()
            .or(self.id.as_deref())
            .unwrap_or_default()
    }
}

/// One enrolment per scheme named (see [`EnrolForm::for_scheme`]).
fn enrol_forms(books: &Books, args: &EnrolArgs) -> Result<Vec<EnrolForm>, Failure> {
    let mut out = Vec::new();
    for s in &args.schemes {
        out.push(EnrolForm::for_scheme(
            books,
            s,
            args.group.clone(),
            args.nominee_name.clone(),
            args.nominee_relation.clone(),
        )?);
    }
    Ok(out)
}

pub fn run(ctx: &mut Ctx, cmd: Cmd) -> Result<(), Failure> {
    match cmd {
        Cmd::Add {
            op,
            name,
            relative_name,
            gender,
            dob,
            age,
            village,
            ration_card,
            phone,
            enrol,
            supervisor,
            duplicate_reason,
            json,
        } => {
            let form = MemberForm {
                name,
                relative_name,
                gender,
                dob,
                age,
                village,
                ration_card,
                phone,
                aadhaar: env_nonempty("DASTAK_AADHAAR"),
            };
            ctx.commit_and_print(
                &op,
                json,
                |books, by| {
                    let accept = match (supervisor, duplicate_reason) {
                        (Some(code), Some(reason)) => {
                            let pin =
                                required_env("DASTAK_SUPERVISOR_PIN", "auth.no_supervisor_pin")?;
                            Some(DuplicateOk {
                                supervisor: books.authenticate(&code, &pin, now()?)?,
                                reason,
                            })
                        }
                        _ => None,
                    };
                    let forms = enrol_forms(books, &enrol)?;
                    Ok(books.register_member_accepting(
                        by,
                        &form,
                        &forms,
                        accept.as_ref(),
                        now()?,
                    )?)
                },
                |r| (DocKind::Enrolment, r.member_id.clone()),
                |ctx, r| {
                    ctx.say(
                        Message::new("member.added")
                            .arg("id", &r.member_id)
                            .arg("schemes", r.schemes.join(", ")),
                    )
                },
            )?;
        }
        Cmd::Enrol { member, op, enrol } => {
            let id = member.id().to_string();
            let (mut books, by) = ctx.open_as(&op)?;
            let t = now()?;
            for form in enrol_forms(&books, &enrol)? {
                books.enrol(&by, &id, &form, t)?;
                ctx.say(
                    Message::new("member.enrolled")
                        .arg("id", id.to_ascii_uppercase())
                        .arg("scheme", form.scheme.to_ascii_uppercase()),
                );
            }
        }
        Cmd::Correct {
            member,
            op,
            phone,
            relative_name,
            aadhaar,
            reason,
        } => {
            let (mut books, by) = ctx.open_as(&op)?;
            let aadhaar = if aadhaar {
                Some(required_env("DASTAK_AADHAAR", "member.no_aadhaar_env")?)
            } else {
                None
            };
            let c = crate::books::changes::Correction {
                phone,
                aadhaar,
                relative_name,
                reason,
            };
            books.correct_member(&by, member.id(), &c, now()?)?;
            ctx.say(Message::new("member.corrected").arg("id", member.id().to_ascii_uppercase()));
        }
        Cmd::Nominee {
            member,
            op,
            scheme,
            nominee_name,
            nominee_relation,
            reason,
        } => {
            let id = member.id();
            ctx.commit_and_print(
                &op,
                false,
                |books, by| {
                    let (name, relation) = (&nominee_name, &nominee_relation);
                    Ok(books.change_nominee(by, id, &scheme, name, relation, &reason, now()?)?)
                },
                |seq| (DocKind::Nominee, seq.to_string()),
                |ctx, _| {
                    ctx.say(
                        Message::new("member.nominee_changed")
                            .arg("id", id.to_ascii_uppercase())
                            .arg("scheme", scheme.to_ascii_uppercase()),
                    )
                },
            )?;
        }
        Cmd::Nominees {
            member,
            op,
            scheme,
            nominees,
            reason,
        } => {
            let id = member.id();
            ctx.commit_and_print(
                &op,
                false,
                |books, by| Ok(books.set_nominees(by, id, &scheme, &nominees, &reason, now()?)?),
                |seq| (DocKind::Nominee, seq.to_string()),
                |ctx, _| {
                    ctx.say(
                        Message::new("member.nominees_set")
                            .arg("id", id.to_ascii_uppercase())
                            .arg("count", nominees.len())
                            .arg("scheme", scheme.to_ascii_uppercase()),
                    )
                },
            )?;
        }
        Cmd::Leave {
            member,
            op,
            scheme,
            on,
            reason,
        } => {
            let (mut books, by) = ctx.open_as(&op)?;
            books.leave_scheme(&by, member.id(), &scheme, on.as_deref(), &reason, now()?)?;
            ctx.say(
                Message::new("member.left")
                    .arg("id", member.id().to_ascii_uppercase())
                    .arg("scheme", scheme.to_ascii_uppercase()),
            );
        }
        Cmd::Find { query, limit, json } => {
            let books = ctx.open()?;
            let found = books.find_members(&query, limit.clamp(1, 500))?;
            if json {
                print_json(&found)?;
            } else if found.is_empty() {
                ctx.say(Message::new("member.none_found"));
            } else {
                show::members(ctx.lang, &found);
            }
        }
        Cmd::Show { member, json } => {
            let id = member.id().to_string();
            let books = ctx.open()?;
            let view = books.member_view(&id, now()?)?;
            emit(json, &view, |view| {
                show::member(ctx.lang, view);
            })?;
        }
    }
    Ok(())
}
