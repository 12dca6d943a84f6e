//! Operators of the kiosk: roles and PIN rules, and the escalating delay
//! after wrong PINs.
//!
//! A wrong PIN slows the next attempt down instead of locking the kiosk: a
//! lock-out would let a prankster keep the e-volunteer out all day.

use serde::{Deserialize, Serialize};

use crate::domain::digits::to_ascii_digits;
use crate::i18n::{Localized, Message, english};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Supervisor,
    Volunteer,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_lowercase().as_str() {
            "admin" => Some(Role::Admin),
            "supervisor" => Some(Role::Supervisor),
            "volunteer" => Some(Role::Volunteer),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::Volunteer => "volunteer",
        }
    }

    /// The role's name in the person's language.
    pub fn message(self) -> crate::i18n::Message {
        crate::i18n::Message::new(match self {
            Role::Admin => "role.admin",
            Role::Supervisor => "role.supervisor",
            Role::Volunteer => "role.volunteer",
        })
    }

    /// Supervisors and admins may reverse receipts and manage groups.
    pub fn can_supervise(self) -> bool {
        matches!(self, Role::Admin | Role::Supervisor)
    }
}

pub const MIN_PIN_DIGITS: usize = 4;
pub const MAX_PIN_DIGITS: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", english(self))]
pub enum PinError {
    TooShort,
    NotDigits,
}

impl Localized for PinError {
    fn message(&self) -> Message {
        match self {
            PinError::TooShort => Message::new("pin.short")
                .arg("min", MIN_PIN_DIGITS)
                .arg("max", MAX_PIN_DIGITS),
            PinError::NotDigits => Message::new("pin.digits"),
        }
    }
}

/// A new PIN: 4 to 12 digits, Latin or Devanagari (stored as Latin, so the
/// same PIN works whichever keyboard layout is active).
pub fn check_new_pin(pin: &str) -> Result<String, PinError> {
    let ascii = to_ascii_digits(pin.trim());
    if !ascii.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PinError::NotDigits);
    }
    if !(MIN_PIN_DIGITS..=MAX_PIN_DIGITS).contains(&ascii.len()) {
        return Err(PinError::TooShort);
    }
    Ok(ascii)
}

/// Normalises a PIN typed at login the same way as a new one.
pub fn normalise_pin(pin: &str) -> String {
    to_ascii_digits(pin.trim())
}

/// Seconds to wait before the next attempt after `failures` wrong PINs in a
/// row: none for the first two slips, then 5 s doubling up to a minute.
pub fn pin_delay_seconds(failures: u32) -> i64 {
    if failures < 3 {
        0
    } else {
        let doublings = (failures - 3).min(4);
        (5i64 << doublings).min(60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_escalates_and_is_capped() {
        let seq: Vec<i64> = (0..10).map(pin_delay_seconds).collect();
        assert_eq!(seq, vec![0, 0, 0, 5, 10, 20, 40, 60, 60, 60]);
    }

    #[test]
    fn pins() {
        assert_eq!(check_new_pin("१२३४"), Ok("1234".into()));
        assert_eq!(check_new_pin("123"), Err(PinError::TooShort));
        assert_eq!(check_new_pin("12a4"), Err(PinError::NotDigits));
    }
}
