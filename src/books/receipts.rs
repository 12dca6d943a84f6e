//! Paper: the documents the kiosk prints, built from the ledger, and the
//! print queue that makes sure each one reaches the villager.
//!
//! A document is always built from what was committed, never from what was
//! typed, so a reprint says exactly what the first copy said. Printing
//! itself is in [`crate::print`]; this module decides *what* to print and
//! keeps the queue: a money document, enrolment slip or day-close report is
//! queued in the transaction that commits it, marked printed only when the
//! printer confirmed it, and a copy of a document whose first copy printed
//! says DUPLICATE.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

use crate::books::{Books, BooksError, KioskInfo};
use crate::domain::dues::{dues, period_start};
use crate::domain::money::Paise;
use crate::domain::proof::{Proof, ProofKind};
use crate::domain::time::{display_date, format_instant, ist, local_date};
use crate::domain::words::amount_in_words;
use crate::i18n::{Lang, Localized, Message};
use crate::print::template::Fields;
use crate::print::transport::PrintError;
use crate::print::{DocKind, Document};
use crate::store::{print_queue, queries};

/// One document waiting for the printer.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct QueuedJob {
    pub doc: String,
    pub reference: String,
    pub created_at: String,
    pub attempts: u32,
    pub last_error: Option<PrintError>,
}

impl QueuedJob {
    /// Its line in the print queue, the same on the CLI and the console.
    pub fn line(&self) -> Message {
        let m = Message::new("print.queue_line")
            .arg("doc", &self.reference)
            .arg("attempts", self.attempts);
        match &self.last_error {
            Some(e) => m.arg_msg("error", e.message()),
            None => m.arg("error", "-"),
        }
    }
}

/// A document and whether this copy is a duplicate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrintTask {
    pub kind: DocKind,
    pub reference: String,
    pub document: Document,
    pub duplicate: bool,
}

impl PrintTask {
    /// How the document is named to a person: its number, or for a day
    /// close (kept by its event number) its date and kiosk.
    pub fn label(&self, lang: Lang) -> String {
        match self.kind {
            DocKind::DayClose => {
                let v = &self.document.fields.values;
                let get = |k: &str| v.get(k).cloned().unwrap_or_default();
                Message::new("print.day_close_label")
                    .arg("date", get("close_date"))
                    .arg("kiosk", get("kiosk"))
                    .render(lang)
            }
            DocKind::Nominee => {
                let v = &self.document.fields.values;
                Message::new("print.nominee_label")
                    .arg("member", v.get("member_id").cloned().unwrap_or_default())
                    .render(lang)
            }
            _ => self.reference.clone(),
        }
    }
}

/// One change to a member as a line of the statement.
pub fn change_message(c: &queries::MemberChangeRow) -> Message {
    let m = Message::new(match c.what.as_str() {
        "phone" => "change.phone",
        "aadhaar" => "change.aadhaar",
        "relative_name" => "change.relative_name",
        "nominee" | "nominees" => "change.nominee",
        _ => "change.left",
    });
    m.arg("old", c.old_value.clone().unwrap_or_else(|| "-".into()))
        .arg("new", &c.new_value)
        .arg("scheme", c.scheme.clone().unwrap_or_default())
        .arg("on", display_date_text(&c.new_value))
}

fn time_of(at: &str) -> (String, String, jiff::civil::Date) {
    match at.parse::<Timestamp>() {
        Ok(ts) => {
            let z = ts.to_zoned(ist());
            (
                display_date(z.date()),
                z.strftime("%H:%M").to_string(),
                z.date(),
            )
        }
        Err(_) => (at.to_string(), String::new(), jiff::civil::date(1970, 1, 1)),
    }
}

