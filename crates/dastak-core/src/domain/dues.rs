//! Dues and arrears: what a member owes a scheme from enrolment to today,
//! and how a payment maps onto periods.
//!
//! Dues fall at the start of each period, counted from the enrolment date:
//! a monthly member owes for the month they joined and each calendar month
//! after; a weekly member for each 7-day week that has begun. A payment
//! covers whole periods, oldest unpaid first; paying ahead is allowed.

use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::domain::money::Paise;
use crate::domain::scheme::{AmountRule, Frequency, Scheme};
use crate::i18n::{Localized, Message, english};

/// The most periods one payment may cover (ten years monthly, about two
/// years weekly): anything more is a typing mistake.
pub const MAX_PERIODS: u32 = 120;

/// Periods that have begun on or before `today` for a member enrolled on
/// `enrolled`. Zero if `today` is before enrolment.
pub fn periods_begun(freq: Frequency, enrolled: Date, today: Date) -> u32 {
    if today < enrolled {
        return 0;
    }
    match freq {
        Frequency::Monthly => {
            let months = (i32::from(today.year()) - i32::from(enrolled.year())) * 12
                + i32::from(today.month())
                - i32::from(enrolled.month());
            u32::try_from(months + 1).unwrap_or(0)
        }
        Frequency::Weekly => {
            let days = (today.to_jiff_days() - enrolled.to_jiff_days()).max(0);
            u32::try_from(days / 7 + 1).unwrap_or(0)
        }
    }
}

trait DayNumber {
    fn to_jiff_days(self) -> i64;
}

impl DayNumber for Date {
    fn to_jiff_days(self) -> i64 {
        // Days since 1970-01-01; jiff dates are always in range for this.
        self.since(Date::constant(1970, 1, 1))
            .map(|s| i64::from(s.get_days()))
            .unwrap_or(0)
    }
}

/// The first day of period `index` (0-based).
pub fn period_start(freq: Frequency, enrolled: Date, index: u32) -> Date {
    let span = match freq {
        Frequency::Monthly => i64::from(index).months(),
        Frequency::Weekly => (i64::from(index) * 7).days(),
    };
    let d = enrolled.checked_add(span).unwrap_or(enrolled);
    match freq {
        Frequency::Monthly => d.first_of_month(),
        Frequency::Weekly => d,
    }
}

/// A member's standing in one scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dues {
    pub periods_due: u32,
    pub periods_paid: u32,
    /// Positive: periods behind. Negative: periods paid ahead.
    pub arrears_periods: i64,
    /// What is owed now (zero when paid up or ahead).
    pub amount_due: Paise,
}

pub fn dues(scheme: &Scheme, enrolled: Date, today: Date, periods_paid: u32) -> Dues {
    let periods_due = periods_begun(scheme.frequency, enrolled, today);
    let arrears = i64::from(periods_due) - i64::from(periods_paid);
    let amount_due = Paise(scheme.amount.per_period().0.saturating_mul(arrears.max(0)));
    Dues {
        periods_due,
        periods_paid,
        arrears_periods: arrears,
        amount_due,
    }
}

impl Dues {
    /// What is owed, for a line that already says "due": "₹200.00 (2
    /// periods behind)", "₹0.00 (1 period paid ahead)" or "₹0.00".
    pub fn owed_message(&self) -> Message {
        if self.arrears_periods > 0 {
            Message::new("receipt.owed")
                .arg("amount", self.amount_due)
                .arg("periods", self.arrears_periods)
        } else if self.arrears_periods < 0 {
            Message::new("receipt.owed_ahead")
                .arg("amount", self.amount_due)
                .arg("periods", -self.arrears_periods)
        } else {
            Message::new("receipt.owed_none").arg("amount", self.amount_due)
        }
    }

