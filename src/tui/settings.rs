//! Settings: the console's language for this session (an operator's own
//! default is set when the operator is added), the printer and the paper
//! width. The printer settings are saved in `dastak.toml` and used from
//! the next receipt on.

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Widget;

use crate::i18n::{Lang, Message, t};
use crate::tui::app::{Effect, Msg, Step};
use crate::tui::field::{Field, move_focus};
use crate::tui::{error_line, field_line, render_lines};

pub struct Settings {
    pub lang: Lang,
    /// 0: language keys, 1: printer URL, 2: paper width.
    pub focus: usize,
    pub url: Field,
    pub paper: u32,
    pub loaded: bool,
    pub saved: bool,
    pub error: Option<Message>,
}

impl Settings {
    pub fn update(&mut self, msg: Msg) {
        match msg {
            Msg::SettingsLoaded(r) => self.loaded(r),
            Msg::SettingsSaved(r) => self.saved(r),
            _ => {}
        }
    }

    pub fn new(lang: Lang) -> Settings {
        Settings {
            lang,
            focus: 0,
            url: Field::new(120),
            paper: 58,
            loaded: false,
            saved: false,
            error: None,
        }
    }

    pub fn loaded(&mut self, r: Result<(String, u32), Message>) {
        match r {
            Ok((url, paper)) => {
                self.url = Field::new(120).with_text(&url);
                self.paper = paper;
                self.loaded = true;
            }
            Err(e) => self.error = Some(e),
        }
    }

    pub fn saved(&mut self, r: Result<(), Message>) {
        match r {
            Ok(()) => {
                self.saved = true;
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }

    pub fn key(&mut self, k: KeyEvent) -> Step {
        match (self.focus, k.code) {
            (_, KeyCode::Esc) => Step::Home,
            (_, KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down) => {
                move_focus(&mut self.focus, 3, k.code);
                Step::Nothing
            }
            (0, KeyCode::Enter) => Step::Home,
            (0, KeyCode::Char('h' | 'H')) => Step::Language(Lang::Hi),
            (0, KeyCode::Char('e' | 'E')) => Step::Language(Lang::En),
            (1 | 2, KeyCode::Enter) => {
                self.saved = false;
                Step::Do(Effect::SaveSettings {
                    url: self.url.value().to_string(),
                    paper: self.paper,
                })
            }
            (2, KeyCode::Left | KeyCode::Right | KeyCode::Char(' ' | '5' | '8')) => {
                self.paper = if self.paper == 58 { 80 } else { 58 };
                Step::Nothing
            }
            (1, _) => {
                self.url.key(k);
                Step::Nothing
            }
            _ => Step::Nothing,
        }
    }

    pub fn help(&self) -> &'static str {
        if self.focus == 0 {
            "tui.help.settings"
        } else {
            "tui.help.settings_printer"
        }
    }
}

impl Widget for &Settings {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let l = self.lang;
        let mark = |i: usize| if self.focus == i { "> " } else { "  " };
        let mut lines = vec![
            Line::from(t(l, "tui.settings.title")),
            Line::from(""),
            Line::from(format!("{}{}", mark(0), t(l, "tui.settings.language"))),
            Line::from(""),
            field_line(
                &format!("{}{}", mark(1), t(l, "tui.settings.printer_url")),
                &self.url,
                self.focus == 1,
            ),
            Line::from(format!(
                "{}{}",
                mark(2),
                Message::new("tui.settings.paper")
                    .arg("mm", self.paper)
                    .render(l)
            )),
            Line::from(""),
            Line::from(t(l, "tui.settings.printer_help")),
        ];
        if self.saved {
            lines.push(Line::from(t(l, "tui.settings.saved")));
        }
        if let Some(e) = &self.error {
            lines.push(error_line(e.render(l)));
        }
        render_lines(lines, area, buf);
    }
}