fn item(pairs: &[(&'static str, String)]) -> BTreeMap<&'static str, String> {
    pairs.iter().cloned().collect()
}

/// What a document is asked for: its kind and reference, the language it
/// is printed in and when, and the kiosk it comes from.
struct Wanted<'a> {
    kind: DocKind,
    reference: &'a str,
    lang: Lang,
    now: Timestamp,
    kiosk: KioskInfo,
}

impl Wanted<'_> {
    /// The reference as the ledger sequence number of a recorded change
    /// or close, or the document is unknown.
    fn seq(&self) -> Result<u64, BooksError> {
        self.reference
            .trim()
            .parse()
            .map_err(|_| Books::unknown(self.kind, self.reference))
    }
}

impl Books {
    fn unknown(kind: DocKind, reference: &str) -> BooksError {
        match kind {
            DocKind::Enrolment | DocKind::Statement => BooksError::UnknownMember {
                id: reference.chars().take(40).collect(),
            },
            _ => BooksError::UnknownReceipt {
                receipt: reference.chars().take(40).collect(),
            },
        }
    }

    fn signing_key(&self) -> Result<&ed25519_dalek::SigningKey, BooksError> {
        self.key.as_ref().ok_or(BooksError::NoKioskKey)
    }

    /// The document `kind` for `reference` (receipt or slip number, member
    /// ID, day-close sequence number), in `lang`, as printed at `now`.
    pub fn document(
        &self,
        kind: DocKind,
        reference: &str,
        lang: Lang,
        now: Timestamp,
    ) -> Result<Document, BooksError> {
        let k = self.kiosk()?;
        let mut f = Fields::default();
        f.set("panchayat", &k.panchayat)
            .set("block", &k.block)
            .set("district", &k.district)
            .set("kiosk", &k.code)
            .set("printed_date", display_date(local_date(now)))
            .set(
                "printed_time",
                now.to_zoned(ist()).strftime("%H:%M").to_string(),
            );
        let w = Wanted {
            kind,
            reference,
            lang,
            now,
            kiosk: k,
        };
        // One function per kind of document: each sets its own fields.
        let qr = match kind {
            DocKind::Contribution => self.receipt_doc(&mut f, &w)?,
            DocKind::Reversal => self.reversal_doc(&mut f, &w)?,
            DocKind::Enrolment | DocKind::Statement => self.member_doc(&mut f, &w)?,
            DocKind::Nominee => self.nominee_doc(&mut f, &w)?,
            DocKind::Claim => self.claim_doc(&mut f, &w)?,
            DocKind::ClaimNotice | DocKind::ClaimRejection | DocKind::ClaimPayout => {
                self.decision_doc(&mut f, &w)?
            }
            DocKind::FundStatement => self.fund_statement_doc(&mut f, &w)?,
            DocKind::DayClose => self.day_close_doc(&mut f, &w)?,
            DocKind::TestPage => self.test_page_doc(&mut f, &w)?,
        };
        Ok(Document {
            kind,
            lang,
            fields: f,
            qr,
        })
    }

    /// The signed QR code of a document: what `receipt check` verifies on
    /// a printed receipt, slip or member card.
    fn signed(
        &self,
        kind: ProofKind,
        w: &Wanted,
        document: &str,
        member: &str,
        amount: Paise,
        date: jiff::civil::Date,
    ) -> Result<Option<String>, BooksError> {
        let proof = Proof {
            kind,
            kiosk: w.kiosk.code.clone(),
            document: document.to_string(),
            member: member.to_string(),
            amount,
            date,
        };
        Ok(Some(proof.sign(self.signing_key()?)))
    }

    /// What a receipt and a reversal slip both say of the money: the
    /// scheme, the amount in figures and in words.
    fn money_fields(
        &self,
        f: &mut Fields,
        scheme: &str,
        amount: Paise,
        lang: Lang,
    ) -> Result<(), BooksError> {
        f.set("scheme", self.scheme_name(scheme, lang)?)
            .set("scheme_code", scheme)
            .set("amount", amount.to_string())
            .set("amount_words", amount_in_words(amount, lang));
        Ok(())
    }

    /// A scheme's name in the document's language.
    fn scheme_name(&self, code: &str, lang: Lang) -> Result<String, BooksError> {
        let s =
            queries::scheme(self.store.conn(), code)?.ok_or_else(|| BooksError::UnknownScheme {
                code: code.to_string(),
            })?;
        Ok(match lang {
            Lang::Hi => s.name_hi,
            Lang::En => s.name_en,
        })
    }

    /// An operator's name (the code, for one no longer known).
    fn operator_name(&self, code: &str) -> Result<String, BooksError> {
        Ok(queries::operator(self.store.conn(), code)?
            .map(|o| o.name)
            .unwrap_or_else(|| code.to_string()))
    }

    /// A contribution receipt, with its signed QR code.
    fn receipt_doc(&self, f: &mut Fields, w: &Wanted) -> Result<Option<String>, BooksError> {
        let conn = self.store.conn();
        let c = queries::contribution(conn, w.reference)?
            .ok_or_else(|| Books::unknown(w.kind, w.reference))?;
        let m = queries::member(conn, &c.member_id)?
            .ok_or_else(|| Books::unknown(DocKind::Enrolment, &c.member_id))?;
        let scheme =
            queries::scheme(conn, &c.scheme)?.ok_or_else(|| BooksError::UnknownScheme {
                code: c.scheme.clone(),
            })?;
        let e = queries::enrolment(conn, &c.member_id, &c.scheme)?.ok_or_else(|| {
            BooksError::NotEnrolled {
                id: c.member_id.clone(),
                scheme: c.scheme.clone(),
            }
        })?;
        let (date, time, day) = time_of(&c.at);
        let after = dues(&scheme, e.enrolled_on, day, c.first_period + c.periods);
        let last = (c.first_period + c.periods).saturating_sub(1);
        f.set("receipt", &c.receipt_no)
            .set("date", date)
            .set("time", time)
            .set("operator", self.operator_name(&c.operator)?)
            .set("operator_code", &c.operator)
            .set("member_id", &m.member_id)
            .set("member_name", &m.name)
            .set("relative_name", &m.relative_name)
            .set("village", &m.village)
            .set("periods", c.periods.to_string())
            .set(
                "covers_from",
                display_date(period_start(
                    scheme.frequency,
                    e.enrolled_on,
                    c.first_period,
                )),
            )
            .set(
                "covers_to",
                display_date(period_start(scheme.frequency, e.enrolled_on, last)),
            )
            .set("dues_after", after.owed_message().render(w.lang))
            .set("reversed_by", c.reversed_by.clone().unwrap_or_default());
        self.money_fields(f, &c.scheme, c.amount, w.lang)?;
        self.signed(
            ProofKind::Contribution,
            w,
            &c.receipt_no,
            &c.member_id,
            c.amount,
            day,
        )
    }

    /// A reversal slip, with its signed QR code.
    fn reversal_doc(&self, f: &mut Fields, w: &Wanted) -> Result<Option<String>, BooksError> {
        let conn = self.store.conn();
        let r = queries::reversal(conn, w.reference)?
            .ok_or_else(|| Books::unknown(w.kind, w.reference))?;
        let m = queries::member(conn, &r.member_id)?
            .ok_or_else(|| Books::unknown(DocKind::Enrolment, &r.member_id))?;
        let (date, time, day) = time_of(&r.at);
        f.set("receipt", &r.receipt_no)
            .set("original", &r.original)
            .set("date", date)
            .set("time", time)
            .set("supervisor", self.operator_name(&r.supervisor)?)
            .set("supervisor_code", &r.supervisor)
            .set("member_id", &m.member_id)
            .set("member_name", &m.name)
            .set("reason", &r.reason);
        self.money_fields(f, &r.scheme, r.amount, w.lang)?;
        self.signed(
            ProofKind::Reversal,
            w,
            &r.receipt_no,
            &r.member_id,
            r.amount,
            day,
        )
    }

    /// The member ID card (enrolment, with its signed QR code) or the
    /// member statement (history and changes).
    fn member_doc(&self, f: &mut Fields, w: &Wanted) -> Result<Option<String>, BooksError> {
        let conn = self.store.conn();
        let mut qr = None;
        let id = w.reference.trim().to_ascii_uppercase();
        let view = self
            .member_view(&id, w.now)
            .map_err(|_| Books::unknown(w.kind, w.reference))?;
        let m = &view.member;
        f.set("member_id", &m.member_id)
            .set("member_name", &m.name)
            .set("relative_name", &m.relative_name)
            .set("village", &m.village)
            .set("ration_card", m.ration_card.clone().unwrap_or_default())
            .set("date", display_date(local_date(w.now)));
        let first = view
            .enrolments
            .iter()
            .map(|e| e.enrolment.enrolled_on)
            .min();
        for e in &view.enrolments {
            let name = match w.lang {
                Lang::Hi => e.scheme_name_hi.clone(),
                Lang::En => e.scheme_name_en.clone(),
            };
            let group = match &e.enrolment.group {
                Some(g) => queries::group(conn, g)?
                    .map(|row| format!("{} ({g})", row.name))
                    .unwrap_or_else(|| g.clone()),
                None => String::new(),
            };
            let nominee = match (&e.enrolment.nominee_name, &e.enrolment.nominee_relation) {
                (Some(n), Some(r)) => format!("{n} ({r})"),
                (Some(n), None) => n.clone(),
                _ => String::new(),
            };
            let list = if w.kind == DocKind::Enrolment {
                "schemes"
            } else {
                "enrolments"
            };
            f.push(
                list,
                item(&[
                    ("scheme", name),
                    ("scheme_code", e.enrolment.scheme.clone()),
                    ("group", group),
                    ("nominee", nominee),
                    ("enrolled_on", display_date(e.enrolment.enrolled_on)),
                    ("dues", e.dues.message().render(w.lang)),
                    (
                        "left",
                        e.enrolment
                            .left_on
                            .map(|on| {
                                Message::new("member.left_on")
                                    .arg("on", display_date(on))
                                    .arg(
                                        "reason",
                                        e.enrolment.left_reason.clone().unwrap_or_default(),
                                    )
                                    .render(w.lang)
                            })
                            .unwrap_or_default(),
                    ),
                ]),
            );
        }
        if w.kind == DocKind::Enrolment {
            let reg = queries::registered_by(conn, &m.member_id)?;
            f.set("operator", self.operator_name(&reg.unwrap_or_default())?);
            qr = self.signed(
                ProofKind::Enrolment,
                w,
                &m.member_id,
                &m.member_id,
                Paise::ZERO,
                first.unwrap_or_else(|| local_date(w.now)),
            )?;
        } else {
            for c in &view.contributions {
                let (date, _, _) = time_of(&c.at);
                let note = c
                    .reversed_by
                    .as_ref()
                    .map(|r| {
                        Message::new("member.reversed_by")
                            .arg("slip", r)
                            .render(w.lang)
                    })
                    .unwrap_or_default();
                f.push(
                    "history",
                    item(&[
                        ("date", date),
                        ("receipt", c.receipt_no.clone()),
                        ("scheme_code", c.scheme.clone()),
                        ("amount", c.amount.grouped()),
                        ("note", note),
                    ]),
                );
            }
            for r in &view.reversals {
                let (date, _, _) = time_of(&r.at);
                f.push(
                    "history",
                    item(&[
                        ("date", date),
                        ("receipt", r.receipt_no.clone()),
                        ("scheme_code", String::new()),
                        ("amount", Paise(-r.amount.0).grouped()),
                        ("note", r.reason.clone()),
                    ]),
                );
            }
            if !view.changes.is_empty() {
                f.set("has_changes", "1");
            }
            for c in &view.changes {
                let (date, _, _) = time_of(&c.at);
                f.push(
                    "changes",
                    item(&[
                        ("date", date),
                        ("change", change_message(c).render(w.lang)),
                        ("reason", c.reason.clone()),
                        ("operator", self.operator_name(&c.by)?),
                    ]),
                );
            }
        }
        Ok(qr)
    }

    /// The slip of a change of nominee.
    fn nominee_doc(&self, f: &mut Fields, w: &Wanted) -> Result<Option<String>, BooksError> {
        let conn = self.store.conn();
        let seq = w.seq()?;
        // One nominee named, or several with their shares.
        let (member_id, c) = match queries::member_change(conn, seq, "nominee")? {
            Some(found) => found,
            None => queries::member_change(conn, seq, "nominees")?
                .ok_or_else(|| Books::unknown(w.kind, w.reference))?,
        };
        let m = queries::member(conn, &member_id)?
            .ok_or_else(|| Books::unknown(DocKind::Enrolment, &member_id))?;
        let (date, time, on) = time_of(&c.at);
        f.set("member_id", &m.member_id)
            .set("member_name", &m.name)
            .set("relative_name", &m.relative_name)
            .set("village", &m.village)
            .set(
                "scheme",
                self.scheme_name(c.scheme.as_deref().unwrap_or_default(), w.lang)?,
            )
            .set("date", date)
            .set("time", time)
            .set("on", display_date(on))
            .set("old_nominee", c.old_value.clone().unwrap_or_default())
            .set("nominee", &c.new_value)
            .set("reason", &c.reason)
            .set("operator", self.operator_name(&c.by)?);
        Ok(None)
    }

    /// A death claim's slip, which the family keeps until the lab
    /// decides: who died and when, who claims, the account (its last four
    /// digits), whether the rules make it payable and why not, and a QR
    /// code signed for the benefit the rules give and the day it was filed.
    fn claim_doc(&self, f: &mut Fields, w: &Wanted) -> Result<Option<String>, BooksError> {
        let conn = self.store.conn();
        let c = queries::claim(conn, w.reference)?
            .ok_or_else(|| Books::unknown(w.kind, w.reference))?;
        let m = queries::member(conn, &c.member_id)?
            .ok_or_else(|| Books::unknown(DocKind::Enrolment, &c.member_id))?;
        let died: jiff::civil::Date = c
            .died_on
            .parse()
            .map_err(|_| Books::unknown(w.kind, w.reference))?;
        // Rules never reach back: the version in force on the date of
        // death is the same at every reprint.
        let benefit = self.fund_rules(&c.scheme)?.in_force(died).benefit;
        let cause = crate::domain::claim::DeathCause::parse(&c.cause)
            .map(|k| Message::new(k.key()).render(w.lang))
            .unwrap_or_else(|| c.cause.clone());
        let (date, time, day) = time_of(&c.filed_at);
        f.set("claim", &c.claim)
            .set("member_id", &m.member_id)
            .set("member_name", &m.name)
            .set("relative_name", &m.relative_name)
            .set("village", &m.village)
            .set("date", date)
            .set("time", time)
            .set("died_on", display_date(died))
            .set("cause", cause)
            .set("certificate", &c.certificate)
            .set("authority", &c.authority)
            .set("claimant", &c.claimant)
            .set("relation", &c.relation)
            .set("reason", c.reason.clone().unwrap_or_default())
            .set("account", format!("{} ····{}", c.ifsc, c.last4))
            .set("benefit", benefit.to_string())
            .set("operator", self.operator_name(&c.by)?)
            .set("attester", self.operator_name(&c.attested_by)?);
        if !c.nominee {
            f.set("not_nominee", "1");
        }
        if c.bars.is_empty() {
            f.set("payable", "1");
        }
        for b in &c.bars {
            f.push("bars", item(&[("bar", b.message().render(w.lang))]));
        }
        self.signed(ProofKind::Claim, w, &c.claim, &c.member_id, benefit, day)
    }

    /// The paper a lab decision prints (see
    /// [`crate::books::claims::decision_paper`]), built from the decision
    /// as the lab signed it and the claim as the kiosk filed it. Its QR code
    /// is the kiosk's, as on every paper it prints: it vouches that this
    /// kiosk recorded the lab's decision, which the lab's own signature on
    /// the recorded entry proves in turn.
    fn decision_doc(&self, f: &mut Fields, w: &Wanted) -> Result<Option<String>, BooksError> {
        use dastak_core::wire::{Decision, Step};
        let conn = self.store.conn();
        let unknown = || Books::unknown(w.kind, w.reference);
        let (step, claim) =
            crate::books::claims::decision_of_paper(w.kind, w.reference).ok_or_else(unknown)?;
        let c = queries::claim(conn, claim)?.ok_or_else(unknown)?;
        let signed = queries::decision_of(conn, claim, step)?.ok_or_else(unknown)?;
        let d = Decision::read_recorded(signed.as_bytes()).map_err(|_| unknown())?;
        let m = queries::member(conn, &c.member_id)?
            .ok_or_else(|| Books::unknown(DocKind::Enrolment, &c.member_id))?;
        let died: jiff::civil::Date = c.died_on.parse().map_err(|_| unknown())?;
        let (decided_on, _, decided) = time_of(&d.at);
        let (filed_on, _, _) = time_of(&c.filed_at);
        if let Some(e) = queries::enrolment(conn, &c.member_id, &c.scheme)? {
            f.set("joined_on", display_date(e.enrolled_on));
        }
        f.set("claim", &c.claim)
            .set("member_id", &m.member_id)
            .set("member_name", &m.name)
            .set("relative_name", &m.relative_name)
            .set("village", &m.village)
            .set("died_on", display_date(died))
            .set("filed_on", filed_on)
            .set("claimant", &c.claimant)
            .set("relation", &c.relation)
            .set("account", format!("{} ····{}", c.ifsc, c.last4))
            .set("decided_on", decided_on)
            .set("officer", &d.officer)
            .set("lab_entry", d.n.to_string());
        let mut money = |amount: Paise| {
            f.set("amount", amount.to_string())
                .set("amount_words", amount_in_words(amount, w.lang));
        };
        let (kind, amount, date) = match &d.step {
            Step::Published { until } => {
                // What the fund's rules give on the date of death, less
                // its fee: what the lab will approve if no one objects.
                let net = crate::domain::fund::payout(&self.fund_rules(&c.scheme)?, died, &[100])
                    .map(|p| p.net)
                    .map_err(|_| unknown())?;
                money(net);
                f.set("until", display_date(*until));
                (ProofKind::ClaimNotice, net, *until)
            }
            Step::Rejected { reasons } => {
                f.set("reasons", reasons);
                (ProofKind::ClaimRejection, Paise(0), decided)
            }
            Step::Paid {
                amount,
                bank_ref,
                on,
                parts: transfers,
            } => {
                money(*amount);
                f.set("bank_ref", bank_ref)
                    .set("paid_on", display_date(*on));
                // Several nominees: the paper says whose part of the
                // transfer each is (one nominee takes it whole).
                let nominees = queries::claim_nominees(conn, claim)?;
                let shares: Vec<u32> = nominees.iter().map(|n| n.share).collect();
                if nominees.len() > 1
                    && let Ok(parts) = crate::domain::fund::parts(*amount, &shares)
                {
                    f.set("has_shares", "1");
                    for (n, part) in nominees.iter().zip(parts) {
                        f.push(
                            "shares",
                            item(&[
                                ("name", n.name.clone()),
                                ("relation", n.relation.clone()),
                                ("share", format!("{}%", n.share)),
                                ("part", part.to_string()),
                            ]),
                        );
                    }
                }
                // Each part by its own transfer: into whose account, by
                // which reference (the lab lists them in the claim's
                // order of nominees).
                if !transfers.is_empty() {
                    f.set("has_transfers", "1");
                    for t in transfers {
                        let account = nominees
                            .iter()
                            .find(|n| n.name == t.name)
                            .and_then(|n| n.account.as_ref())
                            .map(|a| a.masked())
                            .unwrap_or_default();
                        f.push(
                            "transfers",
                            item(&[
                                ("name", t.name.clone()),
                                ("account", account),
                                ("bank_ref", t.bank_ref.clone()),
                                ("part", t.amount.to_string()),
                            ]),
                        );
                    }
                }
                (ProofKind::ClaimPayout, *amount, *on)
            }
            _ => return Err(unknown()),
        };
        self.signed(kind, w, w.reference, &c.member_id, amount, date)
    }

    /// The fund's statement of a month (reference `FUND-2026-11`), as the
    /// lab signed it. Its QR code is the lab's own line, not this kiosk's:
    /// the figures are the lab's, and `receipt check` verifies them with
    /// the key the statement was kept with ([`Books::paper_key`]).
    fn fund_statement_doc(&self, f: &mut Fields, w: &Wanted) -> Result<Option<String>, BooksError> {
        use dastak_core::wire::FundStatement;
        let unknown = || Books::unknown(w.kind, w.reference);
        let (scheme, month) = w
            .reference
            .rsplit_once('-')
            .and_then(|(rest, mm)| Some((rest.rsplit_once('-')?, mm)))
            .map(|((scheme, yyyy), mm)| (scheme, format!("{yyyy}-{mm}")))
            .ok_or_else(unknown)?;
        let signed = queries::statement(self.store.conn(), scheme, &month)?.ok_or_else(unknown)?;
        let s = FundStatement::read_recorded(signed.as_bytes()).map_err(|_| unknown())?;
        let m = &s.members;
        let first = crate::domain::time::month_start(&s.month).ok_or_else(unknown)?;
        let (made_on, _, _) = time_of(&s.at);
        f.set("scheme", self.scheme_name(&s.scheme, w.lang)?)
            .set("scheme_code", &s.scheme)
            .set("month", first.strftime("%m-%Y").to_string())
            .set("as_of", display_date(s.as_of))
            .set("made_on", made_on)
            .set(
                "members",
                (m.good + m.grace + m.waiting + m.lapsed).to_string(),
            )
            .set("good", m.good.to_string())
            .set("grace", m.grace.to_string())
            .set("waiting", m.waiting.to_string())
            .set("lapsed", m.lapsed.to_string())
            .set("died", m.died.to_string())
            .set("opening", s.opening.to_string())
            .set("collected", s.collected.to_string())
            .set("receipts", s.receipts.to_string())
            // Said only when there were some.
            .set(
                "reversals",
                if s.reversals > 0 {
                    s.reversals.to_string()
                } else {
                    String::new()
                },
            )
            .set("payouts", s.payouts.to_string())
            .set("fees", s.fees.to_string())
            .set("closing", s.closing.to_string())
            .set("closing_words", amount_in_words(s.closing, w.lang));
        if s.claims.is_empty() {
            f.set("no_claims", "-");
        }
        for c in &s.claims {
            f.push(
                "claims",
                [
                    ("claim", c.claim.clone()),
                    ("name", c.name.clone()),
                    ("village", c.village.clone()),
                    ("step", Message::new(c.step_key()).render(w.lang)),
                    ("on", display_date(c.on)),
                    (
                        "amount",
                        if c.amount.0 == 0 {
                            "-".to_string()
                        } else {
                            c.amount.to_string()
                        },
                    ),
                ]
                .into_iter()
                .collect(),
            );
        }
        Ok(Some(s.qr))
    }

    /// The day close: cash counted by note against what was expected.
    fn day_close_doc(&self, f: &mut Fields, w: &Wanted) -> Result<Option<String>, BooksError> {
        let conn = self.store.conn();
        let seq = w.seq()?;
        let c =
            queries::day_close(conn, seq)?.ok_or_else(|| Books::unknown(w.kind, w.reference))?;
        let (date, time, _) = time_of(&c.at);
        let notes = &c.notes;
        f.set("close_date", display_date_text(&c.close_date))
            .set("date", date)
            .set("time", time)
            .set("operator", self.operator_name(&c.operator)?)
            .set("counted", c.counted.grouped())
            .set("expected", c.expected.grouped())
            .set("variance", c.variance.grouped())
            .set("reason", c.reason.clone().unwrap_or_default())
            .set("contributions", c.contributions.to_string())
            .set("coins", c.coins.grouped());
        for n in notes.iter().filter(|n| n.count > 0) {
            f.push(
                "notes",
                item(&[
                    ("note", n.rupees.to_string()),
                    ("count", n.count.to_string()),
                    (
                        "total",
                        Paise::from_rupees(i64::from(n.rupees) * i64::from(n.count)).grouped(),
                    ),
                ]),
            );
        }
        Ok(None)
    }

    /// The printer's test page.
    fn test_page_doc(&self, f: &mut Fields, w: &Wanted) -> Result<Option<String>, BooksError> {
        let (date, time, _) = time_of(&format_instant(w.now));
        f.set("printer", w.reference)
            .set("date", date)
            .set("time", time);
        Ok(None)
    }

    /// What to print for `kind`/`reference`: the document, marked DUPLICATE
    /// when an earlier copy is known to have printed.
    pub fn print_task(
        &self,
        kind: DocKind,
        reference: &str,
        lang: Lang,
        now: Timestamp,
    ) -> Result<PrintTask, BooksError> {
        let mut document = self.document(kind, reference, lang, now)?;
        let duplicate = print_queue::has_printed(self.store.conn(), kind.name(), reference)?;
        if duplicate {
            document.fields.set("duplicate", "1");
        }
        Ok(PrintTask {
            kind,
            reference: reference.to_string(),
            document,
            duplicate,
        })
    }

    /// Records how a print went. A document printed for the first time is
    /// marked printed; a failure is noted and the document keeps waiting.
    /// Documents outside the queue (statements, test pages) are not kept.
    pub fn record_print(
        &mut self,
        kind: DocKind,
        reference: &str,
        outcome: Result<(), &PrintError>,
        now: Timestamp,
    ) -> Result<(), BooksError> {
        let at = format_instant(now);
        let (doc, reference) = (kind.name().to_string(), reference.to_string());
        // Kept as data, so the queue can explain it in either language.
        let error = outcome
            .err()
            .map(|e| serde_json::to_string(e).unwrap_or_else(|_| e.to_string()));
        self.store.write(|w| -> Result<(), BooksError> {
            match &error {
                None => print_queue::record_printed(w.conn(), &doc, &reference, &at)?,
                Some(e) => print_queue::record_failure(w.conn(), &doc, &reference, e)?,
            }
            Ok(())
        })
    }

    /// Documents committed but not yet printed, oldest first.
    pub fn print_queue(&self) -> Result<Vec<QueuedJob>, BooksError> {
        let rows = print_queue::waiting_jobs(self.store.conn())?
            .into_iter()
            .map(|r| QueuedJob {
                doc: r.doc,
                reference: r.reference,
                created_at: r.created_at,
                attempts: r.attempts,
                // Kept as data; a line from before that is plain text still
                // reads as what it says.
                last_error: r
                    .last_error
                    .map(|e| serde_json::from_str(&e).unwrap_or(PrintError::Io { detail: e })),
            })
            .collect();
        Ok(rows)
    }

    /// Every document waiting to print, oldest first, as kind and reference.
    pub fn waiting_documents(&self) -> Result<Vec<(DocKind, String)>, BooksError> {
        Ok(self
            .print_queue()?
            .into_iter()
            .filter_map(|j| DocKind::parse(&j.doc).map(|k| (k, j.reference)))
            .collect())
    }

    /// The queued document for a receipt, slip or member ID, whether or not
    /// it printed: what `reprint` prints.
    pub fn find_printable(&self, reference: &str) -> Result<(DocKind, String), BooksError> {
        let r = reference.trim();
        let receipt = crate::domain::receipt::ReceiptNo::parse(r).map(|n| n.to_string());
        let wanted = receipt.unwrap_or_else(|| r.to_ascii_uppercase());
        let found = print_queue::doc_of(self.store.conn(), &wanted)?;
        match found.and_then(|d| DocKind::parse(&d)) {
            Some(kind) => Ok((kind, wanted)),
            None => Err(BooksError::UnknownReceipt {
                receipt: r.chars().take(40).collect(),
            }),
        }
    }
}

/// A stored `YYYY-MM-DD` as the kiosk shows dates (dd-mm-yyyy); any other
/// text as it is.
pub fn display_date_text(iso: &str) -> String {
    iso.parse::<jiff::civil::Date>()
        .map(display_date)
        .unwrap_or_else(|_| iso.to_string())
}
