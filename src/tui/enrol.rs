//! Enrol: pick the household from the ration-card list (its members shown),
//! pick the person or start blank, then the form — every field checked as
//! it is typed, with the reason in the operator's language; a possible
//! duplicate (who, where) is shown before saving; the nominee for the fund.

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::Widget;

use crate::books::MemberRow;
use crate::books::members::MemberForm;
use crate::books::members::{Household, Registered};
use crate::domain::aadhaar::Aadhaar;
use crate::domain::person::{parse_age, parse_gender, parse_mobile};
use crate::domain::text;
use crate::domain::time::parse_date;
use crate::i18n::{Lang, Localized, Message, t};
use crate::tui::app::{Effect, Msg, Screen, Step};
use crate::tui::field::{Field, move_focus};
use crate::tui::{error_line, field_line, member, render_lines, rows_of, scroll};

const NAME: usize = 0;
const RELATIVE: usize = 1;
const GENDER: usize = 2;
const AGE: usize = 3;
const DOB: usize = 4;
const VILLAGE: usize = 5;
const RATION_CARD: usize = 6;
const PHONE: usize = 7;
const AADHAAR: usize = 8;
const SCHEME: usize = 9;
const GROUP: usize = 10;
const NOMINEE: usize = 11;
const NOMINEE_RELATION: usize = 12;
/// Shown only when the person looks like an existing member: a supervisor
/// may let a namesake through, with a reason (an event of its own).
const SUPERVISOR: usize = 13;
const SUPERVISOR_PIN: usize = 14;
const OVERRIDE_REASON: usize = 15;
/// Fields of the form proper, before the supervisor's three.
const FORM_FIELDS: usize = 13;

const LABELS: [&str; 16] = [
    "field.name",
    "field.relative_name",
    "field.gender",
    "field.age",
    "field.dob",
    "field.village",
    "field.ration_card",
    "field.phone",
    "field.aadhaar",
    "field.scheme",
    "field.group",
    "field.nominee_name",
    "field.nominee_relation",
    "field.supervisor",
    "field.supervisor_pin",
    "field.reason",
];

/// What the enrol screen asks the books for: the person, the one scheme
/// she joins, and a supervisor's acceptance when a resemblance to an
/// existing member was on screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnrolRequest {
    pub member: MemberForm,
    pub scheme: String,
    pub group: Option<String>,
    pub nominee_name: Option<String>,
    pub nominee_relation: Option<String>,
    pub accept: Option<Acceptance>,
}

/// A supervisor letting a namesake through, with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acceptance {
    pub supervisor: String,
    pub pin: String,
    pub reason: String,
}

pub enum Stage {
    /// Searching the ration-card list.
    Household,
    /// Choosing the person in the picked household (last row: someone new).
    Person(usize),
    Form,
    Busy,
    Done(Registered),
}

pub struct Enrol {
    pub lang: Lang,
    pub stage: Stage,
    pub query: Field,
    pub households: Vec<Household>,
    pub selected: usize,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub duplicate: Option<MemberRow>,
    pub error: Option<Message>,
}

/// Why a field's current text is not acceptable, if it is not.
pub fn check(i: usize, v: &str, all: &[Field]) -> Option<Message> {
    let v = v.trim();
    let optional_empty = v.is_empty()
        && matches!(
            i,
            DOB | VILLAGE
                | RATION_CARD
                | PHONE
                | AADHAAR
                | GROUP
                | NOMINEE
                | NOMINEE_RELATION
                | AGE
        );
    if optional_empty {
        return if i == AGE && all[DOB].value().is_empty() {
            Some(Message::new("person.need_birth"))
        } else {
            None
        };
    }
    match i {
        NAME | RELATIVE | NOMINEE | NOMINEE_RELATION => {
            text::person_name(v).err().map(|e| e.message())
        }
        GENDER => parse_gender(v).err().map(|e| e.message()),
        AGE => parse_age(v).err().map(|e| e.message()),
        DOB => parse_date(v).is_none().then(|| Message::new("date.bad")),
        VILLAGE => text::place_name(v).err().map(|e| e.message()),
        RATION_CARD => text::ration_card(v).err().map(|e| e.message()),
        PHONE => parse_mobile(v).err().map(|e| e.message()),
        AADHAAR => Aadhaar::parse(v).err().map(|e| e.message()),
        SCHEME | GROUP | SUPERVISOR => text::code(v).err().map(|e| e.message()),
        OVERRIDE_REASON => text::free_text(v, 5).err().map(|e| e.message()),
        _ => None,
    }
}

