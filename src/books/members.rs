//! Members: registering a villager, enrolling them in schemes, and what the
//! kiosk knows about them (enrolments, dues, history).

use jiff::Timestamp;
use rusqlite::Connection;
use serde::Serialize;

use crate::books::{Books, BooksError, Field};
use crate::domain::aadhaar::Aadhaar;
use crate::domain::dues::{Dues, dues};
use crate::domain::event::{
    Body, DuplicateAccepted, Enrolled, MemberRecord, MemberRegistered, Nominee,
};
use crate::domain::fund::{Paid, standing};
use crate::domain::person::{Birth, check_dob, parse_age, parse_gender, parse_mobile};
use crate::domain::scheme::{Candidate, HouseholdConflict, Scheme, check_eligibility};
use crate::domain::search::identity_key;
use crate::domain::text;
use crate::domain::time::{local_date, parse_date};
use crate::store::queries::{
    self, ContributionRow, EnrolmentRow, MemberRow, OperatorRow, ReversalRow,
};

/// A new member as typed. Optional fields may be empty strings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemberForm {
    pub name: String,
    pub relative_name: String,
    pub gender: String,
    pub dob: Option<String>,
    pub age: Option<String>,
    pub village: String,
    pub ration_card: Option<String>,
    pub phone: Option<String>,
    /// The full number, used only to check it and reduce it.
    pub aadhaar: Option<String>,
}

/// An enrolment as typed.
#[derive(Clone, Debug, Default)]
pub struct EnrolForm {
    pub scheme: String,
    pub group: Option<String>,
    pub nominee_name: Option<String>,
    pub nominee_relation: Option<String>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn tx(f: Field) -> impl Fn(text::TextError) -> BooksError {
    move |e| BooksError::Text(f, e)
}

impl EnrolForm {
    /// The enrolment in `scheme` from what the operator gave once for all
    /// schemes: the group goes only to a scheme that works in groups, the
    /// nominee only to one that needs a nominee. For an unknown scheme both
    /// are kept, so that enrolling reports the real problem.
    pub fn for_scheme(
        books: &Books,
        scheme: &str,
        group: Option<String>,
        nominee_name: Option<String>,
        nominee_relation: Option<String>,
    ) -> Result<EnrolForm, BooksError> {
        let known = queries::scheme(books.store.conn(), &scheme.trim().to_ascii_uppercase())?;
        let wants_group = known.as_ref().is_none_or(|s| s.eligibility.needs_group);
        let wants_nominee = known.as_ref().is_none_or(|s| s.nominee_required);
        Ok(EnrolForm {
            scheme: scheme.to_string(),
            group: group.filter(|_| wants_group),
            nominee_name: nominee_name.filter(|_| wants_nominee),
            nominee_relation: nominee_relation.filter(|_| wants_nominee),
        })
    }
}

/// A supervisor's word that a registration resembling an existing member
/// is another person (namesakes: same name, another father). The
/// supervisor has been authenticated by the caller.
#[derive(Clone, Debug)]
pub struct DuplicateOk {
    pub supervisor: OperatorRow,
    pub reason: String,
}

/// A checked enrolment, ready to become an event.
struct ValidEnrolment {
    scheme: String,
    group: Option<String>,
    nominee: Option<Nominee>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Registered {
    pub member_id: String,
    pub schemes: Vec<String>,
}

impl Books {
    fn check_enrolment(
        &self,
        conn: &Connection,
        member_id: Option<&str>,
        who: &Candidate<'_>,
        form: &EnrolForm,
        already: &[String],
        today: jiff::civil::Date,
    ) -> Result<ValidEnrolment, BooksError> {
        let scheme_code = text::code(&form.scheme).map_err(tx(Field::Scheme))?;
        let scheme =
            queries::scheme(conn, &scheme_code)?.ok_or_else(|| BooksError::UnknownScheme {
                code: scheme_code.clone(),
            })?;
        let id_for_msg = member_id.unwrap_or("-").to_string();
        if already.contains(&scheme_code) {
            return Err(BooksError::AlreadyEnrolled {
                id: id_for_msg,
                scheme: scheme_code,
            });
        }
        if let Some(id) = member_id
            && queries::enrolment(conn, id, &scheme_code)?.is_some()
        {
            return Err(BooksError::AlreadyEnrolled {
                id: id.to_string(),
                scheme: scheme_code,
            });
        }
        let group = match given(&form.group) {
            Some(g) => {
                let g = text::code(g).map_err(tx(Field::Group))?;
                let row = queries::group(conn, &g)?
                    .ok_or_else(|| BooksError::UnknownGroup { code: g.clone() })?;
                if row.scheme != scheme_code {
                    return Err(BooksError::GroupOfOtherScheme {
                        group: g,
                        scheme: scheme_code,
                    });
                }
                Some(g)
            }
            None => None,
        };
        let nominee = match (given(&form.nominee_name), given(&form.nominee_relation)) {
            (None, None) => None,
            (name, relation) => Some(Nominee {
                name: text::person_name(name.unwrap_or("")).map_err(tx(Field::NomineeName))?,
                relation: text::person_name(relation.unwrap_or(""))
                    .map_err(tx(Field::NomineeRelation))?,
            }),
        };
        // One woman per household: across all the scheme's groups at this
        // kiosk (the drive counts families), unless the district's settings
        // keep the older rule of one per group.
        let conflict = match (who.ration_card, &group) {
            (Some(rc), Some(g)) => {
                let within = match self.rules.shg_household {
                    crate::books::HouseholdScope::Kiosk => None,
                    crate::books::HouseholdScope::Group => Some(g.as_str()),
                };
                queries::household_member_in_groups(conn, rc, &scheme_code, within)?.map(|m| {
                    HouseholdConflict {
                        member_id: m.member_id,
                        name: m.name,
                    }
                })
            }
            _ => None,
        };
        check_eligibility(
            &scheme,
            who,
            today,
            group.is_some(),
            nominee.is_some(),
            conflict,
        )?;
        Ok(ValidEnrolment {
            scheme: scheme_code,
            group,
            nominee,
        })
    }

