//! A one-line text field: what the operator has typed and where the cursor
//! is. Kept in the model, so a resize or a redraw never loses a keystroke.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Field {
    pub text: String,
    /// Cursor position in characters.
    pub cursor: usize,
    /// Shown as dots (PINs).
    pub secret: bool,
    /// At most this many characters; typing beyond is ignored.
    pub max: usize,
}

impl Field {
    pub fn new(max: usize) -> Field {
        Field {
            max,
            ..Field::default()
        }
    }

    pub fn secret(max: usize) -> Field {
        Field {
            secret: true,
            max,
            ..Field::default()
        }
    }

    pub fn with_text(mut self, s: &str) -> Field {
        self.text = s.chars().take(self.max).collect();
        self.cursor = self.text.chars().count();
        self
    }

    /// Applies an editing key; returns true if the key was used.
    pub fn key(&mut self, k: KeyEvent) -> bool {
        let len = self.text.chars().count();
        match k.code {
            KeyCode::Char(c)
                if !k
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                if c.is_control() || len >= self.max {
                    return true;
                }
                let at = self.byte_at(self.cursor);
                self.text.insert(at, c);
                self.cursor += 1;
            }
            KeyCode::Backspace if self.cursor > 0 => {
                let at = self.byte_at(self.cursor - 1);
                self.text.remove(at);
                self.cursor -= 1;
            }
            KeyCode::Delete if self.cursor < len => {
                let at = self.byte_at(self.cursor);
                self.text.remove(at);
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(len),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = len,
            KeyCode::Backspace | KeyCode::Delete => {}
            _ => return false,
        }
        true
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map(|(i, _)| i)
            .unwrap_or(self.text.len())
    }

    /// What is shown: the text, or a dot per character for a secret.
    pub fn shown(&self) -> String {
        if self.secret {
            "•".repeat(self.text.chars().count())
        } else {
            self.text.clone()
        }
    }

    pub fn value(&self) -> &str {
        self.text.trim()
    }
}

/// Moves the focus of a form of `len` fields: Tab or ↓ to the next field,
/// Shift-Tab or ↑ to the previous one (both wrap), Enter to the next unless
/// on the last field (where Enter submits). True if the key moved it.
pub fn move_focus(focus: &mut usize, len: usize, code: KeyCode) -> bool {
    let len = len.max(1);
    match code {
        KeyCode::Tab | KeyCode::Down => *focus = (*focus + 1) % len,
        KeyCode::Up | KeyCode::BackTab => *focus = (*focus + len - 1) % len,
        KeyCode::Enter if *focus + 1 < len => *focus += 1,
        _ => return false,
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEvent;

    fn k(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn editing_keeps_devanagari_intact() {
        let mut f = Field::new(10);
        for c in "सुनीता".chars() {
            f.key(k(KeyCode::Char(c)));
        }
        f.key(k(KeyCode::Backspace));
        f.key(k(KeyCode::Home));
        f.key(k(KeyCode::Delete));
        assert_eq!(f.text, "ुनीत");
        for _ in 0..20 {
            f.key(k(KeyCode::Char('x')));
        }
        assert_eq!(f.text.chars().count(), 10);
    }
}
