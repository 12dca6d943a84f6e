//! SHG meeting: pick a group; its members in a table; savings typed row by
//! row (each defaults to what the member owes); one confirmation commits the
//! whole meeting in one transaction; the receipt numbers follow.

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Row, Table, Widget};

use crate::books::GroupRow;
use crate::books::cash::{Payment, RollRow};
use crate::domain::money::Paise;
use crate::i18n::{Lang, Message, t};
use crate::tui::app::{Effect, Msg, Step};
use crate::tui::field::Field;
use crate::tui::{big_text, error_line, render_lines, scroll};

pub enum Stage {
    PickGroup,
    Entry,
    Confirm,
    Busy,
    Done(Vec<Payment>),
}

pub struct Meeting {
    pub lang: Lang,
    pub stage: Stage,
    pub groups: Vec<GroupRow>,
    pub group: Option<GroupRow>,
    pub roll: Vec<RollRow>,
    pub amounts: Vec<Field>,
    pub selected: usize,
    pub error: Option<Message>,
}

impl Meeting {
    pub fn update(&mut self, msg: Msg) {
        match msg {
            Msg::Groups(g) => self.groups(g),
            Msg::Roll(r) => self.roll(r),
            Msg::Met(r) => self.done(r),
            _ => {}
        }
    }

    pub fn new(lang: Lang) -> Meeting {
        Meeting {
            lang,
            stage: Stage::PickGroup,
            groups: Vec::new(),
            group: None,
            roll: Vec::new(),
            amounts: Vec::new(),
            selected: 0,
            error: None,
        }
    }

    pub fn groups(&mut self, g: Vec<GroupRow>) {
        self.groups = g;
    }

    pub fn roll(&mut self, r: Result<Vec<RollRow>, Message>) {
        match r {
            Ok(roll) => {
                self.amounts = roll
                    .iter()
                    .map(|m| {
                        let owed = if m.dues.amount_due > Paise::ZERO {
                            m.dues.amount_due
                        } else {
                            m.per_period
                        };
                        Field::new(10).with_text(&owed.grouped().replace(".00", ""))
                    })
                    .collect();
                self.roll = roll;
                self.selected = 0;
                self.stage = Stage::Entry;
            }
            Err(e) => self.error = Some(e),
        }
    }

    pub fn done(&mut self, r: Result<Vec<Payment>, Message>) {
        match r {
            Ok(p) => self.stage = Stage::Done(p),
            Err(e) => {
                self.error = Some(e);
                self.stage = Stage::Entry;
            }
        }
    }

    /// The sum of the amounts typed (unreadable rows count as zero here;
    /// the books refuse them on commit, naming the member).
    pub fn total(&self) -> (Paise, usize) {
        let mut sum = 0;
        let mut count = 0;
        for f in &self.amounts {
            if let Ok(p) = Paise::parse(f.value()) {
                sum += p.0;
                count += 1;
            }
        }
        (Paise(sum), count)
    }

    pub fn key(&mut self, k: KeyEvent) -> Step {
        match self.stage {
            Stage::Busy => Step::Nothing,
            Stage::Done(_) => match k.code {
                KeyCode::Enter | KeyCode::Esc => Step::Home,
                _ => Step::Nothing,
            },
            Stage::PickGroup => match k.code {
                KeyCode::Esc => Step::Home,
                c if scroll::nav(&mut self.selected, self.groups.len(), c) => Step::Nothing,
                KeyCode::Enter => match self.groups.get(self.selected) {
                    Some(g) => {
                        self.group = Some(g.clone());
                        Step::Do(Effect::LoadRoll(g.code.clone()))
                    }
                    None => Step::Nothing,
                },
                _ => Step::Nothing,
            },
            Stage::Entry => match k.code {
                KeyCode::Esc => {
                    self.stage = Stage::PickGroup;
                    Step::Nothing
                }
                KeyCode::Tab => {
                    scroll::nav(&mut self.selected, self.roll.len(), KeyCode::Down);
                    Step::Nothing
                }
                KeyCode::BackTab => {
                    scroll::nav(&mut self.selected, self.roll.len(), KeyCode::Up);
                    Step::Nothing
                }
                c if scroll::nav(&mut self.selected, self.roll.len(), c) => Step::Nothing,
                KeyCode::Enter | KeyCode::F(10) => {
                    if self.total().1 > 0 {
                        self.error = None;
                        self.stage = Stage::Confirm;
                    } else {
                        self.error = Some(Message::new("tui.shg.nothing"));
                    }
                    Step::Nothing
                }
                _ => {
                    if let Some(f) = self.amounts.get_mut(self.selected) {
                        f.key(k);
                    }
                    Step::Nothing
                }
            },
            Stage::Confirm => match k.code {
                KeyCode::Enter | KeyCode::Char('y' | 'Y') => {
                    self.stage = Stage::Busy;
                    let savings = self
                        .roll
                        .iter()
                        .zip(&self.amounts)
                        .map(|(m, f)| (m.member_id.clone(), f.value().to_string()))
                        .collect();
                    let group = self
                        .group
                        .as_ref()
                        .map(|g| g.code.clone())
                        .unwrap_or_default();
                    Step::Do(Effect::Meeting { group, savings })
                }
                KeyCode::Esc | KeyCode::Char('n' | 'N') => {
                    self.stage = Stage::Entry;
                    Step::Nothing
                }
                _ => Step::Nothing,
            },
        }
    }

