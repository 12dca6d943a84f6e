//! Take a contribution: amount (defaults to what is due; Devanagari digits
//! accepted) and periods → a confirmation in large type → commit → the
//! receipt number.

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::Widget;

use crate::books::MemberRow;
use crate::books::cash::Payment;
use crate::books::members::EnrolmentView;
use crate::domain::money::Paise;
use crate::domain::time::display_date;
use crate::domain::words::amount_in_words;
use crate::i18n::{Lang, Localized, Message, t};
use crate::tui::app::{Effect, Msg, Screen, Step};
use crate::tui::field::{Field, move_focus};
use crate::tui::{big_text, error_line, field_line, find, member, render_lines};

pub enum Stage {
    Entry,
    Confirm(Paise),
    Busy,
    Done(Payment),
}

pub struct Pay {
    pub lang: Lang,
    pub member_id: String,
    pub member_name: String,
    pub scheme: String,
    pub scheme_name: String,
    pub due: Paise,
    pub amount: Field,
    pub periods: Field,
    /// 0: amount, 1: periods.
    pub focus: usize,
    pub stage: Stage,
    pub error: Option<Message>,
}

impl Pay {
    pub fn update(&mut self, msg: Msg) {
        match msg {
            Msg::PayChecked(r) => self.checked(r),
            Msg::Paid(r) => self.done(r),
            _ => {}
        }
    }

    pub fn new(lang: Lang, m: &MemberRow, e: &EnrolmentView) -> Pay {
        let due = e.dues.amount_due;
        // What is due, or one period ahead when nothing is (as `dastak pay`).
        let default = if due > Paise::ZERO {
            due.grouped()
        } else {
            e.per_period.grouped()
        };
        Pay {
            lang,
            member_id: m.member_id.clone(),
            member_name: m.name.clone(),
            scheme: e.enrolment.scheme.clone(),
            scheme_name: match lang {
                Lang::Hi => e.scheme_name_hi.clone(),
                Lang::En => e.scheme_name_en.clone(),
            },
            due,
            amount: Field::new(14).with_text(&default.replace(".00", "")),
            periods: Field::new(3),
            focus: 0,
            stage: Stage::Entry,
            error: None,
        }
    }

    /// The books' answer to the amount typed: confirm it, or say why not.
    pub fn checked(&mut self, r: Result<Paise, Message>) {
        if !matches!(self.stage, Stage::Busy) {
            return;
        }
        match r {
            Ok(a) => self.stage = Stage::Confirm(a),
            Err(e) => {
                self.error = Some(e);
                self.stage = Stage::Entry;
            }
        }
    }

    pub fn done(&mut self, r: Result<Payment, Message>) {
        match r {
            Ok(p) => self.stage = Stage::Done(p),
            Err(e) => {
                self.error = Some(e);
                self.stage = Stage::Entry;
            }
        }
    }

