//! Day close: notes counted by denomination with a running total, what the
//! ledger expects, the variance, and a reason when it is not zero.

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Row, Table, Widget};

use crate::books::cash::DayClose;
use crate::domain::cash::NOTES;
use crate::domain::digits::parse_count;
use crate::domain::money::Paise;
use crate::domain::time::display_date;
use crate::i18n::{Lang, Message, t};
use crate::tui::app::{Effect, Msg, Step};
use crate::tui::field::{Field, move_focus};
use crate::tui::{error_line, field_line, render_lines};

/// Rows: one per note, then coins, then the reason.
const ROWS: usize = NOTES.len() + 2;

pub struct Close {
    pub lang: Lang,
    pub counts: Vec<Field>,
    pub coins: Field,
    pub reason: Field,
    pub focus: usize,
    pub expected: Option<Paise>,
    pub busy: bool,
    pub done: Option<DayClose>,
    pub error: Option<Message>,
}

impl Close {
    pub fn update(&mut self, msg: Msg) {
        match msg {
            Msg::Expected(r) => self.expected(r),
            Msg::Closed(r) => self.done(r),
            _ => {}
        }
    }

    pub fn new(lang: Lang) -> Close {
        Close {
            lang,
            counts: NOTES.iter().map(|_| Field::new(5)).collect(),
            coins: Field::new(10),
            reason: Field::new(120),
            focus: 0,
            expected: None,
            busy: false,
            done: None,
            error: None,
        }
    }

    pub fn expected(&mut self, r: Result<Paise, Message>) {
        match r {
            Ok(p) => self.expected = Some(p),
            Err(e) => self.error = Some(e),
        }
    }

    pub fn done(&mut self, r: Result<DayClose, Message>) {
        self.busy = false;
        match r {
            Ok(c) => self.done = Some(c),
            Err(e) => self.error = Some(e),
        }
    }

    /// The running total of what has been typed so far (unreadable rows
    /// count as zero until corrected; the books refuse them on commit).
    pub fn total(&self) -> Paise {
        let notes: i64 = NOTES
            .iter()
            .zip(&self.counts)
            .map(|(face, f)| {
                i64::from(*face) * i64::from(parse_count(f.value(), 10_000).unwrap_or(0)) * 100
            })
            .sum();
        let coins = Paise::parse_allow_zero(self.coins.value()).unwrap_or_default();
        Paise(notes + coins.0)
    }

    fn notes_text(&self) -> String {
        NOTES
            .iter()
            .zip(&self.counts)
            .filter(|(_, f)| !f.value().is_empty())
            .map(|(face, f)| format!("{face}={}", f.value()))
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn key(&mut self, k: KeyEvent) -> Step {
        if let Some(step) = Step::while_busy_or_done(self.busy, self.done.is_some(), k.code) {
            return step;
        }
        match k.code {
            KeyCode::Esc => Step::Home,
            _ if move_focus(&mut self.focus, ROWS, k.code) => Step::Nothing,
            KeyCode::Enter | KeyCode::F(10) => {
                self.busy = true;
                self.error = None;
                Step::Do(Effect::DayClose {
                    notes: self.notes_text(),
                    coins: self.coins.value().to_string(),
                    reason: self.reason.value().to_string(),
                })
            }
            _ => {
                let f = match self.focus {
                    i if i < NOTES.len() => &mut self.counts[i],
                    i if i == NOTES.len() => &mut self.coins,
                    _ => &mut self.reason,
                };
                f.key(k);
                Step::Nothing
            }
        }
    }
}

impl Widget for &Close {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let l = self.lang;
        let total = self.total();
        let mut rows: Vec<Row> = vec![
            Row::new(vec![Cell::from(t(l, "tui.close.title"))]),
            Row::new(vec![Cell::from("")]),
        ];
        for (i, (face, f)) in NOTES.iter().zip(&self.counts).enumerate() {
            let count = parse_count(f.value(), 10_000).unwrap_or(0);
            rows.push(Row::new(vec![
                Cell::from(field_line(&format!("₹{face} ×"), f, self.focus == i)),
                Cell::from(
                    Line::from(Paise(i64::from(*face) * i64::from(count) * 100).to_string())
                        .right_aligned(),
                ),
            ]));
        }
        let coins = Paise::parse_allow_zero(self.coins.value()).unwrap_or_default();
        rows.push(Row::new(vec![
            Cell::from(field_line(
                &t(l, "tui.close.coins"),
                &self.coins,
                self.focus == NOTES.len(),
            )),
            Cell::from(Line::from(coins.to_string()).right_aligned()),
        ]));
        rows.push(Row::new(vec![
            Cell::from(t(l, "tui.close.counted")),
            Cell::from(Line::from(total.to_string()).right_aligned()),
        ]));
        let (expected, variance) = match self.expected {
            Some(e) => (e.to_string(), Paise(total.0 - e.0).to_string()),
            None => (t(l, "tui.wait"), String::new()),
        };
        rows.push(Row::new(vec![
            Cell::from(t(l, "tui.close.expected")),
            Cell::from(Line::from(expected).right_aligned()),
        ]));
        rows.push(Row::new(vec![
            Cell::from(t(l, "tui.close.variance")),
            Cell::from(Line::from(variance).right_aligned()),
        ]));
        rows.push(Row::new(vec![Cell::from(field_line(
            &t(l, "field.reason"),
            &self.reason,
            self.focus == ROWS - 1,
        ))]));
        let mut notes: Vec<Line<'static>> = Vec::new();
        if let Some(d) = &self.done {
            notes.push(Line::from(
                Message::new("close.done")
                    .arg("date", display_date(d.date))
                    .arg("counted", d.counted)
                    .arg("expected", d.expected)
                    .arg("variance", d.variance)
                    .arg("count", d.contributions)
                    .render(l),
            ));
        }
        if self.busy {
            notes.push(Line::from(t(l, "tui.wait")));
        }
        if let Some(e) = &self.error {
            notes.push(error_line(e.render(l)));
        }
        let [table, below] =
            Layout::vertical([Constraint::Length(rows.len() as u16), Constraint::Min(0)])
                .areas(area);
        Widget::render(
            Table::new(rows, [Constraint::Fill(1), Constraint::Length(14)]),
            table,
            buf,
        );
        render_lines(notes, below, buf);
    }
}
