//! Login: operator code and PIN. Wrong PINs are throttled by the books; the
//! operator's language applies as soon as they are in.

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Widget;

use crate::i18n::{Lang, Message, t};
use crate::tui::app::{Effect, Msg, Step};
use crate::tui::field::{Field, move_focus};
use crate::tui::{error_line, field_line, render_lines};

pub struct Login {
    pub lang: Lang,
    pub code: Field,
    pub pin: Field,
    /// 0: code, 1: PIN.
    pub focus: usize,
    pub busy: bool,
    pub error: Option<Message>,
}

impl Login {
    pub fn update(&mut self, msg: Msg) {
        if let Msg::LoggedIn(Err(m)) = msg {
            self.failed(m);
        }
    }

    pub fn new(lang: Lang) -> Login {
        Login {
            lang,
            code: Field::new(24),
            pin: Field::secret(12),
            focus: 0,
            busy: false,
            error: None,
        }
    }

    pub fn failed(&mut self, m: Message) {
        self.busy = false;
        self.error = Some(m);
        self.pin = Field::secret(12);
        self.focus = 1;
    }

    pub fn key(&mut self, k: KeyEvent) -> Step {
        if self.busy {
            return Step::Nothing;
        }
        match k.code {
            KeyCode::Esc => Step::Quit,
            _ if move_focus(&mut self.focus, 2, k.code) => Step::Nothing,
            KeyCode::Enter => {
                if self.code.value().is_empty() || self.pin.value().is_empty() {
                    self.error = Some(Message::new("tui.login.fill"));
                    return Step::Nothing;
                }
                self.busy = true;
                self.error = None;
                Step::Do(Effect::Authenticate {
                    code: self.code.value().to_string(),
                    pin: self.pin.value().to_string(),
                })
            }
            _ => {
                let f = if self.focus == 0 {
                    &mut self.code
                } else {
                    &mut self.pin
                };
                f.key(k);
                Step::Nothing
            }
        }
    }
}

impl Widget for &Login {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let l = self.lang;
        let mut lines = vec![
            Line::from(t(l, "tui.login.title")),
            Line::from(""),
            field_line(&t(l, "field.operator_code"), &self.code, self.focus == 0),
            field_line(&t(l, "tui.login.pin"), &self.pin, self.focus == 1),
            Line::from(""),
        ];
        if self.busy {
            lines.push(Line::from(t(l, "tui.wait")));
        }
        if let Some(e) = &self.error {
            lines.push(error_line(e.render(l)));
        }
        render_lines(lines, area, buf);
    }
}