    /// Registers a villager and enrols them in one or more schemes, all in
    /// one transaction: if any enrolment is refused, nothing is written.
    pub fn register_member(
        &mut self,
        by: &OperatorRow,
        form: &MemberForm,
        enrol: &[EnrolForm],
        now: Timestamp,
    ) -> Result<Registered, BooksError> {
        self.register_member_accepting(by, form, enrol, None, now)
    }

    /// [`Books::register_member`], with a supervisor's acceptance of a
    /// resemblance to an existing member (recorded as its own event).
    pub fn register_member_accepting(
        &mut self,
        by: &OperatorRow,
        form: &MemberForm,
        enrol: &[EnrolForm],
        accept: Option<&DuplicateOk>,
        now: Timestamp,
    ) -> Result<Registered, BooksError> {
        let today = local_date(now);
        let name = text::person_name(&form.name).map_err(tx(Field::Name))?;
        let relative_name =
            text::person_name(&form.relative_name).map_err(tx(Field::RelativeName))?;
        let gender =
            parse_gender(&form.gender).map_err(|e| BooksError::Person(Field::Gender, e))?;
        let birth = match (given(&form.dob), given(&form.age)) {
            (Some(d), _) => {
                let dob = parse_date(d).ok_or(BooksError::BadDate(Field::Dob))?;
                check_dob(dob, today).map_err(|e| BooksError::Person(Field::Dob, e))?
            }
            (None, Some(a)) => Birth::Approx {
                years: parse_age(a).map_err(|e| BooksError::Person(Field::Age, e))?,
                as_of: today,
            },
            (None, None) => {
                return Err(BooksError::Person(
                    Field::Age,
                    crate::domain::person::PersonError::NeedBirth,
                ));
            }
        };
        let ration_card = given(&form.ration_card)
            .map(|r| text::ration_card(r).map_err(tx(Field::RationCard)))
            .transpose()?;
        let conn = self.store.conn();
        let village = match (form.village.trim(), &ration_card) {
            ("", Some(rc)) => queries::household_village(conn, rc)?
                .ok_or_else(|| BooksError::UnknownRationCard { card: rc.clone() })?,
            (v, _) => text::place_name(v).map_err(tx(Field::Village))?,
        };
        let phone = given(&form.phone)
            .map(|p| parse_mobile(p).map_err(|e| BooksError::Person(Field::Phone, e)))
            .transpose()?;
        let aadhaar = match given(&form.aadhaar) {
            Some(a) => Some(Aadhaar::parse(a)?.reduce(self.secret()?)),
            None => None,
        };
        if enrol.is_empty() {
            return Err(BooksError::NoScheme);
        }
        if let Some(a) = &aadhaar
            && let Some(m) = queries::member_by_aadhaar(conn, &a.hash)?
        {
            return Err(BooksError::DuplicateAadhaar {
                id: m.member_id,
                name: m.name,
                village: m.village,
            });
        }
        let like = queries::possible_duplicates(
            conn,
            &identity_key(&name),
            &identity_key(&relative_name),
            ration_card.as_deref(),
        )?
        .into_iter()
        .next();
        let accepted = match (&like, accept) {
            (None, _) => None,
            (Some(m), None) => {
                return Err(BooksError::DuplicatePerson {
                    id: m.member_id.clone(),
                    name: m.name.clone(),
                    relative: m.relative_name.clone(),
                    village: m.village.clone(),
                });
            }
            (Some(m), Some(ok)) => {
                if !ok.supervisor.role.can_supervise() {
                    return Err(BooksError::NeedsSupervisor);
                }
                let reason = text::free_text(&ok.reason, 5)
                    .map_err(|e| BooksError::Text(Field::Reason, e))?;
                Some((m.member_id.clone(), ok.supervisor.code.clone(), reason))
            }
        };
        let who = Candidate {
            gender,
            birth: &birth,
            has_aadhaar: aadhaar.is_some(),
            ration_card: ration_card.as_deref(),
        };
        let mut valid = Vec::new();
        let mut codes: Vec<String> = Vec::new();
        for f in enrol {
            let v = self.check_enrolment(conn, None, &who, f, &codes, today)?;
            codes.push(v.scheme.clone());
            valid.push(v);
        }
        let kiosk = self.kiosk()?.code;
        let by_code = by.code.clone();
        let member_id = self.store.write(|w| -> Result<String, BooksError> {
            let n = queries::member_count(w.conn())? + 1;
            let member_id = format!("{kiosk}-{n:05}");
            let member = MemberRecord {
                member_id: member_id.clone(),
                name,
                relative_name,
                gender,
                birth,
                village,
                ration_card,
                phone,
                aadhaar,
            };
            w.append(
                now,
                Body::MemberRegistered(MemberRegistered {
                    member,
                    by: by_code.clone(),
                }),
            )?;
            if let Some((like, supervisor, reason)) = accepted {
                w.append(
                    now,
                    Body::DuplicateAccepted(DuplicateAccepted {
                        member_id: member_id.clone(),
                        like,
                        supervisor,
                        reason,
                        by: by_code.clone(),
                    }),
                )?;
            }
            for v in valid {
                w.append(
                    now,
                    Body::Enrolled(Enrolled {
                        member_id: member_id.clone(),
                        scheme: v.scheme,
                        group: v.group,
                        on: today,
                        nominee: v.nominee,
                        by: by_code.clone(),
                    }),
                )?;
            }
            w.queue_print(crate::print::DocKind::Enrolment.name(), &member_id, now)?;
            Ok(member_id)
        })?;
        Ok(Registered {
            member_id,
            schemes: codes,
        })
    }

