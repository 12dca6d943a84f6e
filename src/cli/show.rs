//! How records look on a terminal: labels from the catalogs, Indian number
//! format, dd-mm-yyyy dates.

use jiff::Timestamp;

use crate::books::cash::{DayClose, Payment};
use crate::books::members::MemberView;

use crate::books::{MemberRow, VillageCoverage};
use crate::domain::money::{Paise, group_indian};
use crate::domain::time::{display_date, display_instant};
use crate::domain::words::amount_in_words;
use crate::i18n::{Lang, Message, t};

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
        println!(
            "{}",
            Message::new("coverage.village")
                .arg("village", &v.village)
                .arg("reached", group_indian(v.reached))
                .arg("total", group_indian(v.households))
                .render(lang)
        );
        if list {
            for u in &v.unreached {
                println!("    {}  {}", u.ration_card, u.head);
            }
        }
    }
    println!(
        "{}",
        Message::new("coverage.total")
            .arg("reached", group_indian(reached))
            .arg("total", group_indian(total))
            .render(lang)
    );
}

pub fn members(lang: Lang, found: &[MemberRow]) {
    for m in found {
        println!(
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
    println!("{}  {}", m.member_id, m.name);
    println!("  {}: {}", t(lang, "field.relative_name"), m.relative_name);
    println!("  {}: {}", t(lang, "field.village"), m.village);
    if let Some(rc) = &m.ration_card {
        println!("  {}: {rc}", t(lang, "field.ration_card"));
    }
    if let Some(p) = &m.phone {
        println!("  {}: {p}", t(lang, "field.phone"));
    }
    if let Some(a) = &m.aadhaar_last4 {
        println!(
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
        println!(
            "{}",
            Message::new("member.enrolment")
                .arg("scheme", name)
                .arg("code", &e.enrolment.scheme)
                .arg("since", display_date(e.enrolment.enrolled_on))
                .arg("group", e.enrolment.group.as_deref().unwrap_or("-"))
                .render(lang)
        );
        println!("    {}", e.dues.message().render(lang));
        if let Some(on) = e.enrolment.left_on {
            println!(
                "    {}",
                Message::new("member.left_on")
                    .arg("on", display_date(on))
                    .arg("reason", e.enrolment.left_reason.as_deref().unwrap_or(""))
                    .render(lang)
            );
        }
    }
    println!("{}", t(lang, "member.history"));
    for c in &v.contributions {
        let mark = match &c.reversed_by {
            Some(r) => Message::new("member.reversed_by")
                .arg("slip", r)
                .render(lang),
            None => String::new(),
        };
        println!(
            "  {}  {}  {}  {}  {mark}",
            at_display(&c.at),
            c.receipt_no,
            c.scheme,
            c.amount
        );
    }
    for r in &v.reversals {
        println!(
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
    if !v.changes.is_empty() {
        println!("{}", t(lang, "member.changes"));
    }
    for c in &v.changes {
        println!(
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
    println!(
        "{}",
        Message::new("pay.receipt")
            .arg("receipt", &p.receipt)
            .render(lang)
    );
    println!(
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
    println!("{}", line.render(lang));
}

pub fn day_close(lang: Lang, c: &DayClose) {
    println!(
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
    println!(
        "{}",
        Message::new("status.kiosk")
            .arg("kiosk", &s.kiosk)
            .arg("panchayat", &s.panchayat)
            .render(lang)
    );
    println!(
        "{}",
        Message::new("status.today")
            .arg("count", s.today_receipts)
            .arg("total", s.today_total)
            .render(lang)
    );
    println!(
        "{}",
        Message::new("status.books")
            .arg("members", group_indian(s.members))
            .arg("events", group_indian(s.events))
            .arg("last", s.last_event_at.as_deref().unwrap_or("-"))
            .render(lang)
    );
    println!("{}", t(lang, s.clock.message_key()));
}
