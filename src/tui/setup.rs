//! First-run setup: on an empty data directory the console asks for the
//! kiosk code, panchayat, block, district, and the first admin's code, name
//! and PIN (twice), then creates the books and goes to login.

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Widget;

use crate::books::setup::InitForm;
use crate::i18n::{Lang, Message, t};
use crate::tui::app::{Effect, Msg, Step};
use crate::tui::field::{Field, move_focus};
use crate::tui::{error_line, field_line, render_lines};

const LABELS: [&str; 9] = [
    "field.kiosk",
    "field.panchayat",
    "field.block",
    "field.district",
    "field.language",
    "tui.setup.admin_code",
    "tui.setup.admin_name",
    "tui.login.pin",
    "tui.setup.pin_again",
];

pub struct Setup {
    pub lang: Lang,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub busy: bool,
    pub error: Option<Message>,
}

impl Setup {
    pub fn update(&mut self, msg: Msg) {
        if let Msg::Initialised(Err(m)) = msg {
            self.failed(m);
        }
    }

    pub fn new(lang: Lang) -> Setup {
        let mut fields: Vec<Field> = LABELS.iter().map(|_| Field::new(60)).collect();
        fields[4] = Field::new(2).with_text(lang.code());
        fields[7] = Field::secret(12);
        fields[8] = Field::secret(12);
        Setup {
            lang,
            fields,
            focus: 0,
            busy: false,
            error: None,
        }
    }

    pub fn failed(&mut self, m: Message) {
        self.busy = false;
        self.error = Some(m);
    }

    /// The form as typed. The district's secret is not typed: the
    /// runtime adds it from the environment.
    fn form(&self) -> InitForm {
        let v = |i: usize| self.fields[i].value().to_string();
        InitForm {
            kiosk: v(0),
            panchayat: v(1),
            block: v(2),
            district: v(3),
            language: v(4),
            admin_code: v(5),
            admin_name: v(6),
            admin_pin: v(7),
            district_secret: None,
        }
    }

    pub fn key(&mut self, k: KeyEvent) -> Step {
        if self.busy {
            return Step::Nothing;
        }
        match k.code {
            KeyCode::Esc => Step::Quit,
            _ if move_focus(&mut self.focus, LABELS.len(), k.code) => Step::Nothing,
            KeyCode::Enter => {
                if self.fields[7].value() != self.fields[8].value() {
                    self.error = Some(Message::new("tui.setup.pins_differ"));
                    self.fields[8] = Field::secret(12);
                    return Step::Nothing;
                }
                self.busy = true;
                self.error = None;
                Step::Do(Effect::Init(Box::new(self.form())))
            }
            _ => {
                self.fields[self.focus].key(k);
                // The chosen language applies to the setup screen at once.
                if self.focus == 4
                    && let Some(l) = Lang::parse(self.fields[4].value())
                {
                    self.lang = l;
                }
                Step::Nothing
            }
        }
    }
}

impl Widget for &Setup {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let l = self.lang;
        let mut lines = vec![
            Line::from(t(l, "tui.setup.title")),
            Line::from(t(l, "tui.setup.intro")),
            Line::from(""),
        ];
        for (i, f) in self.fields.iter().enumerate() {
            lines.push(field_line(&t(l, LABELS[i]), f, self.focus == i));
        }
        lines.push(Line::from(""));
        if self.busy {
            lines.push(Line::from(t(l, "tui.wait")));
        }
        if let Some(e) = &self.error {
            lines.push(error_line(e.render(l)));
        }
        render_lines(lines, area, buf);
    }
}
