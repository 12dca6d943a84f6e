//! The fund's monthly statement, made at the lab: only the lab holds every
//! kiosk's collections and its own payouts, so only it can say what the
//! fund took and paid in a month and what it holds. The statement is
//! signed whole with the lab's key (the one kiosks check acknowledgements
//! with) and goes to kiosks on a stick, where it is printed for the
//! panchayat's notice board; its QR line lets anyone check a printed copy.
//!
//! What the numbers are is decided in [`dastak_core::statement`]; what is
//! read here: *collected* from the monthly rollup (by the kiosk's local
//! date), payouts from the claim log (the balance `claims list` pays from),
//! and the *standings*, each enrolled member's on the statement's day by
//! her kiosk's rules; a member whose death a claim records (one not
//! rejected) counts as died and not in any other standing.

use std::collections::{BTreeMap, HashSet};

use jiff::Timestamp;
use jiff::civil::Date;

use dastak_core::domain::fund::{Paid, RuleBook, standing};
use dastak_core::domain::money::Paise;
use dastak_core::domain::time::{format_instant, local_date, month_code, month_start};
use dastak_core::durable::{self, Access};
use dastak_core::statement::{ClaimHistory, MonthTotal, fee, reckon};
use dastak_core::wire::{FundStatement, StandingCounts, statement_file_name, stick_folder};

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

        let months: Vec<MonthTotal> = self
            .store
            .monthly_between("0000-00", &month_code(first))?
            .into_iter()
            .filter(|r| r.scheme == scheme)
            .map(|r| MonthTotal {
                month: r.day,
                net: Paise(r.amount.0 - r.reversed.0),
                receipts: r.receipts,
                reversals: r.reversals,
            })
            .collect();

        let held = self.held_claims(&self.store.claim_log()?)?;
        let mut claims = Vec::new();
        let mut died: HashSet<(String, String)> = HashSet::new();
        for (c, book) in held.iter().filter(|(c, _)| c.filing.scheme == scheme) {
            let m = c.member.clone().unwrap_or_default();
            let history = ClaimHistory {
                claim: c.number().to_string(),
                name: m.name,
                village: m.village,
                died_on: c.filing.died_on,
                filed_on: c.filed_at.parse::<Timestamp>().ok().map(local_date),
                steps: c
                    .steps
                    .iter()
                    .map(|d| {
                        let on = d.at.parse::<Timestamp>().ok().map(local_date);
                        (on, d.step.clone())
                    })
                    .collect(),
                fee: fee(book, c.filing.died_on),
            };
            if history.records_death_by(as_of) {
                died.insert((
                    home_kiosk(&c.filing.member_id).to_string(),
                    c.filing.member_id.clone(),
                ));
            }
            claims.push(history);
        }

        let members = self.standings(&scheme, as_of, &died)?;
        Ok(reckon(
            &scheme,
            first,
            as_of,
            &format_instant(now),
            &months,
            &claims,
            members,
        ))
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
            counts.count(&standing(&book, enrolled, &paid, as_of));
        }
        Ok(counts)
    }
}