    /// Enrols an existing member in one more scheme.
    pub fn enrol(
        &mut self,
        by: &OperatorRow,
        member_id: &str,
        form: &EnrolForm,
        now: Timestamp,
    ) -> Result<(), BooksError> {
        let today = local_date(now);
        let id = member_id.trim().to_ascii_uppercase();
        let conn = self.store.conn();
        let m = queries::member(conn, &id)?
            .ok_or_else(|| BooksError::UnknownMember { id: id.clone() })?;
        let who = Candidate {
            gender: m.gender,
            birth: &m.birth,
            has_aadhaar: m.aadhaar_last4.is_some(),
            ration_card: m.ration_card.as_deref(),
        };
        let v = self.check_enrolment(conn, Some(&id), &who, form, &[], today)?;
        let body = Body::Enrolled(Enrolled {
            member_id: id,
            scheme: v.scheme,
            group: v.group,
            on: today,
            nominee: v.nominee,
            by: by.code.clone(),
        });
        self.store
            .write(|w| w.append(now, body).map_err(BooksError::from))?;
        Ok(())
    }

    /// Members matching `query` as the console's search matches them (one
    /// search for both): a name in either script and any common spelling,
    /// or digits of a member ID, phone or ration card.
    pub fn find_members(&self, query: &str, limit: u32) -> Result<Vec<MemberRow>, BooksError> {
        let q = query.trim();
        if q.is_empty() || q.chars().any(crate::domain::digits::is_forbidden_control) {
            return Err(BooksError::Text(Field::Member, text::TextError::Empty));
        }
        let conn = self.store.conn();
        let index = crate::domain::search::Index::new(queries::search_entries(conn)?);
        let mut out = Vec::new();
        for e in index.search(q, limit as usize) {
            if let Some(m) = queries::member(conn, &e.member_id)? {
                out.push(m);
            }
        }
        Ok(out)
    }

