//! Sync: what has not yet reached the district lab, when the lab last
//! acknowledged, and the two ways out: F5 uploads now (when the kiosk has
//! the lab's address; the console also uploads by itself every ten
//! minutes), Enter writes the pending batches to the USB stick whose folder
//! is typed in the field, and says when the stick can be removed. F6 links
//! a new kiosk to its lab from the signed link file the district brings on
//! a stick (admins only).

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Widget;

use crate::books::status::Status;
use crate::domain::money::group_indian;
use crate::i18n::{Lang, Message, t};
use crate::tui::app::{Effect, Msg, Step};
use crate::tui::field::Field;
use crate::tui::{error_line, field_line, render_lines};

/// Where a USB stick is mounted on the kiosk image.
pub const DEFAULT_STICK: &str = "/media/usb";

pub struct Sync {
    pub lang: Lang,
    pub status: Option<Status>,
    pub stick: Field,
    pub busy: bool,
    /// The last outcome: (message, is it a problem).
    pub outcome: Option<(Message, bool)>,
}

impl Sync {
    pub fn update(&mut self, msg: Msg) {
        if let Msg::Synced(r) = msg {
            self.done(r);
        }
    }

    pub fn new(lang: Lang, status: Option<Status>) -> Sync {
        Sync {
            lang,
            status,
            stick: Field::new(200).with_text(DEFAULT_STICK),
            busy: false,
            outcome: None,
        }
    }

    pub fn done(&mut self, r: Result<Message, Message>) {
        self.busy = false;
        self.outcome = Some(match r {
            Ok(m) => (m, false),
            Err(m) => (m, true),
        });
    }

    pub fn key(&mut self, k: KeyEvent) -> Step {
        if self.busy {
            return match k.code {
                KeyCode::Esc => Step::Home,
                _ => Step::Nothing,
            };
        }
        match k.code {
            KeyCode::Esc => Step::Home,
            // A function key, not a letter: letters type the stick's
            // folder (`/media/USB` must not start an upload half-way).
            KeyCode::F(5) => {
                self.busy = true;
                Step::Do(Effect::Upload { background: false })
            }
            KeyCode::Enter => {
                self.busy = true;
                Step::Do(Effect::Export(self.stick.value().to_string()))
            }
            KeyCode::F(6) => {
                self.busy = true;
                Step::Do(Effect::LinkFromStick(self.stick.value().to_string()))
            }
            _ => {
                self.stick.key(k);
                Step::Nothing
            }
        }
    }
}

impl Widget for &Sync {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let l = self.lang;
        let mut lines = vec![Line::from(t(l, "tui.sync.title")), Line::from("")];
        match &self.status {
            Some(s) => {
                lines.push(Line::from(
                    Message::new("tui.sync.pending")
                        .arg("events", group_indian(s.pending_to_lab))
                        .render(l),
                ));
                lines.push(Line::from(match &s.lab_acked_at {
                    Some(at) => Message::new("tui.sync.acked_at").arg("at", at).render(l),
                    None => t(l, "tui.sync.never"),
                }));
                if let Some(at) = &s.lab_sent_at {
                    lines.push(Line::from(
                        Message::new("tui.sync.sent_at").arg("at", at).render(l),
                    ));
                }
                if !s.lab_linked {
                    lines.push(error_line(t(l, "sync.not_linked")));
                } else if let Some(u) = &s.lab_url {
                    lines.push(Line::from(
                        Message::new("tui.sync.url").arg("url", u).render(l),
                    ));
                }
            }
            None => lines.push(Line::from(t(l, "tui.wait"))),
        }
        lines.push(Line::from(""));
        lines.push(field_line(&t(l, "tui.sync.stick"), &self.stick, !self.busy));
        if self.busy {
            lines.push(Line::from(t(l, "tui.sync.working")));
        }
        match &self.outcome {
            Some((m, true)) => lines.push(error_line(m.render(l))),
            Some((m, false)) => lines.push(Line::from(m.render(l))),
            None => {}
        }
        render_lines(lines, area, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyModifiers;

    /// Regression: a capital U started an upload, so a stick folder such as
    /// `/media/USB` could not be typed (and the export went elsewhere).
    #[test]
    fn a_folder_with_a_capital_u_is_typed_not_uploaded() {
        let mut s = Sync::new(Lang::En, None);
        for _ in 0..DEFAULT_STICK.len() {
            s.key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
        }
        for c in "/media/USB".chars() {
            let step = s.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::SHIFT));
            assert!(matches!(step, Step::Nothing), "{c} did something");
        }
        assert_eq!(s.stick.value(), "/media/USB");
        assert!(!s.busy);
        assert!(matches!(
            s.key(KeyEvent::new(KeyCode::F(5), KeyModifiers::NONE)),
            Step::Do(Effect::Upload { background: false })
        ));
    }
}
