//! Home: today's receipts and total, the books, the clock; every action one
//! key away.

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Widget;

use crate::books::status::{ClockState, Status};
use crate::domain::money::group_indian;
use crate::i18n::{Lang, Localized, Message, t};
use crate::print::escpos::PrinterState;
use crate::print::transport::PrintError;
use crate::tui::app::{Effect, Screen, Step};
use crate::tui::{close, enrol, error_line, find, queue, render_lines, reverse, settings, shg};

pub struct Home {
    pub lang: Lang,
    pub status: Option<Status>,
    pub error: Option<Message>,
    /// What the printer last said about itself.
    pub printer: Option<Result<Option<PrinterState>, PrintError>>,
}

impl Home {
    pub fn new(lang: Lang) -> Home {
        Home {
            lang,
            status: None,
            error: None,
            printer: None,
        }
    }

    pub fn loaded(&mut self, r: Result<Status, Message>) {
        match r {
            Ok(s) => self.status = Some(s),
            Err(e) => self.error = Some(e),
        }
    }

    pub fn key(&mut self, k: KeyEvent) -> Step {
        let l = self.lang;
        match k.code {
            KeyCode::Char('f' | 'F' | '/') => {
                Step::Go(Box::new(Screen::Find(find::Find::new(l))), vec![])
            }
            KeyCode::Char('p' | 'P') => {
                Step::Go(Box::new(Screen::Find(find::Find::new(l))), vec![])
            }
            KeyCode::Char('s' | 'S') => Step::Sync,
            KeyCode::Char('m' | 'M') => Step::Go(
                Box::new(Screen::Meeting(shg::Meeting::new(l))),
                vec![Effect::LoadGroups],
            ),
            KeyCode::Char('t' | 'T') => Step::Go(
                Box::new(Screen::Settings(settings::Settings::new(l))),
                vec![Effect::LoadSettings],
            ),
            KeyCode::Char('w' | 'W') => Step::Go(
                Box::new(Screen::Queue(queue::Queue::new(l))),
                vec![Effect::LoadQueue],
            ),
            KeyCode::Char('n' | 'N') => {
                Step::Go(Box::new(Screen::Enrol(enrol::Enrol::new(l))), vec![])
            }
            KeyCode::Char('r' | 'R') => {
                Step::Go(Box::new(Screen::Reverse(reverse::Reverse::new(l))), vec![])
            }
            KeyCode::Char('c' | 'C') => Step::Go(
                Box::new(Screen::Close(close::Close::new(l))),
                vec![Effect::LoadExpected],
            ),
            // Esc does not quit from home: it is pressed often, and a
            // closed console in a queue of villagers is a bad surprise.
            KeyCode::Char('q' | 'Q') => Step::Quit,
            _ => Step::Nothing,
        }
    }
}

impl Widget for &Home {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let l = self.lang;
        let mut lines = vec![Line::from(t(l, "tui.home.title")), Line::from("")];
        match &self.status {
            None => lines.push(Line::from(t(l, "tui.wait"))),
            Some(s) => {
                lines.push(Line::from(
                    Message::new("status.today")
                        .arg("count", s.today_receipts)
                        .arg("total", s.today_total)
                        .render(l),
                ));
                lines.push(Line::from(
                    Message::new("status.books")
                        .arg("members", group_indian(s.members))
                        .arg("events", group_indian(s.events))
                        .arg("last", s.last_event_at.as_deref().unwrap_or("-"))
                        .render(l),
                ));
                let waiting = Message::new("tui.home.waiting").arg("count", s.print_waiting);
                lines.push(if s.print_waiting > 0 {
                    error_line(waiting.render(l))
                } else {
                    Line::from(waiting.render(l))
                });
                lines.push(match &self.printer {
                    None => Line::from(t(l, "tui.home.printer_unknown")),
                    Some(Ok(Some(p))) if p.paper_low => Line::from(t(l, "tui.home.printer_low")),
                    Some(Ok(_)) => Line::from(t(l, "tui.home.printer_ready")),
                    Some(Err(e)) => error_line(
                        Message::new("tui.home.printer_problem")
                            .arg_msg("reason", e.message())
                            .render(l),
                    ),
                });
                let pending = Message::new("tui.sync.pending")
                    .arg("events", group_indian(s.pending_to_lab))
                    .render(l);
                let left = match &s.lab_sent_at {
                    Some(at) => Message::new("tui.home.last_batch").arg("at", at).render(l),
                    None => t(l, "tui.home.no_batch"),
                };
                lines.push(Line::from(format!("{pending}; {left}")));
                let clock = t(l, s.clock.message_key());
                lines.push(if s.clock == ClockState::Ok {
                    Line::from(clock)
                } else {
                    error_line(clock)
                });
            }
        }
        if let Some(e) = &self.error {
            lines.push(error_line(e.render(l)));
        }
        lines.push(Line::from(""));
        for key in [
            "tui.home.action_find",
            "tui.home.action_enrol",
            "tui.home.action_pay",
            "tui.home.action_meeting",
            "tui.home.action_reverse",
            "tui.home.action_close",
            "tui.home.action_sync",
            "tui.home.action_queue",
            "tui.home.action_settings",
            "tui.home.action_quit",
        ] {
            lines.push(Line::from(format!("  {}", t(l, key))));
        }
        render_lines(lines, area, buf);
    }
}