    /// "Due: ₹200.00 (2 periods behind)", "Paid 1 period ahead" or "Paid up".
    pub fn message(&self) -> Message {
        if self.arrears_periods > 0 {
            Message::new("member.dues")
                .arg("amount", self.amount_due)
                .arg("periods", self.arrears_periods)
        } else if self.arrears_periods < 0 {
            Message::new("member.ahead").arg("periods", -self.arrears_periods)
        } else {
            Message::new("member.paid_up")
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", english(self))]
pub enum PaymentError {
    TooManyPeriods {
        max: u32,
    },
    NotWholePeriods {
        amount: Paise,
        per_period: Paise,
    },
    BelowMinimum {
        amount: Paise,
        minimum: Paise,
        periods: u32,
    },
    FixedMismatch {
        amount: Paise,
        expected: Paise,
        periods: u32,
    },
    ZeroPeriods,
}

impl Localized for PaymentError {
    fn message(&self) -> Message {
        match self {
            PaymentError::TooManyPeriods { max } => {
                Message::new("pay.too_many_periods").arg("max", max)
            }
            PaymentError::NotWholePeriods { amount, per_period } => Message::new("pay.not_whole")
                .arg("amount", amount)
                .arg("per", per_period),
            PaymentError::BelowMinimum {
                amount,
                minimum,
                periods,
            } => Message::new("pay.below_min")
                .arg("amount", amount)
                .arg("min", minimum)
                .arg("periods", periods),
            PaymentError::FixedMismatch {
                amount,
                expected,
                periods,
            } => Message::new("pay.fixed_mismatch")
                .arg("amount", amount)
                .arg("expected", expected)
                .arg("periods", periods),
            PaymentError::ZeroPeriods => Message::new("pay.zero_periods"),
        }
    }
}

/// A payment resolved to an amount and the periods it covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PaymentPlan {
    pub amount: Paise,
    pub periods: u32,
}

/// Resolves what the operator typed (either, both or neither of amount and
/// periods) into an amount and a number of periods.
///
/// With neither, the member pays what is due, or one period ahead when
/// nothing is due (the common "I'll pay next month's now").
pub fn plan_payment(
    scheme: &Scheme,
    due: &Dues,
    amount: Option<Paise>,
    periods: Option<u32>,
) -> Result<PaymentPlan, PaymentError> {
    let per = scheme.amount.per_period();
    let default_periods = u32::try_from(due.arrears_periods.max(1))
        .unwrap_or(MAX_PERIODS)
        .min(MAX_PERIODS);
    if periods == Some(0) {
        return Err(PaymentError::ZeroPeriods);
    }
    if let Some(p) = periods
        && p > MAX_PERIODS
    {
        return Err(PaymentError::TooManyPeriods { max: MAX_PERIODS });
    }
    let times = |p: u32| Paise(per.0.saturating_mul(i64::from(p)));
    let plan = match (scheme.amount, amount, periods) {
        (_, None, p) => {
            let p = p.unwrap_or(default_periods);
            PaymentPlan {
                amount: times(p),
                periods: p,
            }
        }
        (AmountRule::Fixed { .. }, Some(a), None) => {
            if per.0 <= 0 || a.0 % per.0 != 0 {
                return Err(PaymentError::NotWholePeriods {
                    amount: a,
                    per_period: per,
                });
            }
            let p = u32::try_from(a.0 / per.0).unwrap_or(u32::MAX);
            if p > MAX_PERIODS {
                return Err(PaymentError::TooManyPeriods { max: MAX_PERIODS });
            }
            PaymentPlan {
                amount: a,
                periods: p,
            }
        }
        (AmountRule::Fixed { .. }, Some(a), Some(p)) => {
            if a != times(p) {
                return Err(PaymentError::FixedMismatch {
                    amount: a,
                    expected: times(p),
                    periods: p,
                });
            }
            PaymentPlan {
                amount: a,
                periods: p,
            }
        }
        (AmountRule::Minimum { .. }, Some(a), None) => {
            let whole = if per.0 > 0 { a.0 / per.0 } else { 1 };
            if whole < 1 {
                return Err(PaymentError::BelowMinimum {
                    amount: a,
                    minimum: per,
                    periods: 1,
                });
            }
            // Extra savings beyond what is due do not buy extra periods.
            let p = u32::try_from(whole)
                .unwrap_or(u32::MAX)
                .min(default_periods);
            PaymentPlan {
                amount: a,
                periods: p,
            }
        }
        (AmountRule::Minimum { .. }, Some(a), Some(p)) => {
            if a < times(p) {
                return Err(PaymentError::BelowMinimum {
                    amount: a,
                    minimum: times(p),
                    periods: p,
                });
            }
            PaymentPlan {
                amount: a,
                periods: p,
            }
        }
    };
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::scheme::builtin_schemes;
    use jiff::civil::date;

    #[test]
    fn monthly_dues_count_calendar_months() {
        let fund = &builtin_schemes()[0];
        let d = dues(fund, date(2026, 1, 15), date(2026, 3, 1), 0);
        assert_eq!(d.periods_due, 3);
        assert_eq!(d.amount_due, Paise::from_rupees(300));
        let d = dues(fund, date(2026, 1, 15), date(2026, 3, 1), 5);
        assert_eq!(d.arrears_periods, -2);
        assert_eq!(d.amount_due, Paise::ZERO);
        assert_eq!(
            periods_begun(Frequency::Monthly, date(2026, 1, 15), date(2025, 12, 1)),
            0
        );
        assert_eq!(
            period_start(Frequency::Monthly, date(2026, 1, 15), 2),
            date(2026, 3, 1)
        );
    }

    #[test]
    fn weekly_dues_count_begun_weeks() {
        assert_eq!(
            periods_begun(Frequency::Weekly, date(2026, 1, 1), date(2026, 1, 7)),
            1
        );
        assert_eq!(
            periods_begun(Frequency::Weekly, date(2026, 1, 1), date(2026, 1, 8)),
            2
        );
    }

    #[test]
    fn plans() {
        let fund = &builtin_schemes()[0];
        let shg = &builtin_schemes()[1];
        let due = dues(fund, date(2026, 1, 1), date(2026, 3, 1), 0);
        assert_eq!(
            plan_payment(fund, &due, None, None),
            Ok(PaymentPlan {
                amount: Paise(30000),
                periods: 3
            })
        );
        assert_eq!(
            plan_payment(fund, &due, Some(Paise(20000)), None),
            Ok(PaymentPlan {
                amount: Paise(20000),
                periods: 2
            })
        );
        assert!(matches!(
            plan_payment(fund, &due, Some(Paise(15000)), None),
            Err(PaymentError::NotWholePeriods { .. })
        ));
        assert!(matches!(
            plan_payment(fund, &due, Some(Paise(15000)), Some(1)),
            Err(PaymentError::FixedMismatch { .. })
        ));
        let up_to_date = dues(fund, date(2026, 1, 1), date(2026, 3, 1), 3);
        assert_eq!(
            plan_payment(fund, &up_to_date, None, None),
            Ok(PaymentPlan {
                amount: Paise(10000),
                periods: 1
            })
        );
        let sdue = dues(shg, date(2026, 1, 1), date(2026, 1, 8), 0);
        assert_eq!(
            plan_payment(shg, &sdue, Some(Paise(5000)), None),
            Ok(PaymentPlan {
                amount: Paise(5000),
                periods: 2
            })
        );
        assert!(matches!(
            plan_payment(shg, &sdue, Some(Paise(1000)), None),
            Err(PaymentError::BelowMinimum { .. })
        ));
        assert_eq!(
            plan_payment(fund, &due, None, Some(0)),
            Err(PaymentError::ZeroPeriods)
        );
    }
}
