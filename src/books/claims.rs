//! Death claims on the mutual-aid fund, as a kiosk files them.
//!
//! A supervisor files; another operator attests, and not the one who
//! enrolled the member (the person who brought a member in never vouches
//! alone for her death). The kiosk checks what it can on the spot: the
//! date of death (not in its future, not before she joined), the
//! certificate, the claimant and her phone, the bank account (IFSC form, 9
//! to 18 digits). Whether the fund's rules make the death payable is
//! evaluated with the rules in force on the date of death, and the reasons
//! it is not are recorded with the claim: an ineligible claim is still
//! filed, because a family must be heard, and the lab decides.
//!
//! The account number is sealed to the lab's key before the event is
//! written; so a kiosk not linked to its lab cannot file one. Payouts are
//! bank transfers made at the lab: nothing here touches the cash drawer.

use jiff::Timestamp;
use serde::Serialize;

use crate::books::members::fund_paid;
use crate::books::receipts::display_date_text;
use crate::books::{Books, BooksError, Field};
use crate::domain::claim::{AccountNumber, Claimant, DeathCause, Ifsc, SealedAccount};
use crate::domain::event::{Body, ClaimFiled};
use crate::domain::fund::{Bar, FundRules, RuleBook, bars};
use crate::domain::person::parse_mobile;
use crate::domain::scheme::FUND;
use crate::domain::search::identity_key;
use crate::domain::text;
use crate::domain::time::{local_date, parse_date};
use crate::i18n::Message;
use crate::print::DocKind;
use crate::store::queries::{self, ClaimRow, OperatorRow};

/// What the supervisor types (the account number comes from the
/// environment at the command line, never from its arguments).
#[derive(Clone, Debug, Default)]
pub struct ClaimForm {
    pub member_id: String,
    /// dd-mm-yyyy.
    pub died_on: String,
    pub cause: String,
    pub certificate: String,
    pub authority: String,
    pub claimant: String,
    pub relation: String,
    pub phone: String,
    /// Why someone other than the recorded nominee claims.
    pub reason: Option<String>,
    pub ifsc: String,
    pub account: String,
    /// Where the claim names several nominees, each one's own account
    /// for her part: `NAME,IFSC` as typed, with its number at the same
    /// place in `payee_accounts` (from the environment, as the claimant's).
    pub payees: Vec<String>,
    pub payee_accounts: Vec<String>,
}

/// A claim as filed: its number, the reasons the kiosk found it not
/// payable (empty: none), and the account as the slip shows it.
#[derive(Clone, Debug, Serialize)]
pub struct FiledClaim {
    pub claim: String,
    pub seq: u64,
    pub member_id: String,
    pub bars: Vec<Bar>,
    pub account: String,
    pub nominee: bool,
}

/// A claim on the member card: its number, state, the date of death and
/// the claimant (the reasons the kiosk found, if any, follow it).
pub fn claim_line(c: &ClaimRow) -> Message {
    let state = match c.state.as_str() {
        "filed" => Message::new("claim.state_filed"),
        "verified" => Message::new("claim.state_verified"),
        "published" => Message::new("claim.state_published"),
        "approved" => Message::new("claim.state_approved"),
        "rejected" => Message::new("claim.state_rejected"),
        "paid" => Message::new("claim.state_paid"),
        other => Message::new("claim.state_other").arg("state", other),
    };
    Message::new("claim.line")
        .arg("claim", &c.claim)
        .arg_msg("state", state)
        .arg("died", display_date_text(&c.died_on))
        .arg("claimant", &c.claimant)
}

impl Books {
    /// The fund's rules as recorded for `scheme`; the standard rules when
    /// the kiosk has recorded none.
    pub fn fund_rules(&self, scheme: &str) -> Result<RuleBook, BooksError> {
        let mut versions: Vec<FundRules> = Vec::new();
        for json in queries::fund_rules(self.store.conn(), scheme)? {
            // Written by the projection from a parsed event: a row that no
            // longer parses is a database changed behind our back.
            let rules = serde_json::from_str(&json).map_err(|e| {
                crate::store::StoreError::Corrupt(format!("fund rules of {scheme}: {e}"))
            })?;
            versions.push(rules);
        }
        RuleBook::recorded(versions).map_err(BooksError::Fund)
    }

