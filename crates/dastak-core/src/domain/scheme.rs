//! Schemes a villager can join, and who may join them.
//!
//! A scheme says how often dues fall (monthly or weekly), whether the amount
//! is fixed or a minimum, who is eligible, and whether a nominee is needed.
//! `init` defines two: the mutual-aid fund and SHG savings.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::domain::money::Paise;
use crate::domain::person::{Birth, Gender};
use crate::i18n::{Localized, Message, english};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Frequency {
    Monthly,
    Weekly,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "rule")]
pub enum AmountRule {
    /// Exactly this much per period.
    Fixed { per_period: Paise },
    /// At least this much per period; more is welcome (savings).
    Minimum { per_period: Paise },
}

impl AmountRule {
    pub fn per_period(self) -> Paise {
        match self {
            AmountRule::Fixed { per_period } | AmountRule::Minimum { per_period } => per_period,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Eligibility {
    pub gender: Option<Gender>,
    pub min_age: Option<u8>,
    pub max_age: Option<u8>,
    /// Members join a named group (an SHG) rather than the scheme as a whole.
    pub needs_group: bool,
    /// At most one member of a ration-card household in any one group.
    pub one_per_household_per_group: bool,
    pub needs_aadhaar: bool,
    pub needs_ration_card: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scheme {
    pub code: String,
    pub name_hi: String,
    pub name_en: String,
    pub frequency: Frequency,
    pub amount: AmountRule,
    pub eligibility: Eligibility,
    pub nominee_required: bool,
}

pub const FUND: &str = "FUND";
pub const SHG: &str = "SHG";

/// The two schemes every kiosk starts with.
pub fn builtin_schemes() -> Vec<Scheme> {
    vec![
        Scheme {
            code: FUND.into(),
            name_hi: "सहायता कोष".into(),
            name_en: "Mutual-aid fund".into(),
            frequency: Frequency::Monthly,
            amount: AmountRule::Fixed {
                per_period: Paise::from_rupees(100),
            },
            eligibility: Eligibility {
                gender: None,
                min_age: Some(18),
                max_age: None,
                needs_group: false,
                one_per_household_per_group: false,
                needs_aadhaar: false,
                needs_ration_card: false,
            },
            nominee_required: true,
        },
        Scheme {
            code: SHG.into(),
            name_hi: "स्वयं सहायता समूह बचत".into(),
            name_en: "SHG savings".into(),
            frequency: Frequency::Weekly,
            amount: AmountRule::Minimum {
                per_period: Paise::from_rupees(20),
            },
            eligibility: Eligibility {
                gender: Some(Gender::Female),
                min_age: Some(18),
                max_age: Some(60),
                needs_group: true,
                one_per_household_per_group: true,
                needs_aadhaar: true,
                needs_ration_card: true,
            },
            nominee_required: false,
        },
    ]
}

/// What the enrolment check needs to know about the person.
pub struct Candidate<'a> {
    pub gender: Gender,
    pub birth: &'a Birth,
    pub has_aadhaar: bool,
    pub ration_card: Option<&'a str>,
}

/// Another member of the same household already in the group.
pub struct HouseholdConflict {
    pub member_id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", english(self))]
pub enum EligibilityError {
    Gender { scheme: String },
    TooYoung { scheme: String, min: u8, age: i32 },
    TooOld { scheme: String, max: u8, age: i32 },
    NeedsGroup { scheme: String },
    NoGroupHere { scheme: String },
    NeedsAadhaar { scheme: String },
    NeedsRationCard { scheme: String },
    NeedsNominee { scheme: String },
    Household { member_id: String, name: String },
}

impl Localized for EligibilityError {
    fn message(&self) -> Message {
        match self {
            EligibilityError::Gender { scheme } => {
                Message::new("elig.gender").arg("scheme", scheme)
            }
            EligibilityError::TooYoung { scheme, min, age } => Message::new("elig.young")
                .arg("scheme", scheme)
                .arg("min", min)
                .arg("age", age),
            EligibilityError::TooOld { scheme, max, age } => Message::new("elig.old")
                .arg("scheme", scheme)
                .arg("max", max)
                .arg("age", age),
            EligibilityError::NeedsGroup { scheme } => {
                Message::new("elig.group").arg("scheme", scheme)
            }
            EligibilityError::NoGroupHere { scheme } => {
                Message::new("elig.no_group").arg("scheme", scheme)
            }
            EligibilityError::NeedsAadhaar { scheme } => {
                Message::new("elig.aadhaar").arg("scheme", scheme)
            }
            EligibilityError::NeedsRationCard { scheme } => {
                Message::new("elig.ration_card").arg("scheme", scheme)
            }
            EligibilityError::NeedsNominee { scheme } => {
                Message::new("elig.nominee").arg("scheme", scheme)
            }
            EligibilityError::Household { member_id, name } => Message::new("elig.household")
                .arg("id", member_id)
                .arg("name", name),
        }
    }
}

/// Checks whether `who` may join `scheme` on `on`. Rules are checked in the
/// order a volunteer would explain them to the villager.
pub fn check_eligibility(
    scheme: &Scheme,
    who: &Candidate<'_>,
    on: Date,
    has_group: bool,
    has_nominee: bool,
    household: Option<HouseholdConflict>,
) -> Result<(), EligibilityError> {
    let e = &scheme.eligibility;
    let code = || scheme.code.clone();
    if let Some(g) = e.gender
        && g != who.gender
    {
        return Err(EligibilityError::Gender { scheme: code() });
    }
    let age = who.birth.age_on(on);
    if let Some(min) = e.min_age
        && age < i32::from(min)
    {
        return Err(EligibilityError::TooYoung {
            scheme: code(),
            min,
            age,
        });
    }
    if let Some(max) = e.max_age
        && age > i32::from(max)
    {
        return Err(EligibilityError::TooOld {
            scheme: code(),
            max,
            age,
        });
    }
    if e.needs_group && !has_group {
        return Err(EligibilityError::NeedsGroup { scheme: code() });
    }
    if !e.needs_group && has_group {
        return Err(EligibilityError::NoGroupHere { scheme: code() });
    }
    if e.needs_aadhaar && !who.has_aadhaar {
        return Err(EligibilityError::NeedsAadhaar { scheme: code() });
    }
    if e.needs_ration_card && who.ration_card.is_none() {
        return Err(EligibilityError::NeedsRationCard { scheme: code() });
    }
    if scheme.nominee_required && !has_nominee {
        return Err(EligibilityError::NeedsNominee { scheme: code() });
    }
    if e.one_per_household_per_group
        && let Some(c) = household
    {
        return Err(EligibilityError::Household {
            member_id: c.member_id,
            name: c.name,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn shg() -> Scheme {
        builtin_schemes().remove(1)
    }

    #[test]
    fn shg_takes_women_18_to_60_with_documents() {
        let birth = Birth::Approx {
            years: 30,
            as_of: date(2026, 1, 1),
        };
        let woman = Candidate {
            gender: Gender::Female,
            birth: &birth,
            has_aadhaar: true,
            ration_card: Some("RC1"),
        };
        let on = date(2026, 11, 23);
        assert_eq!(
            check_eligibility(&shg(), &woman, on, true, false, None),
            Ok(())
        );
        let man = Candidate {
            gender: Gender::Male,
            ..woman
        };
        assert!(matches!(
            check_eligibility(&shg(), &man, on, true, false, None),
            Err(EligibilityError::Gender { .. })
        ));
        let old = Birth::Approx {
            years: 61,
            as_of: on,
        };
        let elder = Candidate {
            gender: Gender::Female,
            birth: &old,
            has_aadhaar: true,
            ration_card: Some("RC1"),
        };
        assert!(matches!(
            check_eligibility(&shg(), &elder, on, true, false, None),
            Err(EligibilityError::TooOld { age: 61, .. })
        ));
        let conflict = HouseholdConflict {
            member_id: "K-00001".into(),
            name: "सीता".into(),
        };
        let woman = Candidate {
            gender: Gender::Female,
            birth: &birth,
            has_aadhaar: true,
            ration_card: Some("RC1"),
        };
        assert_eq!(
            check_eligibility(&shg(), &woman, on, true, false, Some(conflict)),
            Err(EligibilityError::Household {
                member_id: "K-00001".into(),
                name: "सीता".into()
            })
        );
    }
}
