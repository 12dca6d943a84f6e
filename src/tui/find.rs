//! Find a member: results change on every keystroke, across scripts
//! ("sunita" finds सुनीता), by name, relative's name, ID, phone or ration
//! card. Each result shows who the person is — relative, village, dues — so
//! the right one is picked among namesakes.

use std::collections::HashMap;

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Paragraph, Row, Table, Widget};

use crate::domain::money::Paise;
use crate::domain::search::{Entry, Index};
use crate::i18n::{Lang, t};
use crate::tui::app::{Effect, Msg, Screen, Step};
use crate::tui::field::Field;
use crate::tui::{field_line, member, scroll};

/// Results kept for one query, scrolled through on screen; a longer list
/// is refined by typing more.
pub const SHOWN: usize = 100;

pub struct Find {
    pub lang: Lang,
    pub query: Field,
    pub results: Vec<Entry>,
    pub dues: HashMap<String, Paise>,
    pub selected: usize,
    /// The index was not built yet when the operator started typing.
    pub waiting_for_index: bool,
}

impl Find {
    pub fn update(&mut self, msg: Msg) {
        if let Msg::Dues(d) = msg {
            self.dues.extend(d);
        }
    }

    pub fn new(lang: Lang) -> Find {
        Find {
            lang,
            query: Field::new(40),
            results: Vec::new(),
            dues: HashMap::new(),
            selected: 0,
            waiting_for_index: false,
        }
    }

    /// Runs the query against the index; asks for the dues of new results.
    pub fn research(&mut self, index: Option<&Index>) -> Vec<Effect> {
        let Some(index) = index else {
            self.waiting_for_index = !self.query.value().is_empty();
            return Vec::new();
        };
        self.waiting_for_index = false;
        self.results = index
            .search(self.query.value(), SHOWN)
            .into_iter()
            .cloned()
            .collect();
        self.selected = self.selected.min(self.results.len().saturating_sub(1));
        let missing: Vec<String> = self
            .results
            .iter()
            .filter(|e| !self.dues.contains_key(&e.member_id))
            .map(|e| e.member_id.clone())
            .collect();
        if missing.is_empty() {
            Vec::new()
        } else {
            vec![Effect::LoadDues(missing)]
        }
    }

    pub fn key(&mut self, k: KeyEvent, index: Option<&Index>) -> Step {
        match k.code {
            KeyCode::Esc => Step::Home,
            c if scroll::nav(&mut self.selected, self.results.len(), c) => Step::Nothing,
            KeyCode::Enter => match self.results.get(self.selected) {
                Some(e) => {
                    let id = e.member_id.clone();
                    Step::Go(
                        Box::new(Screen::Member(member::MemberCard::new(self.lang, &id))),
                        vec![Effect::LoadMember(id)],
                    )
                }
                None => Step::Nothing,
            },
            _ => {
                if self.query.key(k) {
                    self.selected = 0;
                    let mut effects = self.research(index);
                    match effects.pop() {
                        Some(e) => Step::Do(e),
                        None => Step::Nothing,
                    }
                } else {
                    Step::Nothing
                }
            }
        }
    }
}

impl Widget for &Find {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let l = self.lang;
        let [top, body] = Layout::vertical([Constraint::Length(3), Constraint::Min(0)]).areas(area);
        let mut head = vec![
            Line::from(t(l, "tui.find.title")),
            field_line(&t(l, "tui.find.query"), &self.query, true),
        ];
        if self.waiting_for_index {
            head.push(Line::from(t(l, "tui.wait")));
        } else if !self.query.value().is_empty() && self.results.is_empty() {
            head.push(Line::from(t(l, "member.none_found")));
        }
        // The header row, the rows that fit, and a line for the position.
        let shown = scroll::window(
            self.selected,
            self.results.len(),
            usize::from(body.height).saturating_sub(2),
        );
        if let Some(p) = scroll::position(l, &shown, self.results.len()) {
            head.push(p);
        }
        Paragraph::new(head).render(top, buf);
        let rows = self
            .results
            .iter()
            .enumerate()
            .take(shown.end)
            .skip(shown.start)
            .map(|(i, e)| {
                let due = self
                    .dues
                    .get(&e.member_id)
                    .map(|d| d.to_string())
                    .unwrap_or_default();
                let style = if i == self.selected {
                    Style::new().add_modifier(Modifier::REVERSED)
                } else {
                    Style::new()
                };
                // Hindi text left-aligned with slack after it; money right-aligned
                // in its own column (terminals disagree on Devanagari widths).
                Row::new(vec![
                    Cell::from(e.member_id.clone()),
                    Cell::from(e.name.clone()),
                    Cell::from(e.relative_name.clone()),
                    Cell::from(e.village.clone()),
                    Cell::from(Line::from(due).right_aligned()),
                ])
                .style(style)
            });
        let header = Row::new(vec![
            Cell::from(t(l, "tui.col.id")),
            Cell::from(t(l, "field.name")),
            Cell::from(t(l, "member.relative_short")),
            Cell::from(t(l, "field.village")),
            Cell::from(Line::from(t(l, "tui.col.due")).right_aligned()),
        ])
        .style(Style::new().add_modifier(Modifier::BOLD));
        let widths = [
            Constraint::Length(12),
            Constraint::Fill(3),
            Constraint::Fill(3),
            Constraint::Fill(2),
            Constraint::Length(12),
        ];
        Widget::render(Table::new(rows, widths).header(header), body, buf);
    }
}
