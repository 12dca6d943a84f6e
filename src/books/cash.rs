//! Cash: contributions, reversals, day close and the date confirmation
//! that must come before any of them when the clock looks wrong.
//!
//! Each operation commits its event, derived rows and receipt number in one
//! durable transaction and only then returns the receipt number: whoever
//! prints the receipt prints it for a record that already exists.

use jiff::Timestamp;
use serde::Serialize;

use crate::books::{Books, BooksError, Field};
use crate::domain::cash::CashCount;
use crate::domain::digits::parse_count;
use crate::domain::dues::{Dues, MAX_PERIODS, PaymentPlan, dues, period_start, plan_payment};
use crate::domain::event::{
    Body, ClockConfirmed, ContributionReversed, ContributionTaken, DayClosed, GENESIS,
};
use crate::domain::money::Paise;
use crate::domain::operator::Role;
use crate::domain::scheme::Scheme;
use crate::domain::text;
use crate::domain::time::{ClockVerdict, FinancialYear, display_date, local_date, parse_date};
use crate::store::Writer;
use crate::store::queries::{self, MemberRow, OperatorRow};

#[derive(Clone, Debug, Serialize)]
pub struct Payment {
    pub receipt: String,
    pub member_id: String,
    pub member_name: String,
    pub scheme: String,
    pub amount: Paise,
    pub periods: u32,
    /// First day of the first and of the last period covered.
    pub covers_from: jiff::civil::Date,
    pub covers_to: jiff::civil::Date,
    pub dues_after: Dues,
    pub seq: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Reversal {
    pub receipt: String,
    pub original: String,
    pub member_id: String,
    pub amount: Paise,
    pub seq: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct DayClose {
    pub date: jiff::civil::Date,
    pub counted: Paise,
    pub expected: Paise,
    pub variance: Paise,
    pub contributions: u64,
    pub seq: u64,
    pub hash: String,
}

/// A contribution checked and planned, ready to be recorded.
struct Planned {
    member: MemberRow,
    enrolled_on: jiff::civil::Date,
    /// Periods paid before this payment: the first period it covers.
    paid: u32,
    plan: PaymentPlan,
}

impl Planned {
    /// Takes the next receipt number and appends the event, inside `w`.
    fn record(
        &self,
        w: &Writer<'_>,
        fy: FinancialYear,
        scheme: &str,
        by: &str,
        now: Timestamp,
    ) -> Result<(String, u64), BooksError> {
        let receipt = w.next_receipt(fy)?.to_string();
        let e = w.append(
            now,
            Body::ContributionTaken(ContributionTaken {
                receipt: receipt.clone(),
                member_id: self.member.member_id.clone(),
                scheme: scheme.to_string(),
                amount: self.plan.amount,
                first_period: self.paid,
                periods: self.plan.periods,
                by: by.to_string(),
            }),
        )?;
        w.queue_print(crate::print::DocKind::Contribution.name(), &receipt, now)?;
        Ok((receipt, e.seq))
    }

    fn into_payment(
        self,
        scheme: &Scheme,
        today: jiff::civil::Date,
        receipt: String,
        seq: u64,
    ) -> Payment {
        let covered = self.paid + self.plan.periods;
        Payment {
            receipt,
            member_name: self.member.name,
            member_id: self.member.member_id,
            scheme: scheme.code.clone(),
            amount: self.plan.amount,
            periods: self.plan.periods,
            covers_from: period_start(scheme.frequency, self.enrolled_on, self.paid),
            covers_to: period_start(scheme.frequency, self.enrolled_on, covered - 1),
            dues_after: dues(scheme, self.enrolled_on, today, covered),
            seq,
        }
    }
}

impl Books {
    /// Takes a contribution. `amount` and `periods` are as typed; either,
    /// both or neither may be given (see [`plan_payment`]).
    pub fn pay(
        &mut self,
        by: &OperatorRow,
        member_id: &str,
        scheme: &str,
        amount: Option<&str>,
        periods: Option<&str>,
        now: Timestamp,
    ) -> Result<Payment, BooksError> {
        let (planned, scheme) = self.plan(member_id, scheme, amount, periods, now)?;
        let today = local_date(now);
        let fy = FinancialYear::of(today);
        let (receipt, seq) = self
            .store
            .write(|w| planned.record(w, fy, &scheme.code, &by.code, now))?;
        Ok(planned.into_payment(&scheme, today, receipt, seq))
    }

    /// What [`Books::pay`] would take, checked by the same rules, without
    /// taking it: the console checks an amount before its confirmation, so
    /// that ₹250 on a fixed ₹100 scheme is refused before the villager is
    /// shown it in large type.
    pub fn check_payment(
        &self,
        member_id: &str,
        scheme: &str,
        amount: Option<&str>,
        periods: Option<&str>,
        now: Timestamp,
    ) -> Result<Paise, BooksError> {
        Ok(self
            .plan(member_id, scheme, amount, periods, now)?
            .0
            .plan
            .amount)
    }

    fn plan(
        &self,
        member_id: &str,
        scheme: &str,
        amount: Option<&str>,
        periods: Option<&str>,
        now: Timestamp,
    ) -> Result<(Planned, Scheme), BooksError> {
        let id = member_id.trim().to_ascii_uppercase();
        if id.is_empty() {
            return Err(BooksError::Text(Field::Member, text::TextError::Empty));
        }
        let scheme_code = text::code(scheme).map_err(|e| BooksError::Text(Field::Scheme, e))?;
        let amount = amount
            .map(|a| Paise::parse(a).map_err(|e| BooksError::Money(Field::Amount, e)))
            .transpose()?;
        let periods = periods
            .map(|p| parse_count(p, MAX_PERIODS * 10).ok_or(BooksError::BadNumber(Field::Periods)))
            .transpose()?;
        self.require_believable_clock(now)?;
        let today = local_date(now);
        let conn = self.store.conn();
        let member = queries::member(conn, &id)?
            .ok_or_else(|| BooksError::UnknownMember { id: id.clone() })?;
        let scheme =
            queries::scheme(conn, &scheme_code)?.ok_or_else(|| BooksError::UnknownScheme {
                code: scheme_code.clone(),
            })?;
        let enrolment = queries::enrolment(conn, &id, &scheme_code)?.ok_or_else(|| {
            BooksError::NotEnrolled {
                id: id.clone(),
                scheme: scheme_code.clone(),
            }
        })?;
        if let Some(on) = enrolment.left_on {
            return Err(BooksError::LeftScheme {
                id,
                scheme: scheme_code,
                on: display_date(on),
            });
        }
        // Money taken after a recorded death would count for nothing (it
        // never counts toward standing on the day of death) and would be
        // the family's cash in the drawer for no cover: refused.
        if let Some(died) = queries::recorded_death(conn, &id)? {
            return Err(BooksError::Died {
                id,
                on: display_date(died),
            });
        }
        let paid = queries::periods_paid(conn, &id, &scheme_code)?;
        let before = dues(&scheme, enrolment.enrolled_on, today, paid);
        let plan = plan_payment(&scheme, &before, amount, periods)?;
        let planned = Planned {
            member,
            enrolled_on: enrolment.enrolled_on,
            paid,
            plan,
        };
        Ok((planned, scheme))
    }

    /// Reverses a contribution: a supervisor who did not take the cash, with
    /// a reason. The original stays; the reversal points at it, takes its own
    /// slip number, and the member's dues come back.
    pub fn reverse(
        &mut self,
        by: &OperatorRow,
        receipt: &str,
        reason: &str,
        now: Timestamp,
    ) -> Result<Reversal, BooksError> {
        if !by.role.can_supervise() {
            return Err(BooksError::NeedsSupervisor);
        }
        let r = crate::domain::receipt::ReceiptNo::parse(receipt)
            .ok_or_else(|| BooksError::UnknownReceipt {
                receipt: receipt.chars().take(40).collect(),
            })?
            .to_string();
        let reason = text::free_text(reason, 5).map_err(|e| BooksError::Text(Field::Reason, e))?;
        self.require_believable_clock(now)?;
        let conn = self.store.conn();
        let original = match queries::contribution(conn, &r)? {
            Some(c) => c,
            None => {
                return Err(if queries::is_reversal_slip(conn, &r)? {
                    BooksError::NotAContribution { receipt: r }
                } else {
                    BooksError::UnknownReceipt { receipt: r }
                });
            }
        };
        if let Some(rev) = original.reversed_by {
            return Err(BooksError::AlreadyReversed {
                receipt: r,
                by: rev,
            });
        }
        if original.operator == by.code && by.role != Role::Admin {
            return Err(BooksError::OwnReceipt { receipt: r });
        }
        if original.operator == by.code {
            // Even an admin may not undo their own cash: someone else must look.
            return Err(BooksError::OwnReceipt { receipt: r });
        }
        let fy = FinancialYear::of(local_date(now));
        let by_code = by.code.clone();
        self.store.write(|w| -> Result<Reversal, BooksError> {
            let slip = w.next_receipt(fy)?.to_string();
            let e = w.append(
                now,
                Body::ContributionReversed(ContributionReversed {
                    receipt: slip.clone(),
                    original: r.clone(),
                    member_id: original.member_id.clone(),
                    scheme: original.scheme.clone(),
                    amount: original.amount,
                    periods: original.periods,
                    reason,
                    by: by_code,
                }),
            )?;
            w.queue_print(crate::print::DocKind::Reversal.name(), &slip, now)?;
            Ok(Reversal {
                receipt: slip,
                original: r.clone(),
                member_id: original.member_id.clone(),
                amount: original.amount,
                seq: e.seq,
            })
        })
    }

    /// Closes the day: cash counted against what the ledger says was taken
    /// since the previous close. A variance needs a reason. Each close
    /// carries the previous close's hash.
    pub fn day_close(
        &mut self,
        by: &OperatorRow,
        notes: &str,
        coins: &str,
        reason: Option<&str>,
        now: Timestamp,
    ) -> Result<DayClose, BooksError> {
        let count = CashCount::parse_notes(notes, coins)?;
        let reason = reason
            .filter(|r| !r.trim().is_empty())
            .map(|r| text::free_text(r, 5).map_err(|e| BooksError::Text(Field::Reason, e)))
            .transpose()?;
        self.require_believable_clock(now)?;
        let conn = self.store.conn();
        let queries::OpenCash {
            last_close: last,
            expected,
            contributions,
        } = queries::open_cash(conn)?;
        let counted = count.total();
        let variance = Paise(counted.0 - expected.0);
        if variance != Paise::ZERO && reason.is_none() {
            return Err(BooksError::VarianceNeedsReason { variance });
        }
        let through = queries::last_event(conn)?.map(|(s, _)| s).unwrap_or(0);
        let prev_close = last.map(|l| l.hash).unwrap_or_else(|| GENESIS.to_string());
        let date = local_date(now);
        let by_code = by.code.clone();
        let (seq, hash) = self.store.write(|w| -> Result<(u64, String), BooksError> {
            let e = w.append(
                now,
                Body::DayClosed(DayClosed {
                    date,
                    notes: count.notes.clone(),
                    coins: count.coins,
                    counted,
                    expected,
                    variance,
                    reason,
                    through_seq: through,
                    prev_close,
                    by: by_code,
                }),
            )?;
            let hash = crate::domain::event::hash_hex(&e.canonical_bytes());
            w.queue_print(
                crate::print::DocKind::DayClose.name(),
                &e.seq.to_string(),
                now,
            )?;
            Ok((e.seq, hash))
        })?;
        self.store.checkpoint()?;
        Ok(DayClose {
            date,
            counted,
            expected,
            variance,
            contributions,
            seq,
            hash,
        })
    }

    /// The operator confirms that today's date on the clock is right (after a
    /// long gap). A clock behind the last event cannot be confirmed: it must
    /// be corrected.
    pub fn confirm_date(
        &mut self,
        by: &OperatorRow,
        typed: &str,
        now: Timestamp,
    ) -> Result<(), BooksError> {
        if let ClockVerdict::Behind { last } = self.clock_verdict(now)? {
            return Err(BooksError::ClockBehind { last, now });
        }
        let date = parse_date(typed).ok_or(BooksError::BadDate(Field::Date))?;
        let today = local_date(now);
        if date != today {
            return Err(BooksError::ConfirmedDateWrong {
                typed: display_date(date),
                clock: display_date(today),
            });
        }
        let body = Body::ClockConfirmed(ClockConfirmed {
            date,
            by: by.code.clone(),
        });
        self.store
            .write(|w| w.append(now, body).map_err(BooksError::from))?;
        Ok(())
    }
}

/// One member of a group at its meeting: who, and what they owe.
#[derive(Clone, Debug, Serialize)]
pub struct RollRow {
    pub member_id: String,
    pub name: String,
    pub relative_name: String,
    pub dues: Dues,
    pub per_period: Paise,
}

impl Books {
    /// The scheme of group `code` (checked to exist).
    fn group_scheme(&self, code: &str) -> Result<Scheme, BooksError> {
        let conn = self.store.conn();
        let g = queries::group(conn, code)?.ok_or_else(|| BooksError::UnknownGroup {
            code: code.to_string(),
        })?;
        queries::scheme(conn, &g.scheme)?.ok_or_else(|| BooksError::UnknownScheme {
            code: g.scheme.clone(),
        })
    }

    /// The members of `group` with their dues, for the meeting screen.
    pub fn group_roll(&self, group: &str, now: Timestamp) -> Result<Vec<RollRow>, BooksError> {
        let code = text::code(group).map_err(|e| BooksError::Text(Field::Group, e))?;
        let conn = self.store.conn();
        let scheme = self.group_scheme(&code)?;
        let rows = queries::group_members(conn, &code)?;
        let today = local_date(now);
        let mut out = Vec::new();
        for (id, name, relative_name, on) in rows {
            let paid = queries::periods_paid(conn, &id, &scheme.code)?;
            out.push(RollRow {
                member_id: id,
                name,
                relative_name,
                dues: dues(&scheme, on, today, paid),
                per_period: scheme.amount.per_period(),
            });
        }
        Ok(out)
    }

    /// Commits a group meeting: every saving typed (member, amount) in one
    /// transaction, one receipt each. If any one is refused, none is taken,
    /// and the message names the member.
    pub fn shg_meeting(
        &mut self,
        by: &OperatorRow,
        group: &str,
        savings: &[(String, String)],
        now: Timestamp,
    ) -> Result<Vec<Payment>, BooksError> {
        self.require_believable_clock(now)?;
        let code = text::code(group).map_err(|e| BooksError::Text(Field::Group, e))?;
        let today = local_date(now);
        let conn = self.store.conn();
        let scheme = self.group_scheme(&code)?;
        let mut planned = Vec::new();
        for (member_id, amount) in savings.iter().filter(|(_, a)| !a.trim().is_empty()) {
            let id = member_id.trim().to_ascii_uppercase();
            let member = queries::member(conn, &id)?
                .ok_or_else(|| BooksError::UnknownMember { id: id.clone() })?;
            let enrolment = queries::enrolment(conn, &id, &scheme.code)?
                .filter(|e| e.group.as_deref() == Some(code.as_str()))
                .ok_or_else(|| BooksError::NotEnrolled {
                    id: id.clone(),
                    scheme: code.clone(),
                })?;
            let amount = Paise::parse(amount).map_err(|e| BooksError::Money(Field::Amount, e))?;
            let paid = queries::periods_paid(conn, &id, &scheme.code)?;
            let before = dues(&scheme, enrolment.enrolled_on, today, paid);
            let plan = plan_payment(&scheme, &before, Some(amount), None).map_err(|e| {
                BooksError::ForMember {
                    id: id.clone(),
                    name: member.name.clone(),
                    reason: Box::new(BooksError::Payment(e)),
                }
            })?;
            planned.push(Planned {
                member,
                enrolled_on: enrolment.enrolled_on,
                paid,
                plan,
            });
        }
        let fy = FinancialYear::of(today);
        let receipts = self
            .store
            .write(|w| -> Result<Vec<(String, u64)>, BooksError> {
                planned
                    .iter()
                    .map(|p| p.record(w, fy, &scheme.code, &by.code, now))
                    .collect()
            })?;
        Ok(planned
            .into_iter()
            .zip(receipts)
            .map(|(p, (receipt, seq))| p.into_payment(&scheme, today, receipt, seq))
            .collect())
    }
}