    /// Records a new version of the fund's rules (admins): `rules` take
    /// effect on `rules.from`, never before today (a rule is never
    /// retroactive: deaths before it stay judged by the rules then in
    /// force). Returns the rules now recorded, every version.
    pub fn set_fund_rules(
        &mut self,
        by: &OperatorRow,
        rules: FundRules,
        now: Timestamp,
    ) -> Result<RuleBook, BooksError> {
        crate::books::require_admin(by)?;
        let today = local_date(now);
        if rules.from < today {
            return Err(BooksError::RulesRetroactive { today });
        }
        rules.check().map_err(BooksError::Fund)?;
        let body = Body::FundRulesSet(crate::domain::event::FundRulesSet {
            scheme: FUND.to_string(),
            rules,
            by: by.code.clone(),
        });
        self.store
            .write(|w| w.append(now, body).map(|_| ()).map_err(BooksError::from))?;
        self.fund_rules(FUND)
    }

    /// Files a death claim for a fund member, attested by `attester`.
    pub fn file_claim(
        &mut self,
        by: &OperatorRow,
        attester: &OperatorRow,
        f: &ClaimForm,
        now: Timestamp,
    ) -> Result<FiledClaim, BooksError> {
        if !by.role.can_supervise() {
            return Err(BooksError::NeedsSupervisor);
        }
        if attester.code == by.code {
            return Err(BooksError::AttesterIsFiler);
        }
        let member = self.member_for_change(&f.member_id)?;
        let conn = self.store.conn();
        let enrolment = queries::enrolment(conn, &member.member_id, FUND)?.ok_or_else(|| {
            BooksError::NotEnrolled {
                id: member.member_id.clone(),
                scheme: FUND.to_string(),
            }
        })?;
        if queries::enrolled_by(conn, &member.member_id, FUND)?.as_deref()
            == Some(attester.code.as_str())
        {
            return Err(BooksError::AttesterEnrolled {
                code: attester.code.clone(),
            });
        }
        let today = local_date(now);
        let died_on = parse_date(f.died_on.trim()).ok_or(BooksError::BadDate(Field::DiedOn))?;
        if died_on > today || died_on < enrolment.enrolled_on {
            return Err(BooksError::BadDate(Field::DiedOn));
        }
        let cause = DeathCause::parse(&f.cause).ok_or(BooksError::BadCause)?;
        let certificate = text::free_text(&f.certificate, 1)
            .map_err(|e| BooksError::Text(Field::Certificate, e))?;
        let authority =
            text::free_text(&f.authority, 2).map_err(|e| BooksError::Text(Field::Authority, e))?;
        let name =
            text::person_name(&f.claimant).map_err(|e| BooksError::Text(Field::Claimant, e))?;
        let relation =
            text::person_name(&f.relation).map_err(|e| BooksError::Text(Field::Relation, e))?;
        let phone = parse_mobile(&f.phone).map_err(|e| BooksError::Person(Field::Phone, e))?;
        // The nominees in force on the day of death are the ones paid (one
        // named after it is not); anyone else claims with a reason, which
        // the lab weighs. A name typed in the other script, or spelt as
        // villagers spell it, is still hers (the same key that finds one
        // person typed twice).
        let nominees = self.nominees_on(&member.member_id, FUND, died_on)?;
        let nominee = nominees
            .iter()
            .any(|n| identity_key(&n.name) == identity_key(&name));
        let reason = if nominee {
            None
        } else {
            let r = f.reason.as_deref().unwrap_or_default();
            Some(text::free_text(r, 5).map_err(|e| BooksError::Text(Field::Reason, e))?)
        };
        let ifsc = Ifsc::parse(&f.ifsc).map_err(|e| BooksError::Claim(Field::Ifsc, e))?;
        let number =
            AccountNumber::parse(&f.account).map_err(|e| BooksError::Claim(Field::Account, e))?;
        let link = crate::sync::link_info(&self.store)?.ok_or(crate::sync::SyncError::NotLinked)?;
        let sealed = crate::sync::seal(number.digits().as_bytes(), &link.recipient)?;
        let account = SealedAccount::new(ifsc, &number, &sealed);
        let mut nominees = nominees;
        self.payee_accounts(f, &mut nominees, nominee.then_some(&account), &link)?;
        let book = self.fund_rules(FUND)?;
        let contributions = queries::contributions_of(conn, &member.member_id)?;
        let found = bars(
            &book,
            enrolment.enrolled_on,
            &fund_paid(&contributions),
            died_on,
            today,
            today,
        );
        let kiosk = self.kiosk()?.code;
        let shown = account.masked();
        let mut filed = ClaimFiled {
            claim: String::new(),
            member_id: member.member_id.clone(),
            scheme: FUND.to_string(),
            died_on,
            cause,
            certificate,
            authority,
            claimant: Claimant {
                name,
                relation,
                phone,
                nominee,
                reason,
            },
            account,
            bars: found.clone(),
            attested_by: attester.code.clone(),
            by: by.code.clone(),
            nominees,
        };
        // Checked and numbered inside the write: two processes filing at
        // once (the console and the command line) neither file twice for
        // one member nor share a number.
        let (claim, seq) = self.store.write(|w| -> Result<(String, u64), BooksError> {
            if let Some(open) = queries::open_claim(w.conn(), &filed.member_id, FUND)? {
                return Err(BooksError::OpenClaim { claim: open });
            }
            filed.claim = format!("{kiosk}-C{:04}", queries::claims_count(w.conn())? + 1);
            let claim = filed.claim.clone();
            let event = w.append(now, Body::ClaimFiled(filed))?;
            // The slip waits in the print queue under the claim's number.
            w.queue_print(DocKind::Claim.name(), &claim, now)?;
            Ok((claim, event.seq))
        })?;
        Ok(FiledClaim {
            claim,
            seq,
            member_id: member.member_id,
            bars: found,
            account: shown,
            nominee,
        })
    }
}

