//! Sync: what has not yet reached the district lab. Until batches and
//! uploads exist (the sync issue), this shows the events waiting to leave.

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Widget;

use crate::books::status::Status;
use crate::domain::money::group_indian;
use crate::i18n::{Lang, Message, t};
use crate::tui::app::Step;
use crate::tui::render_lines;

pub struct Sync {
    pub lang: Lang,
    pub status: Option<Status>,
}

impl Sync {
    pub fn new(lang: Lang, status: Option<Status>) -> Sync {
        Sync { lang, status }
    }

    pub fn key(&mut self, k: KeyEvent) -> Step {
        match k.code {
            KeyCode::Esc | KeyCode::Enter => Step::Home,
            _ => Step::Nothing,
        }
    }

    pub fn help(&self) -> &'static str {
        "tui.help.back"
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
                        .arg("events", group_indian(s.events))
                        .render(l),
                ));
                lines.push(Line::from(t(l, "tui.sync.never")));
            }
            None => lines.push(Line::from(t(l, "tui.wait"))),
        }
        lines.push(Line::from(""));
        lines.push(Line::from(t(l, "tui.sync.not_set_up")));
        render_lines(lines, area, buf);
    }
}
