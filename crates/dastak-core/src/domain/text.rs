//! Names, places, codes and free text typed at the kiosk.
//!
//! Villagers' names are written in Devanagari or Latin letters; anything
//! else (digits in a name, other scripts, control characters, bidi overrides
//! that would make a printed receipt read differently from what is stored,
//! SQL punctuation) is refused with a reason. Accepted text is normalised:
//! trimmed, inner blanks collapsed, Unicode NFC is not needed because the
//! keyboard layouts in use produce composed Devanagari.

use crate::domain::digits::is_forbidden_control;
use crate::i18n::{Localized, Message, english};

pub const MAX_NAME_CHARS: usize = 60;
pub const MAX_TEXT_CHARS: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", english(self))]
pub enum TextError {
    Empty,
    TooLong { max: usize },
    ControlChar,
    WrongScript,
    BadCode,
    TooShort { min: usize },
}

impl Localized for TextError {
    fn message(&self) -> Message {
        match self {
            TextError::Empty => Message::new("text.empty"),
            TextError::TooLong { max } => Message::new("text.too_long").arg("max", max),
            TextError::ControlChar => Message::new("text.control"),
            TextError::WrongScript => Message::new("text.script"),
            TextError::BadCode => Message::new("text.code"),
            TextError::TooShort { min } => Message::new("text.too_short").arg("min", min),
        }
    }
}

/// True for characters of the Devanagari block that can appear inside a
/// name: letters, vowel signs, virama, nukta, candrabindu, anusvara, visarga.
/// Digits and the danda are not name characters.
fn is_devanagari_letter(c: char) -> bool {
    matches!(c, '\u{0900}'..='\u{097F}') && !matches!(c, '\u{0964}'..='\u{096F}')
}

fn collapse(input: &str) -> String {
    input.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn check_common(input: &str, max: usize) -> Result<String, TextError> {
    if input.chars().any(is_forbidden_control) {
        return Err(TextError::ControlChar);
    }
    let s = collapse(input);
    if s.is_empty() {
        return Err(TextError::Empty);
    }
    if s.chars().count() > max {
        return Err(TextError::TooLong { max });
    }
    Ok(s)
}

/// A person's name (or a relation word like "पत्नी"/"wife"): letters of
/// Devanagari or Latin, spaces, `.`, `-`, `'`, and the zero-width joiners
/// Devanagari typing uses.
pub fn person_name(input: &str) -> Result<String, TextError> {
    let s = check_common(input, MAX_NAME_CHARS)?;
    let ok = s.chars().all(|c| {
        c.is_ascii_alphabetic()
            || is_devanagari_letter(c)
            || matches!(c, ' ' | '.' | '-' | '\'' | '\u{200C}' | '\u{200D}')
    });
    if !ok {
        return Err(TextError::WrongScript);
    }
    if !s
        .chars()
        .any(|c| c.is_ascii_alphabetic() || is_devanagari_letter(c))
    {
        return Err(TextError::WrongScript);
    }
    Ok(s)
}

/// A place (village, panchayat, block, district) or group name: as a
/// person's name, plus digits (ward numbers) and `()`, `/`.
pub fn place_name(input: &str) -> Result<String, TextError> {
    let s = check_common(input, MAX_NAME_CHARS)?;
    let ok = s.chars().all(|c| {
        c.is_ascii_alphanumeric()
            || is_devanagari_letter(c)
            || matches!(c, '\u{0966}'..='\u{096F}')
            || matches!(
                c,
                ' ' | '.' | '-' | '\'' | '(' | ')' | '/' | '\u{200C}' | '\u{200D}'
            )
    });
    if !ok || !s.chars().any(|c| c.is_alphabetic()) {
        return Err(TextError::WrongScript);
    }
    Ok(s)
}

/// A reason or note: text in Devanagari or Latin letters, digits and
/// ordinary punctuation, at least `min` characters. Other scripts are
/// refused because the receipt printer's font and the lab's reports carry
/// only these two.
pub fn free_text(input: &str, min: usize) -> Result<String, TextError> {
    let s = check_common(input, MAX_TEXT_CHARS)?;
    let ok = s.chars().all(|c| {
        c == ' '
            || c.is_ascii_graphic()
            || matches!(
                c,
                '\u{0900}'
                    ..='\u{097F}'
                        | '₹'
                        | '\u{200C}'
                        | '\u{200D}'
                        | '–'
                        | '—'
                        | '‘'
                        | '’'
                        | '“'
                        | '”'
            )
    });
    if !ok {
        return Err(TextError::WrongScript);
    }
    if s.chars().count() < min {
        return Err(TextError::TooShort { min });
    }
    Ok(s)
}

/// ASCII letters and digits plus `extra` punctuation, starting with a
/// letter or digit, `min` to 24 characters, upper-cased.
fn code_like(input: &str, min: usize, extra: &[char]) -> Result<String, TextError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(TextError::Empty);
    }
    if s.chars().any(is_forbidden_control) {
        return Err(TextError::ControlChar);
    }
    let len = s.chars().count();
    let well_formed = (min..=24).contains(&len)
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || extra.contains(&c));
    if !well_formed {
        return Err(TextError::BadCode);
    }
    Ok(s.to_ascii_uppercase())
}