impl Books {
    /// Attaches each nominee's own account (sealed to the lab's key) to
    /// her entry on the claim, from the form's `--payee` lines. When the
    /// claimant is one of several nominees, her part goes to the claim's
    /// account (`claimant`) and every other nominee must have one: the
    /// lab then pays each part by its own transfer. A claimant who is not
    /// a nominee may name the nominees' accounts; without them the lab
    /// weighs her reason and pays by one transfer, as before.
    fn payee_accounts(
        &self,
        f: &ClaimForm,
        nominees: &mut [crate::domain::event::NomineeShare],
        claimant: Option<&SealedAccount>,
        link: &crate::sync::Link,
    ) -> Result<(), BooksError> {
        if f.payees.len() != f.payee_accounts.len() {
            return Err(BooksError::PayeeAccounts {
                payees: f.payees.len(),
                accounts: f.payee_accounts.len(),
            });
        }
        if let Some(own) = claimant
            && nominees.len() > 1
            && let Some(n) = nominees
                .iter_mut()
                .find(|n| identity_key(&n.name) == identity_key(&f.claimant))
        {
            n.account = Some(own.clone());
        }
        for (entry, number) in f.payees.iter().zip(&f.payee_accounts) {
            let (name, ifsc) = entry
                .rsplit_once(',')
                .ok_or_else(|| BooksError::PayeeEntry { got: entry.clone() })?;
            let name = name.trim();
            let n = nominees
                .iter_mut()
                .find(|n| identity_key(&n.name) == identity_key(name))
                .ok_or_else(|| BooksError::PayeeNotNominee {
                    name: name.to_string(),
                })?;
            if n.account.is_some() {
                return Err(BooksError::PayeeTwice {
                    name: n.name.clone(),
                });
            }
            let ifsc = Ifsc::parse(ifsc).map_err(|e| BooksError::Claim(Field::Ifsc, e))?;
            let number =
                AccountNumber::parse(number).map_err(|e| BooksError::Claim(Field::Account, e))?;
            let sealed = crate::sync::seal(number.digits().as_bytes(), &link.recipient)?;
            n.account = Some(SealedAccount::new(ifsc, &number, &sealed));
        }
        if claimant.is_some()
            && nominees.len() > 1
            && let Some(n) = nominees.iter().find(|n| n.account.is_none())
        {
            return Err(BooksError::PayeeMissing {
                name: n.name.clone(),
            });
        }
        Ok(())
    }
}

/// The paper a lab decision prints (see
/// [`crate::domain::claim::decision_paper`]) as a document kind.
pub fn decision_paper(step: &str) -> Option<(DocKind, &'static str)> {
    let (doc, suffix) = crate::domain::claim::decision_paper(step)?;
    Some((DocKind::parse(doc)?, suffix))
}

/// The step whose paper `kind` is, and the claim of `reference`.
pub fn decision_of_paper(kind: DocKind, reference: &str) -> Option<(&'static str, &str)> {
    crate::domain::claim::decision_of_paper(kind.name(), reference)
}
