//! Reverse a receipt: the receipt number, a supervisor's code and PIN (not
//! the operator who took the cash), and a reason.

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Widget;

use crate::books::cash::Reversal;
use crate::i18n::{Lang, Message, t};
use crate::tui::app::{Effect, Msg, Step};
use crate::tui::field::{Field, move_focus};
use crate::tui::{error_line, field_line, render_lines};

pub struct Reverse {
    pub lang: Lang,
    pub fields: [Field; 4],
    pub focus: usize,
    pub busy: bool,
    pub done: Option<Reversal>,
    pub error: Option<Message>,
}

const LABELS: [&str; 4] = [
    "field.receipt",
    "tui.reverse.supervisor",
    "tui.login.pin",
    "field.reason",
];

impl Reverse {
    pub fn update(&mut self, msg: Msg) {
        if let Msg::Reversed(r) = msg {
            self.done(r);
        }
    }

    pub fn new(lang: Lang) -> Reverse {
        Reverse {
            lang,
            fields: [
                Field::new(30),
                Field::new(24),
                Field::secret(12),
                Field::new(120),
            ],
            focus: 0,
            busy: false,
            done: None,
            error: None,
        }
    }

    pub fn done(&mut self, r: Result<Reversal, Message>) {
        self.busy = false;
        match r {
            Ok(r) => self.done = Some(r),
            Err(e) => {
                self.error = Some(e);
                self.fields[2] = Field::secret(12);
            }
        }
    }

    pub fn key(&mut self, k: KeyEvent) -> Step {
        if let Some(step) = Step::while_busy_or_done(self.busy, self.done.is_some(), k.code) {
            return step;
        }
        match k.code {
            KeyCode::Esc => Step::Home,
            _ if move_focus(&mut self.focus, 4, k.code) => Step::Nothing,
            KeyCode::Enter => {
                self.busy = true;
                self.error = None;
                let v = |i: usize| self.fields[i].value().to_string();
                Step::Do(Effect::Reverse {
                    receipt: v(0),
                    supervisor: v(1),
                    pin: v(2),
                    reason: v(3),
                })
            }
            _ => {
                self.fields[self.focus].key(k);
                Step::Nothing
            }
        }
    }
}

impl Widget for &Reverse {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let l = self.lang;
        let mut lines = vec![Line::from(t(l, "tui.reverse.title")), Line::from("")];
        for (i, f) in self.fields.iter().enumerate() {
            lines.push(field_line(&t(l, LABELS[i]), f, self.focus == i));
        }
        lines.push(Line::from(""));
        if self.busy {
            lines.push(Line::from(t(l, "tui.wait")));
        }
        if let Some(r) = &self.done {
            lines.push(Line::from(
                Message::new("reverse.done")
                    .arg("slip", &r.receipt)
                    .arg("original", &r.original)
                    .arg("amount", r.amount)
                    .render(l),
            ));
        }
        if let Some(e) = &self.error {
            lines.push(error_line(e.render(l)));
        }
        render_lines(lines, area, buf);
    }
}
