//! How records look on a terminal: labels from the catalogs, Indian number
//! format, dd-mm-yyyy dates.

use jiff::Timestamp;

use crate::books::cash::{DayClose, Payment};
use crate::books::members::MemberView;

use crate::books::{MemberRow, VillageCoverage};
use crate::domain::money::{Paise, group_indian};
use crate::domain::time::{display_date, display_instant};
use crate::domain::words::amount_in_words;
use crate::i18n::{Lang, Localized, Message, t};

fn at_display(at: &str) -> String {
    at.parse::<Timestamp>()
        .map(display_instant)
        .unwrap_or_else(|_| at.to_string())
}

pub fn coverage(lang: Lang, cov: &[VillageCoverage], list: bool) {
    let (mut total, mut reached) = (0u64, 0u64);
    for v in cov {
        total += v.households;
        reached += v.reached;
        dastak_core::outln!(
            "{}",
            Message::new("coverage.village")
                .arg("village", &v.village)
                .arg("reached", group_indian(v.reached))
                .arg("total", group_indian(v.households))
                .render(lang)
        );
        if list {
            for u in &v.unreached {
                dastak_core::outln!("    {}  {}", u.ration_card, u.head);
            }
        }
    }
    dastak_core::outln!(
        "{}",
        Message::new("coverage.total")
            .arg("reached", group_indian(reached))
            .arg("total", group_indian(total))
            .render(lang)
    );
}

pub fn members(lang: Lang, found: &[MemberRow]) {
    for m in found {
        dastak_core::outln!(
            "{}  {}  {} {}  {}  {}",
            m.member_id,
            m.name,
            t(lang, "member.relative_short"),
            m.relative_name,
            m.village,
            m.phone.as_deref().unwrap_or("")
        );
    }
}

pub fn member(lang: Lang, v: &MemberView) {
    let m = &v.member;
    dastak_core::outln!("{}  {}", m.member_id, m.name);
    dastak_core::outln!("  {}: {}", t(lang, "field.relative_name"), m.relative_name);
    dastak_core::outln!("  {}: {}", t(lang, "field.village"), m.village);
    if let Some(rc) = &m.ration_card {
        dastak_core::outln!("  {}: {rc}", t(lang, "field.ration_card"));
    }
    if let Some(p) = &m.phone {
        dastak_core::outln!("  {}: {p}", t(lang, "field.phone"));
    }
    if let Some(a) = &m.aadhaar_last4 {
        dastak_core::outln!(
            "  {}: {}",
            t(lang, "field.aadhaar"),
            crate::domain::aadhaar::masked(a)
        );
    }
    for e in &v.enrolments {
        let name = match lang {
            Lang::Hi => &e.scheme_name_hi,
            Lang::En => &e.scheme_name_en,
        };
        dastak_core::outln!(
            "{}",
            Message::new("member.enrolment")
                .arg("scheme", name)
                .arg("code", &e.enrolment.scheme)
                .arg("since", display_date(e.enrolment.enrolled_on))
                .arg("group", e.enrolment.group.as_deref().unwrap_or("-"))
                .render(lang)
        );
        dastak_core::outln!("    {}", e.dues.message().render(lang));
        if let Some(s) = e.standing_message() {
            dastak_core::outln!("    {}", s.render(lang));
        }
        if let Some(on) = e.enrolment.left_on {
            dastak_core::outln!(
                "    {}",
                Message::new("member.left_on")
                    .arg("on", display_date(on))
                    .arg("reason", e.enrolment.left_reason.as_deref().unwrap_or(""))
                    .render(lang)
            );
        }
    }
    dastak_core::outln!("{}", t(lang, "member.history"));
    for c in &v.contributions {
        let mark = match &c.reversed_by {
            Some(r) => Message::new("member.reversed_by")
                .arg("slip", r)
                .render(lang),
            None => String::new(),
        };
        dastak_core::outln!(
            "  {}  {}  {}  {}  {mark}",
            at_display(&c.at),
            c.receipt_no,
            c.scheme,
            c.amount
        );
    }
    for r in &v.reversals {
        dastak_core::outln!(
            "  {}  {}",
            at_display(&r.at),
            Message::new("member.reversal_line")
                .arg("slip", &r.receipt_no)
                .arg("original", &r.original)
                .arg("amount", r.amount)
                .arg("reason", &r.reason)
                .render(lang)
        );
    }
    if !v.claims.is_empty() {
        dastak_core::outln!("{}", t(lang, "member.claims"));
    }
    for c in &v.claims {
        dastak_core::outln!("  {}", crate::books::claims::claim_line(c).render(lang));
        for b in &c.bars {
            dastak_core::outln!("    {}", b.message().render(lang));
        }
    }
    if !v.changes.is_empty() {
        dastak_core::outln!("{}", t(lang, "member.changes"));
    }
    for c in &v.changes {
        dastak_core::outln!(
            "  {}  {}",
            at_display(&c.at),
            Message::new("member.change_line")
                .arg_msg("change", crate::books::receipts::change_message(c))
                .arg("reason", &c.reason)
                .arg("by", &c.by)
                .render(lang)
        );
    }
}

pub fn payment(lang: Lang, p: &Payment) {
    dastak_core::outln!(
        "{}",
        Message::new("pay.receipt")
            .arg("receipt", &p.receipt)
            .render(lang)
    );
    dastak_core::outln!(
        "{}",
        Message::new("pay.summary")
            .arg("amount", p.amount)
            .arg("words", amount_in_words(p.amount, lang))
            .arg("name", &p.member_name)
            .arg("id", &p.member_id)
            .arg("scheme", &p.scheme)
            .arg("periods", p.periods)
            .arg("from", display_date(p.covers_from))
            .arg("to", display_date(p.covers_to))
            .render(lang)
    );
    let d = &p.dues_after;
    let line = if d.amount_due > Paise::ZERO {
        Message::new("member.dues")
            .arg("amount", d.amount_due)
            .arg("periods", d.arrears_periods)
    } else {
        Message::new("member.paid_up")
    };
    dastak_core::outln!("{}", line.render(lang));
}

pub fn day_close(lang: Lang, c: &DayClose) {
    dastak_core::outln!(
        "{}",
        Message::new("close.done")
            .arg("date", display_date(c.date))
            .arg("counted", c.counted)
            .arg("expected", c.expected)
            .arg("variance", c.variance)
            .arg("count", c.contributions)
            .render(lang)
    );
}

pub fn status(lang: Lang, s: &crate::books::status::Status) {
    dastak_core::outln!(
        "{}",
        Message::new("status.kiosk")
            .arg("kiosk", &s.kiosk)
            .arg("panchayat", &s.panchayat)
            .render(lang)
    );
    dastak_core::outln!(
        "{}",
        Message::new("status.today")
            .arg("count", s.today_receipts)
            .arg("total", s.today_total)
            .render(lang)
    );
    dastak_core::outln!(
        "{}",
        Message::new("status.books")
            .arg("members", group_indian(s.members))
            .arg("events", group_indian(s.events))
            .arg("last", s.last_event_at.as_deref().unwrap_or("-"))
            .render(lang)
    );
    dastak_core::outln!("{}", t(lang, s.clock.message_key()));
}
