//! The fund's monthly statement, made at the lab: only the lab holds every
//! kiosk's collections and its own payouts, so only it can say what the
//! fund took and paid in a month and what it holds. The statement is
//! signed whole with the lab's key (the one kiosks check acknowledgements
//! with) and goes to kiosks on a stick, where it is printed for the
//! panchayat's notice board; its QR line lets anyone check a printed copy.
//!
//! What the numbers are, decided here:
//! - *collected* is the month's contributions at every kiosk less what
//!   reversals in the month gave back (the monthly rollup, by the kiosk's
//!   local date);
//! - *payouts* are the transfers the claim log records as paid in the
//!   month (by the day paid); the *fee* is what the rules kept back from
//!   those claims' benefit. The fee stays in the fund (it pays its running,
//!   which the fund does not record yet), so it is shown and not taken off:
//!   closing = opening + collected − payouts, the balance `claims list`
//!   pays from;
//! - the *standings* are each enrolled member's on the statement's day, by
//!   her kiosk's rules; a member whose death a claim records (one not
//!   rejected) counts as died and not in any other standing;
//! - a claim's name is masked to a first name and an initial: the paper
//!   goes up in public.

use std::collections::{BTreeMap, HashSet};

use jiff::Timestamp;
use jiff::civil::Date;

use dastak_core::domain::fund::{Paid, RuleBook, Standing, payout, standing};
use dastak_core::domain::money::Paise;
use dastak_core::domain::person::masked_name;
use dastak_core::domain::time::{format_instant, local_date, month_code, month_start};
use dastak_core::durable::{self, Access};
use dastak_core::wire::{
    FundStatement, StandingCounts, StatementClaim, Step, statement_file_name, stick_folder,
};

use crate::claims::{MemberFacts, home_kiosk, rule_books};
use crate::{Lab, LabError, io};

impl Lab {
    /// The statement of `scheme`'s fund for `month` (`YYYY-MM`), standing
    /// at the month's last day, or at today while the month runs.
    pub fn fund_statement(
        &self,
        scheme: &str,
        month: &str,
        now: Timestamp,
    ) -> Result<FundStatement, LabError> {
        let scheme = scheme.trim().to_ascii_uppercase();
        let bad = || LabError::BadMonth {
            got: month.to_string(),
        };
        let first = month_start(month).ok_or_else(bad)?;
        let today = local_date(now);
        if first > today {
            return Err(bad());
        }
        let as_of = first.last_of_month().min(today);
        let code = month_code(first);
        let in_month = |d: Date| d >= first && d <= as_of;

        let mut collected = 0i64;
        let mut receipts = 0;
        let mut reversals = 0;
        let mut opening = 0i64;
        for r in self.store.monthly_between("0000-00", &code)? {
            if r.scheme != scheme {
                continue;
            }
            let net = r.amount.0 - r.reversed.0;
            if r.day == code {
                collected += net;
                receipts += r.receipts;
                reversals += r.reversals;
            } else {
                opening += net;
            }
        }

        let held = self.held_claims(&self.store.claim_log()?)?;
        let mut claims = Vec::new();
        let mut payouts = 0i64;
        let mut fees = 0i64;
        let mut died: HashSet<(String, String)> = HashSet::new();
        for (c, book) in held.iter().filter(|(c, _)| c.filing.scheme == scheme) {
            // A rejected claim records no death (the kiosk and the lab's
            // dues reckon it so: see `Lab::recorded_deaths`).
            if c.filing.died_on <= as_of && c.state != crate::claims::State::Rejected {
                died.insert((
                    home_kiosk(&c.filing.member_id).to_string(),
                    c.filing.member_id.clone(),
                ));
            }
            let m = c.member.clone().unwrap_or_default();
            let line = |step: &str, on: Date, amount: Paise| StatementClaim {
                claim: c.number().to_string(),
                name: masked_name(&m.name),
                village: m.village.clone(),
                step: step.to_string(),
                on,
                amount,
            };
            // No amount before the lab decides one: a public paper must
            // not promise what may be refused.
            if let Some(on) = c.filed_at.parse::<Timestamp>().ok().map(local_date)
                && in_month(on)
            {
                claims.push(line("filed", on, Paise(0)));
            }
            for d in &c.steps {
                let decided = d.at.parse::<Timestamp>().ok().map(local_date);
                match &d.step {
                    Step::Approved { amount } => {
                        if let Some(on) = decided.filter(|on| in_month(*on)) {
                            claims.push(line("approved", on, *amount));
                        }
                    }
                    Step::Rejected { .. } => {
                        if let Some(on) = decided.filter(|on| in_month(*on)) {
                            claims.push(line("rejected", on, Paise(0)));
                        }
                    }
                    Step::Paid { amount, on, .. } => {
                        if *on < first {
                            opening -= amount.0;
                        } else if in_month(*on) {
                            payouts += amount.0;
                            fees += fee(book, c.filing.died_on).0;
                            claims.push(line("paid", *on, *amount));
                        }
                    }
                    _ => {}
                }
            }
        }
        claims.sort_by(|a, b| a.on.cmp(&b.on).then(a.claim.cmp(&b.claim)));

        let members = self.standings(&scheme, as_of, &died)?;
        Ok(FundStatement {
            v: FundStatement::VERSION,
            closing: Paise(opening + collected - payouts),
            scheme,
            month: code,
            as_of,
            at: format_instant(now),
            members,
            collected: Paise(collected),
            receipts,
            reversals,
            claims,
            payouts: Paise(payouts),
            fees: Paise(fees),
            opening: Paise(opening),
            qr: String::new(),
        })
    }