impl Enrol {
    pub fn update(&mut self, msg: Msg) {
        match msg {
            Msg::Households(h) => self.households(h),
            Msg::Duplicate(d) => self.duplicate(d),
            Msg::Enrolled(r, _) => self.registered(r),
            _ => {}
        }
    }

    /// The form as typed, for the books.
    fn request(&self) -> EnrolRequest {
        let get = |i: usize| self.fields[i].value().to_string();
        let some = |i: usize| Some(get(i)).filter(|s| !s.trim().is_empty());
        // The supervisor's fields go only with a resemblance on screen:
        // otherwise the books see no acceptance at all.
        let accept = (self.shown_fields() > SUPERVISOR)
            .then(|| some(SUPERVISOR))
            .flatten()
            .map(|supervisor| Acceptance {
                supervisor,
                pin: get(SUPERVISOR_PIN),
                reason: get(OVERRIDE_REASON),
            });
        EnrolRequest {
            member: MemberForm {
                name: get(NAME),
                relative_name: get(RELATIVE),
                gender: get(GENDER),
                dob: some(DOB),
                age: some(AGE),
                village: get(VILLAGE),
                ration_card: some(RATION_CARD),
                phone: some(PHONE),
                aadhaar: some(AADHAAR),
            },
            scheme: get(SCHEME),
            group: some(GROUP),
            nominee_name: some(NOMINEE),
            nominee_relation: some(NOMINEE_RELATION),
            accept,
        }
    }

    pub fn new(lang: Lang) -> Enrol {
        let mut fields: Vec<Field> = LABELS.iter().map(|_| Field::new(60)).collect();
        fields[AADHAAR] = Field::new(14);
        fields[SCHEME] = Field::new(24).with_text("FUND");
        fields[SUPERVISOR] = Field::new(12);
        fields[SUPERVISOR_PIN] = Field::secret(12);
        fields[OVERRIDE_REASON] = Field::new(80);
        Enrol {
            lang,
            stage: Stage::Household,
            query: Field::new(40),
            households: Vec::new(),
            selected: 0,
            fields,
            focus: 0,
            duplicate: None,
            error: None,
        }
    }

    pub fn households(&mut self, h: Vec<Household>) {
        self.households = h;
        self.selected = self.selected.min(self.households.len().saturating_sub(1));
    }

    pub fn registered(&mut self, r: Result<Registered, Message>) {
        match r {
            Ok(reg) => self.stage = Stage::Done(reg),
            Err(e) => {
                self.error = Some(e);
                self.stage = Stage::Form;
            }
        }
    }

    fn fill_from(&mut self, hh: &Household, person: Option<usize>) {
        self.fields[RATION_CARD] = Field::new(60).with_text(&hh.ration_card);
        self.fields[VILLAGE] = Field::new(60).with_text(&hh.village);
        if let Some(p) = person.and_then(|i| hh.people.get(i)) {
            self.fields[NAME] = Field::new(60).with_text(&p.name);
            self.fields[GENDER] = Field::new(60).with_text(&p.gender.message().render(self.lang));
            self.fields[AGE] = Field::new(60).with_text(&p.age.to_string());
            // The household head is usually the father or husband.
            if let Some(head) = hh.people.iter().find(|q| q.name != p.name) {
                self.fields[RELATIVE] = Field::new(60).with_text(&head.name);
            }
        }
        self.stage = Stage::Form;
        self.focus = if person.is_some() { RELATIVE } else { NAME };
    }

    fn duplicate_check(&self) -> Effect {
        Effect::CheckDuplicate {
            name: self.fields[NAME].value().to_string(),
            relative_name: self.fields[RELATIVE].value().to_string(),
            ration_card: self.fields[RATION_CARD].value().to_string(),
            aadhaar: self.fields[AADHAAR].value().to_string(),
        }
    }