    /// Everything the member card shows.
    pub fn member_view(&self, member_id: &str, now: Timestamp) -> Result<MemberView, BooksError> {
        let id = member_id.trim().to_ascii_uppercase();
        let conn = self.store.conn();
        let member = queries::member(conn, &id)?
            .ok_or_else(|| BooksError::UnknownMember { id: id.clone() })?;
        let today = local_date(now);
        let contributions = queries::contributions_of(conn, &id)?;
        let died = queries::recorded_death(conn, &id)?;
        let mut enrolments = Vec::new();
        for e in queries::enrolments(conn, &id)? {
            let (scheme, d) = self.standing(&e, today, died)?;
            let fund = if e.scheme == crate::domain::scheme::FUND && e.left_on.is_none() {
                let book = self.fund_rules(&e.scheme)?;
                // After a recorded death, what her family's claim turns on:
                // the standing on that day.
                Some(standing(
                    &book,
                    e.enrolled_on,
                    &fund_paid(&contributions),
                    died.map_or(today, |d| d.min(today)),
                ))
            } else {
                None
            };
            enrolments.push(EnrolmentView {
                enrolment: e,
                per_period: scheme.amount.per_period(),
                scheme_name_hi: scheme.name_hi,
                scheme_name_en: scheme.name_en,
                dues: d,
                fund,
                died,
            });
        }
        Ok(MemberView {
            claims: queries::claims_of(conn, &id)?,
            changes: queries::member_changes(conn, &id)?,
            contributions,
            reversals: queries::reversals_of(conn, &id)?,
            member,
            enrolments,
        })
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct EnrolmentView {
    pub enrolment: EnrolmentRow,
    /// The scheme's amount per period (fixed, or the minimum).
    pub per_period: crate::domain::money::Paise,
    pub scheme_name_hi: String,
    pub scheme_name_en: String,
    pub dues: Dues,
    /// In the mutual-aid fund: whether a death today would be covered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fund: Option<crate::domain::fund::Standing>,
    /// The date of death a claim records: `fund` is the standing on it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub died: Option<jiff::civil::Date>,
}

impl EnrolmentView {
    /// The fund standing as the card says it: today's, or on the day of a
    /// recorded death.
    pub fn standing_message(&self) -> Option<crate::i18n::Message> {
        let s = self.fund.as_ref()?.message();
        Some(match self.died {
            Some(d) => crate::i18n::Message::new("fund.on_death")
                .arg("died", crate::domain::time::display_date(d))
                .arg_msg("standing", s),
            None => s,
        })
    }
}

/// A member's payments to the fund that were not reversed, as standing
/// reads them (the day each was taken, the periods it covered).
pub(crate) fn fund_paid(contributions: &[queries::ContributionRow]) -> Vec<Paid> {
    contributions
        .iter()
        .filter(|c| c.scheme == crate::domain::scheme::FUND && c.reversed_by.is_none())
        .filter_map(|c| {
            let at = c.at.parse::<Timestamp>().ok()?;
            Some(Paid {
                on: local_date(at),
                periods: c.periods,
            })
        })
        .collect()
}

#[derive(Clone, Debug, Serialize)]
pub struct MemberView {
    pub member: MemberRow,
    pub enrolments: Vec<EnrolmentView>,
    pub contributions: Vec<ContributionRow>,
    pub reversals: Vec<ReversalRow>,
    /// Corrections, nominee changes and schemes left, oldest first.
    pub changes: Vec<queries::MemberChangeRow>,
    /// Death claims filed for her, newest first.
    pub claims: Vec<queries::ClaimRow>,
}

impl Books {
    /// A member's standing in one enrolment today: the scheme and the dues.
    /// `died`: the death a claim records for her ([`queries::recorded_death`],
    /// read once by the caller for all her enrolments).
    fn standing(
        &self,
        e: &EnrolmentRow,
        today: jiff::civil::Date,
        died: Option<jiff::civil::Date>,
    ) -> Result<(Scheme, Dues), BooksError> {
        let conn = self.store.conn();
        let scheme =
            queries::scheme(conn, &e.scheme)?.ok_or_else(|| BooksError::UnknownScheme {
                code: e.scheme.clone(),
            })?;
        let paid = queries::periods_paid(conn, &e.member_id, &e.scheme)?;
        // No dues fall after the day a member left the scheme, nor after a
        // death a claim records.
        let as_of = [e.left_on, died]
            .into_iter()
            .flatten()
            .fold(today, |d, end| d.min(end));
        let d = dues(&scheme, e.enrolled_on, as_of, paid);
        Ok((scheme, d))
    }

    /// A member's dues in one scheme today.
    pub fn dues_in(
        &self,
        member_id: &str,
        scheme: &str,
        now: Timestamp,
    ) -> Result<Dues, BooksError> {
        let e = queries::enrolment(self.store.conn(), member_id, scheme)?.ok_or_else(|| {
            BooksError::NotEnrolled {
                id: member_id.to_string(),
                scheme: scheme.to_string(),
            }
        })?;
        let died = queries::recorded_death(self.store.conn(), &e.member_id)?;
        Ok(self.standing(&e, local_date(now), died)?.1)
    }

    /// What a member owes today across all their schemes (search results).
    pub fn amount_due(
        &self,
        member_id: &str,
        now: Timestamp,
    ) -> Result<crate::domain::money::Paise, BooksError> {
        let today = local_date(now);
        // Nothing is to be collected from one whose death is recorded (the
        // card still shows what she owed on that day).
        if queries::recorded_death(self.store.conn(), member_id)?.is_some() {
            return Ok(crate::domain::money::Paise(0));
        }
        let mut total = 0;
        for e in queries::enrolments(self.store.conn(), member_id)? {
            total += self.standing(&e, today, None)?.1.amount_due.0;
        }
        Ok(crate::domain::money::Paise(total))
    }
}

/// One household of the ration-card list, with its people and who of the
/// household is a member already, of what.
#[derive(Clone, Debug, Serialize)]
pub struct Household {
    pub ration_card: String,
    pub village: String,
    pub people: Vec<PdsPerson>,
    /// Members registered on this card (some may not be on the list).
    pub members: Vec<queries::HouseholdMemberRow>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PdsPerson {
    pub name: String,
    pub gender: crate::domain::person::Gender,
    pub age: u8,
    pub relation: String,
    /// The member this person already is (same name across scripts).
    pub member: Option<queries::HouseholdMemberRow>,
}

impl Books {
    /// Households whose ration card contains `query` (when it has a digit),
    /// or one of whose people's names matches it in either script, as the
    /// member search matches.
    pub fn find_households(&self, query: &str, limit: u32) -> Result<Vec<Household>, BooksError> {
        let ascii = crate::domain::digits::to_ascii_digits(query.trim());
        if ascii.is_empty()
            || ascii
                .chars()
                .any(crate::domain::digits::is_forbidden_control)
        {
            return Ok(Vec::new());
        }
        let conn = self.store.conn();
        let found = if ascii.chars().any(|c| c.is_ascii_digit()) {
            queries::find_households(conn, &ascii.to_lowercase(), "", "", limit)?
        } else {
            queries::find_households(
                conn,
                &ascii.to_lowercase(),
                &text::fold(&ascii),
                &crate::domain::search::phonetic_key(&ascii),
                limit,
            )?
        };
        let mut out = Vec::new();
        for (rc, village) in found {
            let members = queries::household_members(conn, &rc)?;
            let people = queries::pds_people(conn, &rc)?
                .into_iter()
                .map(|p| {
                    let key = identity_key(&p.name);
                    PdsPerson {
                        member: members.iter().find(|m| m.name_key == key).cloned(),
                        name: p.name,
                        gender: p.gender,
                        age: p.age,
                        relation: p.relation,
                    }
                })
                .collect();
            out.push(Household {
                ration_card: rc,
                village,
                people,
                members,
            });
        }
        Ok(out)
    }

    /// A member who may be the same person: same Aadhaar, or the same name
    /// across scripts on the same ration card or with the same relative.
    /// Shown before saving; saving refuses it unless a supervisor accepts.
    pub fn possible_duplicate(
        &self,
        name: &str,
        relative_name: &str,
        ration_card: &str,
        aadhaar: &str,
    ) -> Result<Option<MemberRow>, BooksError> {
        let conn = self.store.conn();
        if let Ok(a) = Aadhaar::parse(aadhaar)
            && let Ok(secret) = self.secret()
            && let Some(m) = queries::member_by_aadhaar(conn, &a.reduce(secret).hash)?
        {
            return Ok(Some(m));
        }
        let Ok(name) = text::person_name(name) else {
            return Ok(None);
        };
        let relative = text::person_name(relative_name).unwrap_or_default();
        let rc = text::ration_card(ration_card).ok();
        Ok(queries::possible_duplicates(
            conn,
            &identity_key(&name),
            &identity_key(&relative),
            rc.as_deref(),
        )?
        .into_iter()
        .next())
    }
}