    /// Signs `statement` and writes it into the dastak folder of the stick
    /// at `root`, beside the link file; returns its path.
    pub fn write_fund_statement(
        &self,
        statement: FundStatement,
        root: &std::path::Path,
    ) -> Result<std::path::PathBuf, LabError> {
        let name = statement_file_name(&statement.scheme, &statement.month);
        // The stick must be there: making the folder would leave the
        // statement on the lab's own disk.
        std::fs::metadata(root).map_err(|e| io(root, e))?;
        let folder = stick_folder(root);
        std::fs::create_dir_all(&folder).map_err(|e| io(&folder, e))?;
        durable::write_checked(&folder, &name, &statement.sign(&self.key), Access::Shared)
            .map_err(|e| io(&folder, e))?;
        Ok(folder.join(name))
    }

    /// The fund's members by standing on `as_of`: each enrolment held (one
    /// row per member), her payments read at her kiosk.
    fn standings(
        &self,
        scheme: &str,
        as_of: Date,
        died: &HashSet<(String, String)>,
    ) -> Result<StandingCounts, LabError> {
        let books: BTreeMap<(String, String), RuleBook> = rule_books(&self.store.fund_events()?)?;
        let mut counts = StandingCounts::default();
        for e in self.store.enrolments()? {
            if e.scheme != scheme {
                continue;
            }
            let Some(enrolled) = e
                .enrolled_on
                .as_deref()
                .and_then(|d| d.parse::<Date>().ok())
            else {
                continue;
            };
            let left = e.left_on.as_deref().and_then(|d| d.parse::<Date>().ok());
            if enrolled > as_of || left.is_some_and(|l| l <= as_of) {
                continue;
            }
            if died.contains(&(e.kiosk.clone(), e.member_id.clone())) {
                counts.died += 1;
                continue;
            }
            let book = books
                .get(&(e.kiosk.clone(), e.scheme.clone()))
                .cloned()
                .unwrap_or_else(RuleBook::standard);
            let paid: Vec<Paid> =
                MemberFacts::of(&self.store.member_events(&e.kiosk, &e.member_id)?, scheme)
                    .paid
                    .into_iter()
                    .filter(|(on, _)| *on <= as_of)
                    .map(|(on, periods)| Paid { on, periods })
                    .collect();
            match standing(&book, enrolled, &paid, as_of) {
                Standing::Waiting { .. } => counts.waiting += 1,
                Standing::Good => counts.good += 1,
                Standing::Grace { .. } => counts.grace += 1,
                Standing::Lapsed { .. } => counts.lapsed += 1,
            }
        }
        Ok(counts)
    }
}

/// The fee the rules in force on the day of death keep from the benefit.
fn fee(book: &RuleBook, died_on: Date) -> Paise {
    // One nominee at 100 % cannot be refused by `payout`.
    payout(book, died_on, &[100])
        .map(|p| p.fee)
        .unwrap_or_default()
}