    pub fn key(&mut self, k: KeyEvent) -> Step {
        match &self.stage {
            Stage::Busy => Step::Nothing,
            Stage::Done(r) => match k.code {
                KeyCode::Enter => {
                    let id = r.member_id.clone();
                    Step::Go(
                        Box::new(Screen::Member(member::MemberCard::new(self.lang, &id))),
                        vec![Effect::LoadMember(id)],
                    )
                }
                KeyCode::Esc => Step::Home,
                _ => Step::Nothing,
            },
            Stage::Household => match k.code {
                KeyCode::Esc => Step::Home,
                c if scroll::nav(&mut self.selected, self.households.len(), c) => Step::Nothing,
                // F2: someone not on the ration-card list.
                KeyCode::F(2) => {
                    self.stage = Stage::Form;
                    Step::Nothing
                }
                KeyCode::Enter if !self.households.is_empty() => {
                    self.stage = Stage::Person(0);
                    Step::Nothing
                }
                _ => {
                    if self.query.key(k) {
                        self.selected = 0;
                        Step::Do(Effect::FindHouseholds(self.query.value().to_string()))
                    } else {
                        Step::Nothing
                    }
                }
            },
            Stage::Person(i) => {
                let i = *i;
                let Some(hh) = self.households.get(self.selected).cloned() else {
                    self.stage = Stage::Household;
                    return Step::Nothing;
                };
                let rows = hh.people.len() + 1;
                let mut sel = i;
                match k.code {
                    KeyCode::Esc => self.stage = Stage::Household,
                    c if scroll::nav(&mut sel, rows, c) => self.stage = Stage::Person(sel),
                    KeyCode::Enter => {
                        self.fill_from(&hh, (i < hh.people.len()).then_some(i));
                        return Step::Do(self.duplicate_check());
                    }
                    _ => {}
                }
                Step::Nothing
            }
            Stage::Form => match k.code {
                KeyCode::Esc => Step::Home,
                _ if {
                    let shown = self.shown_fields();
                    move_focus(&mut self.focus, shown, k.code)
                } =>
                {
                    Step::Nothing
                }
                KeyCode::Enter | KeyCode::F(10) => {
                    if self.duplicate.is_some()
                        && let Some(i) = (SUPERVISOR..=OVERRIDE_REASON)
                            .find(|&i| self.fields[i].value().trim().is_empty())
                    {
                        self.focus = i;
                        self.error = Some(Message::new("tui.enrol.need_supervisor"));
                        return Step::Nothing;
                    }
                    if let Some((i, m)) = (0..self.shown_fields()).find_map(|i| {
                        check(i, self.fields[i].value(), &self.fields).map(|m| (i, m))
                    }) {
                        self.focus = i;
                        self.error = Some(
                            Message::new("error.field")
                                .arg_msg("field", Message::new(LABELS[i]))
                                .arg_msg("reason", m),
                        );
                        return Step::Nothing;
                    }
                    self.error = None;
                    self.stage = Stage::Busy;
                    // The supervisor's fields go only with a resemblance on
                    // screen: otherwise the books see no acceptance at all.
                    Step::Do(Effect::Enrol(Box::new(self.request())))
                }
                _ => {
                    if self.fields[self.focus].key(k)
                        && matches!(self.focus, NAME | RELATIVE | RATION_CARD | AADHAAR)
                    {
                        Step::Do(self.duplicate_check())
                    } else {
                        Step::Nothing
                    }
                }
            },
        }
    }

    /// How many fields the form shows: the supervisor's three only while
    /// the person looks like an existing member.
    fn shown_fields(&self) -> usize {
        if self.duplicate.is_some() {
            LABELS.len()
        } else {
            FORM_FIELDS
        }
    }

    /// A new answer to "does this person look like an existing member?".
    pub fn duplicate(&mut self, d: Option<MemberRow>) {
        self.duplicate = d;
        if self.duplicate.is_none() && self.focus >= FORM_FIELDS {
            self.focus = FORM_FIELDS - 1;
        }
    }

    pub fn help(&self) -> &'static str {
        match self.stage {
            Stage::Household => "tui.help.enrol_household",
            Stage::Person(_) => "tui.help.enrol_person",
            Stage::Form => "tui.help.form",
            Stage::Busy => "tui.help.wait",
            Stage::Done(_) => "tui.help.enrol_done",
        }
    }
}