/// A code (kiosk, operator, scheme, group): ASCII letters, digits and
/// `-`/`_`, 2 to 24 characters, kept upper-case so that `rmp01` and `RMP01`
/// are the same code.
pub fn code(input: &str) -> Result<String, TextError> {
    code_like(input, 2, &['-', '_'])
}

/// A ration-card number as PDS lists print them: ASCII letters, digits and
/// `-`/`/`, 4 to 24 characters, upper-cased.
pub fn ration_card(input: &str) -> Result<String, TextError> {
    code_like(input, 4, &['-', '/'])
}

/// A lower-case, script-preserving form used for searching.
pub fn fold(s: &str) -> String {
    collapse(s).to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_both_scripts_are_accepted_and_tidied() {
        assert_eq!(person_name("  सुनीता   देवी "), Ok("सुनीता देवी".to_string()));
        assert_eq!(
            person_name("Sunita O'Neil-Devi"),
            Ok("Sunita O'Neil-Devi".to_string())
        );
        assert_eq!(person_name("श्री क्षत्रिय"), Ok("श्री क्षत्रिय".to_string()));
    }

    #[test]
    fn bad_names_are_refused() {
        assert_eq!(person_name(""), Err(TextError::Empty));
        assert_eq!(person_name("   "), Err(TextError::Empty));
        assert_eq!(person_name("Ram\u{0007}"), Err(TextError::ControlChar));
        assert_eq!(person_name("Ram\u{202E}"), Err(TextError::ControlChar));
        assert_eq!(person_name("王小明"), Err(TextError::WrongScript));
        assert_eq!(person_name("Ram1"), Err(TextError::WrongScript));
        assert_eq!(
            person_name("'; DROP TABLE members;--"),
            Err(TextError::WrongScript)
        );
        assert_eq!(
            person_name(&"a".repeat(61)),
            Err(TextError::TooLong { max: 60 })
        );
        assert_eq!(person_name("..."), Err(TextError::WrongScript));
    }

    #[test]
    fn codes_are_upper_cased_and_strict() {
        assert_eq!(code("rmp01"), Ok("RMP01".to_string()));
        assert_eq!(code("R"), Err(TextError::BadCode));
        assert_eq!(code("RM P"), Err(TextError::BadCode));
        assert_eq!(code("रम"), Err(TextError::BadCode));
        assert_eq!(code("-1"), Err(TextError::BadCode));
        assert_eq!(ration_card("RJ-12/34"), Ok("RJ-12/34".to_string()));
        assert_eq!(ration_card("/RJ1"), Err(TextError::BadCode));
    }
}
