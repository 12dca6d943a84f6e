//! Member card: who, enrolments with dues, history with reversals as pairs.
//! `1`–`9` (or `p` when there is one scheme) takes a contribution.

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget};

use crate::books::members::MemberView;
use crate::domain::time::display_date;
use crate::i18n::{Lang, Message, t};
use crate::print::DocKind;
use crate::tui::app::{Effect, Msg, Screen, Step};
use crate::tui::{error_line, pay, render_lines, scroll};

pub struct MemberCard {
    pub lang: Lang,
    pub member_id: String,
    pub view: Option<MemberView>,
    pub error: Option<Message>,
    /// The selected line of the history; `None` is the newest.
    pub history_row: Option<usize>,
}

impl MemberCard {
    pub fn update(&mut self, msg: Msg) {
        if let Msg::Member(r) = msg {
            self.loaded(r);
        }
    }

    pub fn new(lang: Lang, id: &str) -> MemberCard {
        MemberCard {
            lang,
            member_id: id.to_string(),
            view: None,
            error: None,
            history_row: None,
        }
    }

    pub fn loaded(&mut self, r: Result<MemberView, Message>) {
        match r {
            Ok(v) => self.view = Some(v),
            Err(e) => self.error = Some(e),
        }
    }

    pub fn key(&mut self, k: KeyEvent) -> Step {
        let n = match k.code {
            KeyCode::Esc => return Step::Back,
            KeyCode::Char('s' | 'S') if self.view.is_some() => {
                return Step::Do(Effect::Print {
                    kind: DocKind::Statement,
                    reference: self.member_id.clone(),
                });
            }
            c if scroll::is_nav(c) => {
                let len = self.view.as_ref().map_or(0, history_len);
                let mut row = self.history_row.unwrap_or(len.saturating_sub(1));
                scroll::nav(&mut row, len, c);
                self.history_row = Some(row);
                return Step::Nothing;
            }
            KeyCode::Char('p' | 'P') => 0,
            KeyCode::Char(c @ '1'..='9') => (c as usize) - ('1' as usize),
            _ => return Step::Nothing,
        };
        let Some(v) = &self.view else {
            return Step::Nothing;
        };
        if matches!(k.code, KeyCode::Char('p' | 'P')) && v.enrolments.len() != 1 {
            return Step::Nothing;
        }
        match v.enrolments.get(n) {
            // Said on the card at once, not after the form is filled in.
            Some(e) if e.died.is_some() => {
                self.error = e.died.map(|d| {
                    Message::new("member.died")
                        .arg("id", &v.member.member_id)
                        .arg("on", display_date(d))
                });
                Step::Nothing
            }
            Some(e) => Step::Go(
                Box::new(Screen::Pay(pay::Pay::new(self.lang, &v.member, e))),
                vec![],
            ),
            None => Step::Nothing,
        }
    }
}

/// Lines of the history: each contribution, and each reversal under it.
fn history_len(v: &MemberView) -> usize {
    v.contributions.len()
        + v.contributions
            .iter()
            .map(|c| {
                v.reversals
                    .iter()
                    .filter(|r| r.original == c.receipt_no)
                    .count()
            })
            .sum::<usize>()
}

impl Widget for &MemberCard {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let l = self.lang;
        let mut lines = Vec::new();
        let Some(v) = &self.view else {
            lines.push(Line::from(self.member_id.clone()));
            match &self.error {
                Some(e) => lines.push(error_line(e.render(l))),
                None => lines.push(Line::from(t(l, "tui.wait"))),
            }
            Paragraph::new(lines).render(area, buf);
            return;
        };
        let m = &v.member;
        lines.push(Line::from(format!("{}  {}", m.member_id, m.name)));
        if let Some(e) = &self.error {
            lines.push(error_line(e.render(l)));
        }
        lines.push(Line::from(format!(
            "{}: {}   {}: {}",
            t(l, "member.relative_short"),
            m.relative_name,
            t(l, "field.village"),
            m.village
        )));
        let mut ids = Vec::new();
        if let Some(rc) = &m.ration_card {
            ids.push(format!("{}: {rc}", t(l, "field.ration_card")));
        }
        if let Some(p) = &m.phone {
            ids.push(format!("{}: {p}", t(l, "field.phone")));
        }
        if let Some(a) = &m.aadhaar_last4 {
            ids.push(format!(
                "{}: {}",
                t(l, "field.aadhaar"),
                crate::domain::aadhaar::masked(a)
            ));
        }
        lines.push(Line::from(ids.join("   ")));
        lines.push(Line::from(""));
        for (i, e) in v.enrolments.iter().enumerate() {
            let name = match l {
                Lang::Hi => &e.scheme_name_hi,
                Lang::En => &e.scheme_name_en,
            };
            let dues = e.dues.message();
            let standing = e
                .standing_message()
                .map(|s| format!(" · {}", s.render(l)))
                .unwrap_or_default();
            lines.push(Line::from(format!(
                "[{}] {} ({}) {} — {}{standing}",
                i + 1,
                name,
                e.enrolment.scheme,
                display_date(e.enrolment.enrolled_on),
                dues.render(l)
            )));
        }
        if !v.claims.is_empty() {
            lines.push(Line::from(""));
            lines.push(Line::from(t(l, "member.claims")));
        }
        for c in &v.claims {
            lines.push(Line::from(format!(
                "  {}",
                crate::books::claims::claim_line(c).render(l)
            )));
            for b in &c.bars {
                lines.push(Line::from(format!(
                    "    {}",
                    crate::i18n::Localized::message(b).render(l)
                )));
            }
        }
        lines.push(Line::from(""));
        lines.push(Line::from(t(l, "member.history")));
        let mut history: Vec<(String, String)> = Vec::new();
        for c in &v.contributions {
            let mark = c
                .reversed_by
                .as_ref()
                .map(|r| Message::new("member.reversed_by").arg("slip", r).render(l))
                .unwrap_or_default();
            let when =
                c.at.parse::<jiff::Timestamp>()
                    .map(crate::domain::time::display_instant)
                    .unwrap_or_default();
            history.push((
                c.at.clone(),
                format!(
                    "{when}  {}  {}  {}  {mark}",
                    c.receipt_no, c.scheme, c.amount
                ),
            ));
            // A reversal is shown right under what it reversed, as a pair.
            for r in v.reversals.iter().filter(|r| r.original == c.receipt_no) {
                history.push((
                    c.at.clone(),
                    format!(
                        "  ↳ {}",
                        Message::new("member.reversal_line")
                            .arg("slip", &r.receipt_no)
                            .arg("original", &r.original)
                            .arg("amount", r.amount)
                            .arg("reason", &r.reason)
                            .render(l)
                    ),
                ));
            }
        }
        // Oldest at the top; the newest page shows first, and the arrows
        // and PageUp/PageDown scroll back (a line is kept for the position).
        let len = history.len();
        let room = (area.height as usize).saturating_sub(lines.len() + 1);
        let row = self.history_row.unwrap_or(len.saturating_sub(1));
        let shown = scroll::window(row, len, room);
        for (i, (_, text)) in history
            .into_iter()
            .enumerate()
            .take(shown.end)
            .skip(shown.start)
        {
            let line = Line::from(text);
            lines.push(if self.history_row == Some(i) {
                line.style(Style::new().add_modifier(Modifier::REVERSED))
            } else {
                line
            });
        }
        lines.extend(scroll::position(l, &shown, len));
        render_lines(lines, area, buf);
    }
}
