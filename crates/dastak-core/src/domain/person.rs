//! People: gender, age (from a date of birth or an approximate age, since
//! many villagers know only that), and Indian mobile numbers.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::domain::digits::{parse_count, to_ascii_digits};
use crate::i18n::{Localized, Message, english};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Gender {
    Female,
    Male,
    Other,
}

impl Gender {
    /// Accepts the forms found on ration-card lists and typed by operators.
    pub fn parse(s: &str) -> Option<Gender> {
        match s.trim().to_lowercase().as_str() {
            "f" | "female" | "w" | "woman" | "महिला" | "स्त्री" | "म" => {
                Some(Gender::Female)
            }
            "m" | "male" | "man" | "पुरुष" | "पु" => Some(Gender::Male),
            "o" | "other" | "t" | "transgender" | "अन्य" => Some(Gender::Other),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Gender::Female => "female",
            Gender::Male => "male",
            Gender::Other => "other",
        }
    }

    pub fn message(self) -> Message {
        Message::new(match self {
            Gender::Female => "gender.female",
            Gender::Male => "gender.male",
            Gender::Other => "gender.other",
        })
    }
}

/// What is known of a person's age.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Birth {
    /// A date of birth.
    Date { dob: Date },
    /// "About 40", said on `as_of`.
    Approx { years: u8, as_of: Date },
}

pub const MAX_AGE: u32 = 120;

impl Birth {
    /// Age in whole years on `on`. An approximate age grows by whole years
    /// since it was given.
    pub fn age_on(&self, on: Date) -> i32 {
        match *self {
            Birth::Date { dob } => {
                let mut years = i32::from(on.year()) - i32::from(dob.year());
                if (on.month(), on.day()) < (dob.month(), dob.day()) {
                    years -= 1;
                }
                years
            }
            Birth::Approx { years, as_of } => {
                let mut elapsed = i32::from(on.year()) - i32::from(as_of.year());
                if (on.month(), on.day()) < (as_of.month(), as_of.day()) {
                    elapsed -= 1;
                }
                i32::from(years) + elapsed.max(0)
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", english(self))]
pub enum PersonError {
    BadGender,
    BadAge { max: u32 },
    DobInFuture,
    DobTooOld,
    BadPhone,
    NeedBirth,
}

impl Localized for PersonError {
    fn message(&self) -> Message {
        match self {
            PersonError::BadGender => Message::new("person.gender"),
            PersonError::BadAge { max } => Message::new("person.age").arg("max", max),
            PersonError::DobInFuture => Message::new("person.dob_future"),
            PersonError::DobTooOld => Message::new("person.dob_old").arg("max", MAX_AGE),
            PersonError::BadPhone => Message::new("person.phone"),
            PersonError::NeedBirth => Message::new("person.need_birth"),
        }
    }
}

pub fn parse_gender(s: &str) -> Result<Gender, PersonError> {
    Gender::parse(s).ok_or(PersonError::BadGender)
}

/// Parses an approximate age in years (either script), 0 to 120.
pub fn parse_age(s: &str) -> Result<u8, PersonError> {
    parse_count(s, MAX_AGE)
        .and_then(|n| u8::try_from(n).ok())
        .ok_or(PersonError::BadAge { max: MAX_AGE })
}

/// Checks a date of birth against today.
pub fn check_dob(dob: Date, today: Date) -> Result<Birth, PersonError> {
    if dob > today {
        return Err(PersonError::DobInFuture);
    }
    let b = Birth::Date { dob };
    if b.age_on(today) > MAX_AGE as i32 {
        return Err(PersonError::DobTooOld);
    }
    Ok(b)
}

/// An Indian mobile number, stored as its 10 digits. Accepts `+91`, `91`
/// or `0` in front, spaces and hyphens, Devanagari digits; the first of the
/// ten digits must be 6–9.
pub fn parse_mobile(input: &str) -> Result<String, PersonError> {
    let ascii = to_ascii_digits(input.trim());
    let mut digits = String::new();
    for (i, c) in ascii.chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' => {}
            '+' if i == 0 => {}
            _ => return Err(PersonError::BadPhone),
        }
    }
    let ten = match digits.len() {
        10 => digits.as_str(),
        11 if digits.starts_with('0') => &digits[1..],
        12 if digits.starts_with("91") => &digits[2..],
        _ => return Err(PersonError::BadPhone),
    };
    if !matches!(ten.as_bytes()[0], b'6'..=b'9') {
        return Err(PersonError::BadPhone);
    }
    Ok(ten.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn mobile_numbers() {
        assert_eq!(parse_mobile("+91 98765 43210"), Ok("9876543210".into()));
        assert_eq!(parse_mobile("09876543210"), Ok("9876543210".into()));
        assert_eq!(parse_mobile("९८७६५४३२१०"), Ok("9876543210".into()));
        assert_eq!(parse_mobile("5876543210"), Err(PersonError::BadPhone));
        assert_eq!(parse_mobile("98765"), Err(PersonError::BadPhone));
        assert_eq!(parse_mobile("98765+43210"), Err(PersonError::BadPhone));
    }

    #[test]
    fn ages_from_dob_and_approximation() {
        let b = Birth::Date {
            dob: date(1990, 6, 15),
        };
        assert_eq!(b.age_on(date(2026, 6, 14)), 35);
        assert_eq!(b.age_on(date(2026, 6, 15)), 36);
        let a = Birth::Approx {
            years: 40,
            as_of: date(2024, 1, 1),
        };
        assert_eq!(a.age_on(date(2026, 11, 23)), 42);
        assert_eq!(a.age_on(date(2023, 1, 1)), 40);
        assert_eq!(parse_age("४०"), Ok(40));
        assert!(parse_age("121").is_err());
        assert!(check_dob(date(2030, 1, 1), date(2026, 1, 1)).is_err());
    }
}

/// A name as a public list shows it: the first name and the initial of the
/// next ("Sunita D.", "सुनीता दे."); a one-word name as it is. The initial
/// is a whole grapheme, so a Hindi initial keeps its vowel sign.
pub fn masked_name(name: &str) -> String {
    use unicode_segmentation::UnicodeSegmentation;
    let mut words = name.split_whitespace();
    let Some(first) = words.next() else {
        return String::new();
    };
    match words.last().and_then(|w| w.graphemes(true).next()) {
        Some(initial) => format!("{first} {initial}."),
        None => first.to_string(),
    }
}

#[cfg(test)]
mod masked_tests {
    use super::masked_name;

    #[test]
    fn a_public_list_shows_a_first_name_and_an_initial() {
        assert_eq!(masked_name("Sunita Kumari Devi"), "Sunita D.");
        assert_eq!(masked_name("सुनीता देवी"), "सुनीता दे.");
        assert_eq!(masked_name("  Kamla "), "Kamla");
        assert_eq!(masked_name(""), "");
    }
}