    pub fn key(&mut self, k: KeyEvent) -> Step {
        match (&self.stage, k.code) {
            (Stage::Busy, _) => Step::Nothing,
            // The next villager is the usual next step.
            (Stage::Done(_), KeyCode::Enter) => {
                Step::Go(Box::new(Screen::Find(find::Find::new(self.lang))), vec![])
            }
            // Back to the member's card, read again: it shows the dues
            // after this payment, not the ones before it.
            (Stage::Done(_), KeyCode::Esc) | (Stage::Entry, KeyCode::Esc) => Step::Go(
                Box::new(Screen::Member(member::MemberCard::new(
                    self.lang,
                    &self.member_id,
                ))),
                vec![Effect::LoadMember(self.member_id.clone())],
            ),
            (Stage::Done(_), _) => Step::Nothing,
            (Stage::Confirm(_), KeyCode::Enter | KeyCode::Char('y' | 'Y' | 'ह')) => {
                self.stage = Stage::Busy;
                Step::Do(Effect::Pay {
                    member: self.member_id.clone(),
                    scheme: self.scheme.clone(),
                    amount: self.amount.value().to_string(),
                    periods: self.periods.value().to_string(),
                })
            }
            (Stage::Confirm(_), KeyCode::Esc | KeyCode::Char('n' | 'N')) => {
                self.stage = Stage::Entry;
                Step::Nothing
            }
            (Stage::Confirm(_), _) => Step::Nothing,
            (Stage::Entry, KeyCode::Tab | KeyCode::Down | KeyCode::Up | KeyCode::BackTab) => {
                move_focus(&mut self.focus, 2, k.code);
                Step::Nothing
            }
            (Stage::Entry, KeyCode::Enter) => {
                // Check the amount here so a typo is explained at once; the
                // books check everything again when committing.
                // Then the books check it by the scheme's rules (a fixed
                // amount, the periods it buys) before the villager is shown
                // the confirmation.
                match Paise::parse(self.amount.value()) {
                    Ok(_) => {
                        self.error = None;
                        self.stage = Stage::Busy;
                        Step::Do(Effect::CheckPay {
                            member: self.member_id.clone(),
                            scheme: self.scheme.clone(),
                            amount: self.amount.value().to_string(),
                            periods: self.periods.value().to_string(),
                        })
                    }
                    Err(e) => {
                        self.error = Some(e.message());
                        Step::Nothing
                    }
                }
            }
            (Stage::Entry, _) => {
                let f = if self.focus == 0 {
                    &mut self.amount
                } else {
                    &mut self.periods
                };
                f.key(k);
                Step::Nothing
            }
        }
    }

    pub fn help(&self) -> &'static str {
        match self.stage {
            Stage::Entry => "tui.help.pay",
            Stage::Confirm(_) => "tui.help.confirm",
            Stage::Busy => "tui.help.wait",
            Stage::Done(_) => "tui.help.done",
        }
    }
}

impl Widget for &Pay {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let l = self.lang;
        let mut lines = vec![
            Line::from(
                Message::new("tui.pay.title")
                    .arg("scheme", &self.scheme_name)
                    .render(l),
            ),
            Line::from(format!("{}  {}", self.member_id, self.member_name)),
            Line::from(
                Message::new("tui.pay.due")
                    .arg("amount", self.due)
                    .render(l),
            ),
            Line::from(""),
        ];
        match &self.stage {
            Stage::Entry => {
                lines.push(field_line(
                    &t(l, "field.amount"),
                    &self.amount,
                    self.focus == 0,
                ));
                lines.push(field_line(
                    &t(l, "field.periods"),
                    &self.periods,
                    self.focus == 1,
                ));
            }
            Stage::Confirm(_) | Stage::Busy => {
                let amount = match &self.stage {
                    Stage::Confirm(a) => *a,
                    _ => Paise::parse(self.amount.value()).unwrap_or_default(),
                };
                lines.push(
                    Line::from(t(l, "tui.pay.confirm"))
                        .style(Style::new().add_modifier(Modifier::BOLD)),
                );
                lines.extend(big_text(&amount.grouped()));
                lines.push(
                    Line::from(amount_in_words(amount, l))
                        .style(Style::new().add_modifier(Modifier::BOLD)),
                );
                lines.push(
                    Line::from(self.member_name.clone())
                        .style(Style::new().add_modifier(Modifier::BOLD)),
                );
                if matches!(self.stage, Stage::Busy) {
                    lines.push(Line::from(t(l, "tui.wait")));
                }
            }
            Stage::Done(p) => {
                lines.push(
                    Line::from(
                        Message::new("pay.receipt")
                            .arg("receipt", &p.receipt)
                            .render(l),
                    )
                    .style(Style::new().add_modifier(Modifier::BOLD)),
                );
                lines.push(Line::from(format!(
                    "{} ({})",
                    p.amount,
                    amount_in_words(p.amount, l)
                )));
                lines.push(Line::from(
                    Message::new("tui.pay.covers")
                        .arg("periods", p.periods)
                        .arg("from", display_date(p.covers_from))
                        .arg("to", display_date(p.covers_to))
                        .render(l),
                ));
                lines.push(Line::from(t(l, "tui.pay.printing")));
            }
        }
        if let Some(e) = &self.error {
            lines.push(Line::from(""));
            lines.push(error_line(e.render(l)));
        }
        render_lines(lines, area, buf);
    }
}
