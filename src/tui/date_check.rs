//! Date check: before any cash, a clock earlier than the last record must be
//! corrected, and a clock long after it must be confirmed by the operator
//! typing today's date from a calendar or phone.

use jiff::Timestamp;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Widget;

use crate::domain::time::{ClockVerdict, display_instant};
use crate::i18n::{Lang, Message, t};
use crate::tui::app::{Effect, Msg, Step};
use crate::tui::field::Field;
use crate::tui::{error_line, field_line, render_lines};

pub struct DateCheck {
    pub lang: Lang,
    pub verdict: ClockVerdict,
    pub now: Timestamp,
    pub date: Field,
    pub error: Option<Message>,
}

impl DateCheck {
    pub fn update(&mut self, msg: Msg) {
        if let Msg::DateConfirmed(Err(m)) = msg {
            self.error = Some(m);
        }
    }

    pub fn new(lang: Lang, verdict: ClockVerdict, now: Timestamp) -> DateCheck {
        DateCheck {
            lang,
            verdict,
            now,
            date: Field::new(10),
            error: None,
        }
    }

    pub fn key(&mut self, k: KeyEvent) -> Step {
        match (self.verdict, k.code) {
            (_, KeyCode::Esc) => Step::Quit,
            (ClockVerdict::FarAhead { .. }, KeyCode::Enter) => {
                Step::Do(Effect::ConfirmDate(self.date.value().to_string()))
            }
            // Behind: the clock must be set outside the program; the books
            // may still be looked at, but every cash action refuses.
            (ClockVerdict::Behind { .. } | ClockVerdict::Believable, KeyCode::Enter) => Step::Home,
            _ => {
                self.date.key(k);
                Step::Nothing
            }
        }
    }

    pub fn help(&self) -> &'static str {
        match self.verdict {
            ClockVerdict::FarAhead { .. } => "tui.help.date_confirm",
            _ => "tui.help.date_behind",
        }
    }
}

impl Widget for &DateCheck {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let l = self.lang;
        let now = display_instant(self.now);
        let mut lines = vec![Line::from(t(l, "tui.date.title")), Line::from("")];
        match self.verdict {
            ClockVerdict::Behind { last } => {
                lines.push(Line::from(
                    Message::new("clock.behind")
                        .arg("now", &now)
                        .arg("last", display_instant(last))
                        .render(l),
                ));
            }
            ClockVerdict::FarAhead { last } => {
                lines.push(Line::from(
                    Message::new("tui.date.far")
                        .arg("now", &now)
                        .arg("last", display_instant(last))
                        .render(l),
                ));
                lines.push(Line::from(""));
                lines.push(field_line(&t(l, "tui.date.today"), &self.date, true));
            }
            ClockVerdict::Believable => lines.push(Line::from(t(l, "status.clock_ok"))),
        }
        if let Some(e) = &self.error {
            lines.push(Line::from(""));
            lines.push(error_line(e.render(l)));
        }
        render_lines(lines, area, buf);
    }
}
