//! Settings: the language of the console for this session (an operator's
//! own default is set when the operator is added), and the printer and
//! paper width once printing is set up.

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Widget;

use crate::i18n::{Lang, t};
use crate::tui::app::Step;
use crate::tui::render_lines;

pub struct Settings {
    pub lang: Lang,
}

impl Settings {
    pub fn new(lang: Lang) -> Settings {
        Settings { lang }
    }

    pub fn key(&mut self, k: KeyEvent) -> Step {
        match k.code {
            KeyCode::Esc | KeyCode::Enter => Step::Home,
            KeyCode::Char('h' | 'H') => Step::Language(Lang::Hi),
            KeyCode::Char('e' | 'E') => Step::Language(Lang::En),
            _ => Step::Nothing,
        }
    }

    pub fn help(&self) -> &'static str {
        "tui.help.settings"
    }
}

impl Widget for &Settings {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let l = self.lang;
        let lines = vec![
            Line::from(t(l, "tui.settings.title")),
            Line::from(""),
            Line::from(t(l, "tui.settings.language")),
            Line::from(t(l, "tui.settings.printer")),
        ];
        render_lines(lines, area, buf);
    }
}