    pub fn help(&self) -> &'static str {
        match self.stage {
            Stage::PickGroup => "tui.help.shg_pick",
            Stage::Entry => "tui.help.shg_entry",
            Stage::Confirm => "tui.help.confirm",
            Stage::Busy => "tui.help.wait",
            Stage::Done(_) => "tui.help.back",
        }
    }
}

impl Widget for &Meeting {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let l = self.lang;
        let title = match &self.group {
            Some(g) => Message::new("tui.shg.title_group")
                .arg("group", &g.name)
                .arg("village", &g.village)
                .render(l),
            None => t(l, "tui.shg.title"),
        };
        let mut lines = vec![Line::from(title)];
        match &self.stage {
            Stage::PickGroup => {
                if self.groups.is_empty() {
                    lines.push(Line::from(t(l, "tui.shg.no_groups")));
                }
                // Title, and a line for the position and one for an error.
                let shown = scroll::window(
                    self.selected,
                    self.groups.len(),
                    usize::from(area.height).saturating_sub(3),
                );
                for (i, g) in self
                    .groups
                    .iter()
                    .enumerate()
                    .take(shown.end)
                    .skip(shown.start)
                {
                    let line = Line::from(format!("{}  {}  {}", g.code, g.name, g.village));
                    lines.push(if i == self.selected {
                        line.style(Style::new().add_modifier(Modifier::REVERSED))
                    } else {
                        line
                    });
                }
                lines.extend(scroll::position(l, &shown, self.groups.len()));
            }
            Stage::Entry | Stage::Busy => {
                let (total, count) = self.total();
                let [table, below] =
                    Layout::vertical([Constraint::Min(3), Constraint::Length(3)]).areas(area);
                let header = Row::new(vec![
                    Cell::from(t(l, "field.name")),
                    Cell::from(Line::from(t(l, "tui.col.due")).right_aligned()),
                    Cell::from(Line::from(t(l, "tui.shg.saving")).right_aligned()),
                ])
                .style(Style::new().add_modifier(Modifier::BOLD));
                // Below the title: the header row, then as many members as
                // fit; the position goes in the notes under the table.
                let shown = scroll::window(
                    self.selected,
                    self.roll.len(),
                    usize::from(table.height).saturating_sub(2),
                );
                let rows = self
                    .roll
                    .iter()
                    .zip(&self.amounts)
                    .enumerate()
                    .take(shown.end)
                    .skip(shown.start)
                    .map(|(i, (m, f))| {
                        let style = if i == self.selected {
                            Style::new().add_modifier(Modifier::REVERSED)
                        } else {
                            Style::new()
                        };
                        let cursor = if i == self.selected { "▏" } else { "" };
                        Row::new(vec![
                            Cell::from(format!("{}  {}", m.name, m.relative_name)),
                            Cell::from(Line::from(m.dues.amount_due.to_string()).right_aligned()),
                            Cell::from(
                                Line::from(format!("{}{cursor}", f.value())).right_aligned(),
                            ),
                        ])
                        .style(style)
                    });
                let title_area = Rect { height: 1, ..table };
                render_lines(lines, title_area, buf);
                let body = Rect {
                    y: table.y + 1,
                    height: table.height.saturating_sub(1),
                    ..table
                };
                Widget::render(
                    Table::new(
                        rows,
                        [
                            Constraint::Fill(1),
                            Constraint::Length(12),
                            Constraint::Length(12),
                        ],
                    )
                    .header(header),
                    body,
                    buf,
                );
                let mut notes = vec![Line::from(
                    Message::new("tui.shg.total")
                        .arg("count", count)
                        .arg("total", total)
                        .render(l),
                )];
                notes.extend(scroll::position(l, &shown, self.roll.len()));
                if matches!(self.stage, Stage::Busy) {
                    notes.push(Line::from(t(l, "tui.wait")));
                }
                if let Some(e) = &self.error {
                    notes.push(error_line(e.render(l)));
                }
                render_lines(notes, below, buf);
                return;
            }
            Stage::Confirm => {
                let (total, count) = self.total();
                lines.push(Line::from(
                    Message::new("tui.shg.confirm")
                        .arg("count", count)
                        .render(l),
                ));
                lines.extend(big_text(&total.grouped()));
            }
            Stage::Done(payments) => {
                for p in payments {
                    lines.push(Line::from(format!(
                        "{}  {}  {}",
                        p.receipt, p.member_name, p.amount
                    )));
                }
            }
        }
        if let Some(e) = &self.error {
            lines.push(error_line(e.render(l)));
        }
        render_lines(lines, area, buf);
    }
}
