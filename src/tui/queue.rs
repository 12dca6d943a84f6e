//! The reprint queue: receipts and slips committed but not printed (paper
//! out, printer unplugged), each with its last problem. Enter prints them
//! all; a receipt, slip or member ID typed in the field prints that one —
//! a copy of one that already printed says DUPLICATE on the paper.

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::Widget;

use crate::books::receipts::QueuedJob;
use crate::i18n::{Lang, Message, t};
use crate::tui::app::{Effect, Msg, Step};
use crate::tui::field::Field;
use crate::tui::{error_line, field_line, render_lines, scroll};

pub struct Queue {
    pub lang: Lang,
    pub jobs: Option<Vec<QueuedJob>>,
    pub reference: Field,
    pub error: Option<Message>,
    pub selected: usize,
}

impl Queue {
    pub fn update(&mut self, msg: Msg) {
        if let Msg::Queue(r) = msg {
            self.loaded(r);
        }
    }

    pub fn new(lang: Lang) -> Queue {
        Queue {
            lang,
            jobs: None,
            reference: Field::new(30),
            error: None,
            selected: 0,
        }
    }

    pub fn loaded(&mut self, r: Result<Vec<QueuedJob>, Message>) {
        match r {
            Ok(j) => self.jobs = Some(j),
            Err(e) => self.error = Some(e),
        }
    }

    pub fn key(&mut self, k: KeyEvent) -> Step {
        let len = self.jobs.as_ref().map_or(0, Vec::len);
        match k.code {
            KeyCode::Esc => Step::Home,
            c if scroll::is_nav(c) => {
                scroll::nav(&mut self.selected, len, c);
                Step::Nothing
            }
            KeyCode::Enter => {
                let r = self.reference.value().to_string();
                self.reference = Field::new(30);
                if r.is_empty() && self.jobs.as_ref().is_some_and(Vec::is_empty) {
                    return Step::Nothing;
                }
                // The queue is read again once the documents went out.
                self.jobs = None;
                Step::Do(Effect::Reprint(r))
            }
            _ => {
                self.reference.key(k);
                Step::Nothing
            }
        }
    }
}

impl Widget for &Queue {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let l = self.lang;
        let mut lines = vec![Line::from(t(l, "tui.queue.title")), Line::from("")];
        match &self.jobs {
            None => lines.push(Line::from(t(l, "tui.wait"))),
            Some(j) if j.is_empty() => lines.push(Line::from(t(l, "print.queue_empty"))),
            Some(jobs) => {
                let shown = scroll::window(
                    self.selected,
                    jobs.len(),
                    usize::from(area.height.saturating_sub(7)),
                );
                for (i, j) in jobs.iter().enumerate().take(shown.end).skip(shown.start) {
                    let line = Line::from(j.line().render(l));
                    lines.push(if i == self.selected {
                        line.style(Style::new().add_modifier(Modifier::REVERSED))
                    } else {
                        line
                    });
                }
                lines.extend(scroll::position(l, &shown, jobs.len()));
            }
        }
        lines.push(Line::from(""));
        lines.push(field_line(&t(l, "tui.queue.which"), &self.reference, true));
        if let Some(e) = &self.error {
            lines.push(error_line(e.render(l)));
        }
        render_lines(lines, area, buf);
    }
}