impl Widget for &Enrol {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let l = self.lang;
        let mut lines = vec![Line::from(t(l, "tui.enrol.title"))];
        match &self.stage {
            Stage::Household => {
                lines.push(field_line(&t(l, "tui.enrol.household"), &self.query, true));
                // Title, query, position and error lines around the list;
                // a household's line may wrap.
                let rows: Vec<Line<'static>> = self
                    .households
                    .iter()
                    .map(|hh| {
                        let names: Vec<String> = hh
                            .people
                            .iter()
                            .map(|p| match &p.member {
                                Some(_) => format!("{}✓", p.name),
                                None => p.name.clone(),
                            })
                            .collect();
                        Line::from(format!(
                            "{}  {}  {}",
                            hh.ration_card,
                            hh.village,
                            names.join(", ")
                        ))
                    })
                    .collect();
                let heights: Vec<usize> = rows.iter().map(|r| rows_of(r, area.width)).collect();
                let shown = scroll::window_wrapped(
                    self.selected,
                    &heights,
                    usize::from(area.height).saturating_sub(4),
                );
                for (i, line) in rows
                    .into_iter()
                    .enumerate()
                    .take(shown.end)
                    .skip(shown.start)
                {
                    lines.push(if i == self.selected {
                        line.style(Style::new().add_modifier(Modifier::REVERSED))
                    } else {
                        line
                    });
                }
                lines.extend(scroll::position(l, &shown, self.households.len()));
            }
            Stage::Person(sel) => {
                if let Some(hh) = self.households.get(self.selected) {
                    lines.push(Line::from(format!("{}  {}", hh.ration_card, hh.village)));
                    // Who of this household is a member already, and of what.
                    for m in &hh.members {
                        lines.push(Line::from(
                            Message::new("tui.enrol.already_member")
                                .arg("name", &m.name)
                                .arg("id", &m.member_id)
                                .arg("schemes", m.schemes.join(", "))
                                .render(l),
                        ));
                    }
                    let mut rows: Vec<String> = hh
                        .people
                        .iter()
                        .map(|p| {
                            let member = p
                                .member
                                .as_ref()
                                .map(|m| format!("  ✓ {} {}", m.member_id, m.schemes.join(", ")))
                                .unwrap_or_default();
                            format!(
                                "{}  {}  {}  {}{member}",
                                p.name,
                                p.gender.message().render(l),
                                p.age,
                                p.relation
                            )
                        })
                        .collect();
                    rows.push(t(l, "tui.enrol.someone_else"));
                    let used = lines.len() + 2;
                    let shown = scroll::window(
                        *sel,
                        rows.len(),
                        usize::from(area.height).saturating_sub(used),
                    );
                    let total = rows.len();
                    for (i, r) in rows
                        .into_iter()
                        .enumerate()
                        .take(shown.end)
                        .skip(shown.start)
                    {
                        let line = Line::from(r);
                        lines.push(if i == *sel {
                            line.style(Style::new().add_modifier(Modifier::REVERSED))
                        } else {
                            line
                        });
                    }
                    lines.extend(scroll::position(l, &shown, total));
                }
            }
            Stage::Form | Stage::Busy => {
                let mut fields = Vec::new();
                for (i, f) in self.fields.iter().enumerate().take(self.shown_fields()) {
                    let mut line = field_line(&t(l, LABELS[i]), f, self.focus == i);
                    // The focused field's reason, as it is typed.
                    if self.focus == i
                        && !f.value().is_empty()
                        && let Some(m) = check(i, f.value(), &self.fields)
                    {
                        line.push_span(ratatui::text::Span::styled(
                            format!("  ✗ {}", m.render(l)),
                            Style::new().fg(ratatui::style::Color::Red),
                        ));
                    }
                    fields.push(line);
                }
                // Under the fields, always in view: the resemblance to an
                // existing member, "please wait", and the error.
                let mut tail = Vec::new();
                if let Some(d) = &self.duplicate {
                    tail.push(error_line(
                        Message::new("tui.enrol.duplicate")
                            .arg("name", &d.name)
                            .arg("id", &d.member_id)
                            .arg("relative", &d.relative_name)
                            .arg("village", &d.village)
                            .render(l),
                    ));
                }
                if matches!(self.stage, Stage::Busy) {
                    tail.push(Line::from(t(l, "tui.wait")));
                }
                if let Some(e) = &self.error {
                    tail.push(error_line(e.render(l)));
                }
                // The fields scroll so that the one being typed is on
                // screen at any size; a row is kept for the position and
                // one for the typed field's reason when it wraps.
                let tail_rows: usize = tail.iter().map(|t| rows_of(t, area.width)).sum();
                let room = usize::from(area.height).saturating_sub(1 + tail_rows + 2);
                let shown = scroll::window(self.focus, fields.len(), room);
                let total = fields.len();
                lines.extend(fields.into_iter().take(shown.end).skip(shown.start));
                lines.extend(scroll::position(l, &shown, total));
                lines.extend(tail);
                render_lines(lines, area, buf);
                return;
            }
            Stage::Done(r) => {
                lines.push(Line::from(
                    Message::new("member.added")
                        .arg("id", &r.member_id)
                        .arg("schemes", r.schemes.join(", "))
                        .render(l),
                ));
            }
        }
        if let Some(e) = &self.error {
            lines.push(error_line(e.render(l)));
        }
        render_lines(lines, area, buf);
    }
}
