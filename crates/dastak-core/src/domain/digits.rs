//! Digits as villagers type them: Latin `0-9` or Devanagari `०-९`.
//!
//! Every numeric field goes through [`to_ascii_digits`] first, so `१००` and
//! `100` mean the same thing everywhere.

/// Replaces Devanagari digits by ASCII digits; everything else is kept.
pub fn to_ascii_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{0966}'..='\u{096F}' => char::from(b'0' + (c as u32 - 0x0966) as u8),
            _ => c,
        })
        .collect()
}

/// Writes ASCII digits as Devanagari digits (for Hindi screens and receipts
/// that choose them).
pub fn to_devanagari_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(0x0966 + (c as u32 - '0' as u32)).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// True for a control character, including the C1 range and the bidi
/// overrides that can make a printed name read differently from what is
/// stored.
pub fn is_forbidden_control(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Parses a small whole number typed in either script (ages, counts,
/// periods). Leading/trailing blanks are ignored; nothing else is.
pub fn parse_count(s: &str, max: u32) -> Option<u32> {
    let ascii = to_ascii_digits(s.trim());
    if ascii.is_empty() || ascii.len() > 9 || !ascii.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    ascii.parse::<u32>().ok().filter(|n| *n <= max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devanagari_digits_become_ascii_and_back() {
        assert_eq!(to_ascii_digits("१००.५०"), "100.50");
        assert_eq!(to_devanagari_digits("2026"), "२०२६");
        assert_eq!(to_ascii_digits("abc"), "abc");
    }

    #[test]
    fn counts_refuse_signs_blanks_and_overflow() {
        assert_eq!(parse_count(" ३ ", 10), Some(3));
        assert_eq!(parse_count("-3", 10), None);
        assert_eq!(parse_count("", 10), None);
        assert_eq!(parse_count("11", 10), None);
        assert_eq!(parse_count("99999999999999", u32::MAX), None);
    }
}
