//! The dashboard's pages as HTML, drawn by maud (which escapes every value
//! it is given: a member's or village's name typed at a kiosk is text on
//! the page, never markup). Pages work without JavaScript, and print on A4
//! without their menus and forms. Every word comes from the catalogs, in
//! the officer's language.

use dastak_core::domain::money::{Paise, group_indian};
use dastak_core::domain::time::display_instant;
use dastak_core::i18n::{Lang, Message, t};
use jiff::Timestamp;
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::{
    Anomalies, CollectionFilter, CollectionRow, Freshness, KioskRow, KioskSort, Overview, Period,
    PlaceFilter, Totals, Window,
};
use crate::officers::Role;
use crate::store::{AuditEntry, CashDifference, OperatorDay};

/// What every page of a session needs.
pub struct Frame<'a> {
    pub lang: Lang,
    pub officer: &'a str,
    pub role: Role,
    pub csrf: &'a str,
    /// When the page's numbers were read.
    pub as_of: Timestamp,
    /// The page's own path, to mark it in the menu.
    pub path: &'a str,
}

const STYLE: &str = "
@font-face{font-family:'Dastak Devanagari';src:url(/fonts/devanagari-regular.ttf) format('truetype');font-weight:400}
@font-face{font-family:'Dastak Devanagari';src:url(/fonts/devanagari-bold.ttf) format('truetype');font-weight:700}
body,svg text{font-family:'Noto Sans','Dastak Devanagari',sans-serif}
button,select,input{font:inherit}
body{margin:0;color:#1b1b1b;background:#f6f6f2}
header{background:#1f5f99;color:#fff;padding:.5em 1em;display:flex;flex-wrap:wrap;gap:1em;align-items:center}
header a{color:#fff;text-decoration:none;padding:.2em .5em;border-radius:3px}
header a.here{background:#fff;color:#1f5f99}
header form{display:inline;margin:0}
header .who{margin-left:auto}
main{padding:1em;max-width:1100px}
.asof{color:#555;font-size:.9em}
table{border-collapse:collapse;background:#fff;margin:.5em 0 1.5em}
th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tr.red td{background:#fde2e1}
.cards{display:flex;flex-wrap:wrap;gap:1em}
.card{background:#fff;border:1px solid #ccc;padding:.6em 1em;min-width:10em}
.card b{display:block;font-size:1.6em}
.card.red{border-color:#c0392b;color:#c0392b}
.error{background:#fde2e1;border:1px solid #c0392b;padding:.5em 1em}
.ok{background:#e2f5e1;border:1px solid #2e7d32;padding:.5em 1em}
form.filter{margin:.5em 0}
label{margin-right:1em}
th.print-only,td.print-only{display:none}
@media print{header,form,.noprint{display:none}body{background:#fff}@page{size:A4;margin:15mm}th.print-only,td.print-only{display:table-cell;min-width:8em}}
";

/// A page of a logged-in officer: menu, language switch, logout, the "as
/// of" time, then `body`.
pub fn page(f: &Frame<'_>, title: &str, body: Markup) -> String {
    let l = f.lang;
    let mut menu = vec![
        ("/overview", "dash.overview"),
        ("/kiosks", "dash.kiosks"),
        ("/collections", "dash.collections"),
        ("/closes", "dash.closes"),
        ("/arrears", "dash.arrears"),
        ("/coverage", "dash.coverage"),
        ("/operators", "dash.operators"),
        ("/anomalies", "dash.anomalies"),
        ("/claims", "dash.claims"),
        ("/fund", "dash.fund"),
    ];
    if f.role >= Role::Admin {
        menu.push(("/officers", "dash.officers"));
    }
    let other = match l {
        Lang::Hi => Lang::En,
        Lang::En => Lang::Hi,
    };
    html! {
        (DOCTYPE)
        html lang=(l.code()) {
            (head(l, title))
            body {
                header {
                    strong { (t(l, "dash.title")) }
                    nav {
                        @for (href, key) in &menu {
                            a href=(href) class=[(f.path == *href).then_some("here")] { (t(l, key)) }
                        }
                    }
                    form method="post" action="/lang" {
                        input type="hidden" name="csrf" value=(f.csrf);
                        input type="hidden" name="lang" value=(other.code());
                        button type="submit" id="switch-lang" { (t(other, "dash.language_name")) }
                    }
                    span class="who" { (f.officer) " (" (t(l, role_key(f.role))) ")" }
                    form method="post" action="/logout" {
                        input type="hidden" name="csrf" value=(f.csrf);
                        button type="submit" { (t(l, "dash.logout")) }
                    }
                }
                main {
                    h1 { (title) }
                    p class="asof" { (Message::new("dash.as_of").arg("time", display_instant(f.as_of)).render(l)) }
                    (body)
                }
            }
        }
    }
    .into_string()
}

/// Every page's head: its title, and the one style sheet.
fn head(l: Lang, title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · " (t(l, "dash.title")) }
            style { (PreEscaped(STYLE)) }
        }
    }
}

fn role_key(r: Role) -> &'static str {
    match r {
        Role::Viewer => "dash.role_viewer",
        Role::Officer => "dash.role_officer",
        Role::Approver => "dash.role_approver",
        Role::Admin => "dash.role_admin",
    }
}

/// `1,23,456.50` rupees.
pub fn rupees(p: Paise) -> String {
    format!("₹{}", p.grouped())
}

fn count(n: u64) -> String {
    group_indian(n)
}

/// A stored time (RFC 3339) as IST dd-mm-yyyy hh:mm; text that is no time
/// is shown as it is.
fn when(at: Option<&str>, l: Lang) -> String {
    match at {
        None => t(l, "dash.never"),
        Some(s) => s
            .parse::<Timestamp>()
            .map_or_else(|_| s.to_string(), display_instant),
    }
}

/// The login page (no session yet). `pre` is the login form's CSRF token,
/// also set as a cookie.
pub fn login(l: Lang, pre: &str, error: Option<&str>, name: &str) -> String {
    let other = match l {
        Lang::Hi => Lang::En,
        Lang::En => Lang::Hi,
    };
    html! {
        (DOCTYPE)
        html lang=(l.code()) {
            (head(l, &t(l, "dash.login")))
            body {
                header { strong { (t(l, "dash.title")) }
                    a href={ "/login?lang=" (other.code()) } { (t(other, "dash.language_name")) } }
                main {
                    h1 { (t(l, "dash.login")) }
                    @if let Some(e) = error { p class="error" role="alert" { (e) } }
                    form method="post" action="/login" {
                        input type="hidden" name="csrf" value=(pre);
                        input type="hidden" name="lang" value=(l.code());
                        p { label for="name" { (t(l, "dash.name")) }
                            input id="name" name="name" value=(name) autocomplete="username" required; }
                        p { label for="password" { (t(l, "dash.password")) }
                            input id="password" name="password" type="password" autocomplete="current-password" required; }
                        button type="submit" id="login" { (t(l, "dash.login")) }
                    }
                }
            }
        }
    }
    .into_string()
}

fn card(label: &str, value: &str, red: bool) -> Markup {
    html! { div class=(if red { "card red" } else { "card" }) { b { (value) } (label) } }
}

pub fn overview(f: &Frame<'_>, o: &Overview) -> String {
    let l = f.lang;
    let fresh = [
        Freshness::Day,
        Freshness::TwoDays,
        Freshness::Stale,
        Freshness::Never,
    ];
    let body = html! {
        h2 { (t(l, "dash.kiosks_synced")) }
        div class="cards" id="freshness" {
            @for fr in fresh {
                (card(&t(l, fr.key()), &count(o.kiosks[fr as usize]),
                    fr >= Freshness::Stale && o.kiosks[fr as usize] > 0))
            }
        }
        div class="cards" {
            (card(&t(l, "dash.with_gaps"), &count(o.with_gaps), o.with_gaps > 0))
            (card(&t(l, "dash.with_conflicts"), &count(o.with_conflicts), o.with_conflicts > 0))
        }
        h2 { (t(l, "dash.money")) }
        (totals_table(l, &[(t(l, "dash.today"), &o.today), (t(l, "dash.this_month"), &o.month)]))
        div class="cards" id="expected" {
            (card(&t(l, "dash.expected_month"), &rupees(o.expected_month), false))
            @if o.expected_month.0 > 0 {
                (card(&t(l, "dash.collected_share"),
                    &money_share(o.month.net, o.expected_month),
                    o.month.net.0 < o.expected_month.0))
            }
        }
        p { a href="/arrears" { (t(l, "dash.arrears")) } }
    };
    page(f, &t(l, "dash.overview"), body)
}

/// The arrears ageing by village, and the defaulters list (printable, for
/// the field), of one village or all.
pub fn arrears(
    f: &Frame<'_>,
    ageing: &[super::AgeingRow],
    owing: &[super::Owing],
    villages: &[String],
    village: &str,
) -> String {
    let l = f.lang;
    let choices: Vec<(String, String)> = villages.iter().map(|v| (v.clone(), v.clone())).collect();
    let shown: Vec<&super::Owing> = owing
        .iter()
        .filter(|o| village.is_empty() || o.village == village)
        .collect();
    let body = html! {
        h2 { (t(l, "dash.ageing")) }
        table id="ageing" {
            thead { tr {
                th { (t(l, "dash.village")) }
                th class="n" { (t(l, "dash.enrolled")) }
                th class="n" { (t(l, "dash.paid_up")) }
                @for a in super::Age::ALL { th class="n" { (t(l, a.key())) } }
                th class="n" { (t(l, "dash.owed")) }
            } }
            tbody {
                @for r in ageing {
                    tr class=[(r.behind[2] > 0).then_some("red")] {
                        td { (r.village) }
                        td class="n" { (count(r.enrolled)) }
                        td class="n" { (count(r.paid_up)) }
                        @for n in r.behind { td class="n" { (count(n)) } }
                        td class="n" { (rupees(r.owed)) }
                    }
                }
            }
        }
        h2 { (t(l, "dash.defaulters")) }
        form class="filter" method="get" action="/arrears" {
            (select("village", &t(l, "dash.village"), &t(l, "dash.all"), &choices, village))
            button type="submit" id="filter" { (t(l, "dash.show")) }
        }
        p class="noprint" {
            a id="csv" href={ "/arrears.csv?" (serde_urlencoded::to_string([("village", village)]).unwrap_or_default()) } { (t(l, "dash.csv")) }
        }
        table id="defaulters" {
            thead { tr {
                th { (t(l, "dash.village")) }
                th { (t(l, "dash.member")) }
                th { (t(l, "dash.name")) }
                th { (t(l, "dash.scheme")) }
                th { (t(l, "dash.since")) }
                th class="n" { (t(l, "dash.periods")) }
                th class="n" { (t(l, "dash.owed")) }
                th class="print-only" { (t(l, "dash.visited")) }
            } }
            tbody {
                @for o in &shown {
                    tr {
                        td { (o.village) }
                        td { (o.member_id) }
                        td { (o.name) }
                        td { (o.scheme) }
                        td { (period_label(&o.since)) }
                        td class="n" { (o.periods) }
                        td class="n" { (rupees(o.amount)) }
                        td class="print-only" {}
                    }
                }
            }
        }
        p { (Message::new("dash.rows").arg("n", count(shown.len() as u64)).render(l)) }
    };
    page(f, &t(l, "dash.arrears"), body)
}

/// Households reached of households listed, and women in SHGs of women
/// of 18 to 60 listed, by village.
pub fn coverage(f: &Frame<'_>, lines: &[super::CoverageLine]) -> String {
    let l = f.lang;
    let body = html! {
        p class="noprint" { a id="csv" href="/coverage.csv" { (t(l, "dash.csv")) } }
        table id="coverage" {
            thead { tr {
                th { (t(l, "dash.village")) }
                th class="n" { (t(l, "dash.households_listed")) }
                th class="n" { (t(l, "dash.households_reached")) }
                th class="n" { "%" }
                th class="n" { (t(l, "dash.women_listed")) }
                th class="n" { (t(l, "dash.women_in_shg")) }
                th class="n" { "%" }
            } }
            tbody {
                @for c in lines {
                    tr {
                        td { (c.village) }
                        td class="n" { (count(c.households)) }
                        td class="n" { (count(c.reached)) }
                        td class="n" { (share(c.reached, c.households)) }
                        td class="n" { (count(c.women)) }
                        td class="n" { (count(c.in_shg)) }
                        td class="n" { (share(c.in_shg, c.women)) }
                    }
                }
            }
        }
    };
    page(f, &t(l, "dash.coverage"), body)
}

pub fn coverage_csv_header(l: Lang) -> String {
    super::csv_line(&[
        t(l, "dash.village"),
        t(l, "dash.households_listed"),
        t(l, "dash.households_reached"),
        t(l, "dash.women_listed"),
        t(l, "dash.women_in_shg"),
    ])
}

pub fn coverage_csv_line(c: &super::CoverageLine) -> String {
    super::csv_line(&[
        c.village.clone(),
        c.households.to_string(),
        c.reached.to_string(),
        c.women.to_string(),
        c.in_shg.to_string(),
    ])
}

pub fn arrears_csv_header(l: Lang) -> String {
    super::csv_line(&[
        t(l, "dash.village"),
        t(l, "dash.kiosk"),
        t(l, "dash.member"),
        t(l, "dash.name"),
        t(l, "dash.scheme"),
        t(l, "dash.since"),
        t(l, "dash.periods"),
        t(l, "dash.owed"),
    ])
}

pub fn arrears_csv_line(o: &super::Owing) -> String {
    super::csv_line(&[
        o.village.clone(),
        o.kiosk.clone(),
        o.member_id.clone(),
        o.name.clone(),
        o.scheme.clone(),
        o.since.clone(),
        o.periods.to_string(),
        o.amount.as_decimal().to_string(),
    ])
}

fn totals_table(l: Lang, rows: &[(String, &Totals)]) -> Markup {
    html! {
        table {
            thead { tr {
                th { "" }
                th class="n" { (t(l, "dash.receipts")) }
                th class="n" { (t(l, "dash.reversals")) }
                th class="n" { (t(l, "dash.enrolments")) }
                th class="n" { (t(l, "dash.net")) }
            } }
            tbody {
                @for (label, x) in rows {
                    tr {
                        th { (label) }
                        td class="n" { (count(x.receipts)) }
                        td class="n" { (count(x.reversals)) }
                        td class="n" { (count(x.enrolments)) }
                        td class="n" { (rupees(x.net)) }
                    }
                }
            }
        }
    }
}

fn select(
    name: &str,
    label: &str,
    all: &str,
    options: &[(String, String)],
    chosen: &str,
) -> Markup {
    html! {
        label { (label) " "
            select name=(name) {
                option value="" selected[chosen.is_empty()] { (all) }
                @for (value, text) in options {
                    option value=(value) selected[value == chosen] { (text) }
                }
            }
        }
    }
}

/// The block and panchayat selects of a filter form.
fn place_selects(l: Lang, choices: &Choices, chosen: &PlaceFilter) -> Markup {
    let pairs = |v: &[String]| -> Vec<(String, String)> {
        v.iter().map(|x| (x.clone(), x.clone())).collect()
    };
    html! {
        (select("block", &t(l, "dash.block"), &t(l, "dash.all"), &pairs(&choices.0), &chosen.block))
        (select("panchayat", &t(l, "dash.panchayat"), &t(l, "dash.all"), &pairs(&choices.1), &chosen.panchayat))
    }
}

/// The blocks and panchayats an officer may choose from.
pub type Choices = (Vec<String>, Vec<String>);

pub fn kiosks(
    f: &Frame<'_>,
    rows: &[KioskRow],
    choices: &Choices,
    chosen: &PlaceFilter,
    sort: KioskSort,
    query: &str,
) -> String {
    let l = f.lang;
    let sorts: Vec<(String, String)> = KioskSort::ALL
        .iter()
        .map(|(_, name)| (name.to_string(), t(l, sort_key(name))))
        .collect();
    let sort_name = KioskSort::ALL
        .iter()
        .find(|(s, _)| *s == sort)
        .map_or("kiosk", |(_, n)| n);
    let body = html! {
        form class="filter" method="get" action="/kiosks" {
            (place_selects(l, choices, chosen))
            label { (t(l, "dash.sort")) " "
                select name="sort" {
                    @for (value, text) in &sorts {
                        option value=(value) selected[value == sort_name] { (text) }
                    }
                }
            }
            button type="submit" id="filter" { (t(l, "dash.show")) }
        }
        p class="noprint" { a id="csv" href={ "/kiosks.csv?" (query) } { (t(l, "dash.csv")) } }
        table id="kiosks" {
            thead { tr {
                th { (t(l, "dash.kiosk")) }
                th { (t(l, "dash.block")) }
                th { (t(l, "dash.panchayat")) }
                th { (t(l, "dash.last_contact")) }
                th { (t(l, "dash.last_event")) }
                th class="n" { (t(l, "dash.through")) }
                th class="n" { (t(l, "dash.missing")) }
                th class="n" { (t(l, "dash.quarantined")) }
            } }
            tbody {
                @for r in rows {
                    tr class=[(r.freshness >= Freshness::Stale || r.missing > 0 || r.quarantined > 0).then_some("red")] {
                        td { (r.kiosk) }
                        td { (r.block) }
                        td { (r.panchayat) }
                        td {
                            @if r.last_contact.is_some() { (when(r.last_contact.as_deref(), l)) " · " }
                            (t(l, r.freshness.key()))
                        }
                        td { (when(r.last_event_at.as_deref(), l)) }
                        td class="n" { (count(r.through)) }
                        td class="n" { (count(r.missing)) }
                        td class="n" { (count(r.quarantined)) }
                    }
                }
            }
        }
        p { (Message::new("dash.rows").arg("n", count(rows.len() as u64)).render(l)) }
    };
    page(f, &t(l, "dash.kiosks"), body)
}

fn sort_key(name: &str) -> &'static str {
    match name {
        "panchayat" => "dash.panchayat",
        "last_contact" => "dash.last_contact",
        "missing" => "dash.missing",
        _ => "dash.kiosk",
    }
}

/// The kiosks table as CSV (its header in the officer's language).
pub fn kiosks_csv_header(l: Lang) -> String {
    super::csv_line(&[
        t(l, "dash.kiosk"),
        t(l, "dash.block"),
        t(l, "dash.panchayat"),
        t(l, "dash.last_contact"),
        t(l, "dash.last_event"),
        t(l, "dash.through"),
        t(l, "dash.missing"),
        t(l, "dash.quarantined"),
    ])
}

pub fn kiosk_csv_line(r: &KioskRow) -> String {
    super::csv_line(&[
        r.kiosk.clone(),
        r.block.clone(),
        r.panchayat.clone(),
        r.last_contact.clone().unwrap_or_default(),
        r.last_event_at.clone().unwrap_or_default(),
        r.through.to_string(),
        r.missing.to_string(),
        r.quarantined.to_string(),
    ])
}

pub struct CollectionsPage<'a> {
    pub rows: &'a [CollectionRow],
    pub svg: &'a str,
    pub choices: &'a Choices,
    pub schemes: &'a [String],
    pub filter: &'a CollectionFilter,
    pub query: &'a str,
    pub window: &'a Window,
}

/// Which days a page's numbers are of.
fn window_note(l: Lang, w: &Window) -> Markup {
    html! {
        p class="window" {
            (Message::new("dash.window")
                .arg("from", period_label(&w.from))
                .arg("to", period_label(&w.to))
                .render(l))
        }
    }
}

pub fn collections(f: &Frame<'_>, c: &CollectionsPage<'_>) -> String {
    let l = f.lang;
    let schemes: Vec<(String, String)> = c.schemes.iter().map(|p| (p.clone(), p.clone())).collect();
    // A share of what was expected only by month: members pay on days of
    // their own, so a day's collections are not a day's dues.
    let by_month = c.filter.period == Period::Month;
    let body = html! {
        form class="filter" method="get" action="/collections" {
            (place_selects(l, c.choices, &c.filter.place))
            (select("scheme", &t(l, "dash.scheme"), &t(l, "dash.all"), &schemes, &c.filter.scheme))
            label { (t(l, "dash.by")) " "
                select name="by" {
                    @for p in [Period::Day, Period::Month] {
                        option value=(p.as_str()) selected[p == c.filter.period] {
                            (t(l, if p == Period::Day { "dash.by_day" } else { "dash.by_month" }))
                        }
                    }
                }
            }
            button type="submit" id="filter" { (t(l, "dash.show")) }
        }
        (window_note(l, c.window))
        figure { (PreEscaped(c.svg)) }
        p class="noprint" {
            a id="csv" href={ "/collections.csv?" (c.query) } { (t(l, "dash.csv")) }
            " · "
            a id="daily-csv" href="/daily.csv" { (t(l, "dash.daily_csv")) }
        }
        table id="collections" {
            thead { tr {
                th { (t(l, if c.filter.period == Period::Day { "dash.by_day" } else { "dash.by_month" })) }
                th class="n" { (t(l, "dash.receipts")) }
                th class="n" { (t(l, "dash.reversals")) }
                th class="n" { (t(l, "dash.enrolments")) }
                th class="n" { (t(l, "dash.net")) }
                th class="n" { (t(l, due_label(c.filter.period))) }
                @if by_month {
                    th class="n" { (t(l, "dash.collected_share")) }
                }
            } }
            tbody {
                @for r in c.rows.iter().rev() {
                    @let x = &r.totals;
                    tr {
                        td { (period_label(&r.key)) }
                        td class="n" { (count(x.receipts)) }
                        td class="n" { (count(x.reversals)) }
                        td class="n" { (count(x.enrolments)) }
                        td class="n" { (rupees(x.net)) }
                        td class="n" { (rupees(r.expected)) }
                        @if by_month {
                            td class="n" { (money_share(x.net, r.expected)) }
                        }
                    }
                }
            }
        }
    };
    page(f, &t(l, "dash.collections"), body)
}

/// `part` as a whole percent of `whole` (– when the whole is nothing).
fn share(part: u64, whole: u64) -> String {
    super::percent(part, whole).map_or_else(|| "–".to_string(), |p| format!("{p}%"))
}

/// What was collected as a share of what was expected (nothing taken back
/// more than was taken counts as none collected).
fn money_share(net: Paise, expected: Paise) -> String {
    let whole = |p: Paise| u64::try_from(p.0).unwrap_or(0);
    share(whole(net), whole(expected))
}

/// An audit entry's action in the officer's language (the log keeps the
/// code: an entry written by a later version with a code this one does
/// not know is shown as written).
fn action_label(l: Lang, code: &str) -> String {
    let key = match code {
        "login" => "dash.audit_login",
        "login_failed" => "dash.audit_login_failed",
        "logout" => "dash.audit_logout",
        "export" => "dash.audit_export",
        "officer_add" => "dash.audit_officer_add",
        "set_lang" => "dash.audit_set_lang",
        "claim" => "dash.audit_claim",
        "claim_account" => "dash.audit_claim_account",
        _ => return code.to_string(),
    };
    t(l, key)
}

/// `2026-11-23` as `23-11-2026`; `2026-11` as `11-2026`.
pub fn period_label(key: &str) -> String {
    let parts: Vec<&str> = key.split('-').collect();
    parts.iter().rev().copied().collect::<Vec<_>>().join("-")
}

pub fn collections_csv_header(l: Lang, period: Period) -> String {
    super::csv_line(&[
        t(
            l,
            if period == Period::Day {
                "dash.by_day"
            } else {
                "dash.by_month"
            },
        ),
        t(l, "dash.receipts"),
        t(l, "dash.reversals"),
        t(l, "dash.enrolments"),
        t(l, "dash.net"),
        t(l, due_label(period)),
    ])
}

/// The heading of the dues column: the dues falling due on a day, or
/// expected in a month.
fn due_label(period: Period) -> &'static str {
    match period {
        Period::Day => "dash.falling_due",
        Period::Month => "dash.expected_dues",
    }
}

pub fn collections_csv_line(r: &CollectionRow) -> String {
    let x = &r.totals;
    super::csv_line(&[
        r.key.clone(),
        x.receipts.to_string(),
        x.reversals.to_string(),
        x.enrolments.to_string(),
        x.net.as_decimal().to_string(),
        r.expected.as_decimal().to_string(),
    ])
}

/// Day closes whose cash counted differed from the books, newest first.
pub fn closes(f: &Frame<'_>, rows: &[CashDifference], w: &Window) -> String {
    let l = f.lang;
    let body = html! {
        (window_note(l, w))
        p class="noprint" { a id="csv" href="/closes.csv" { (t(l, "dash.csv")) } }
        table id="closes" {
            thead { tr {
                th { (t(l, "dash.date")) }
                th { (t(l, "dash.kiosk")) }
                th { (t(l, "dash.panchayat")) }
                th class="n" { (t(l, "dash.expected")) }
                th class="n" { (t(l, "dash.counted")) }
                th class="n" { (t(l, "dash.difference")) }
                th { (t(l, "dash.reason")) }
            } }
            tbody {
                @for r in rows {
                    tr {
                        td { (period_label(&r.date)) }
                        td { (r.kiosk) }
                        td { (r.panchayat) }
                        td class="n" { (rupees(r.expected)) }
                        td class="n" { (rupees(r.counted)) }
                        td class="n" { (rupees(r.variance)) }
                        td { (r.reason) }
                    }
                }
            }
        }
        p { (Message::new("dash.rows").arg("n", count(rows.len() as u64)).render(l)) }
    };
    page(f, &t(l, "dash.closes"), body)
}

pub fn closes_csv_header(l: Lang) -> String {
    super::csv_line(&[
        t(l, "dash.date"),
        t(l, "dash.kiosk"),
        t(l, "dash.panchayat"),
        t(l, "dash.expected"),
        t(l, "dash.counted"),
        t(l, "dash.difference"),
        t(l, "dash.reason"),
    ])
}

pub fn closes_csv_line(r: &CashDifference) -> String {
    super::csv_line(&[
        r.date.clone(),
        r.kiosk.clone(),
        r.panchayat.clone(),
        r.expected.as_decimal().to_string(),
        r.counted.as_decimal().to_string(),
        r.variance.as_decimal().to_string(),
        r.reason.clone(),
    ])
}

/// The whole daily rollup's CSV (`/daily.csv`): one line per kiosk,
/// village, day and scheme.
pub fn daily_csv_header(l: Lang) -> String {
    super::csv_line(&[
        t(l, "dash.kiosk"),
        t(l, "dash.block"),
        t(l, "dash.panchayat"),
        t(l, "dash.village"),
        t(l, "dash.date"),
        t(l, "dash.scheme"),
        t(l, "dash.receipts"),
        t(l, "dash.amount"),
        t(l, "dash.reversals"),
        t(l, "dash.reversed"),
        t(l, "dash.enrolments"),
    ])
}

pub fn daily_csv_line(r: &crate::store::DailyRow, place: Option<&crate::store::Place>) -> String {
    let (block, panchayat) = place.map_or(("", ""), |p| (&p.block, &p.panchayat));
    super::csv_line(&[
        r.kiosk.as_str(),
        block,
        panchayat,
        &r.village,
        &r.day,
        &r.scheme,
        &r.receipts.to_string(),
        &r.amount.as_decimal().to_string(),
        &r.reversals.to_string(),
        &r.reversed.as_decimal().to_string(),
        &r.enrolments.to_string(),
    ])
}

/// The operators' table's header cells (page and CSV alike).
fn operator_heads(l: Lang) -> [String; 9] {
    [
        t(l, "dash.date"),
        t(l, "dash.kiosk"),
        t(l, "dash.operator"),
        t(l, "dash.receipts"),
        t(l, "dash.reversals"),
        t(l, "dash.registrations"),
        t(l, "dash.enrolments"),
        t(l, "dash.clock_confirms"),
        t(l, "dash.backdated"),
    ]
}

fn operator_counts(o: &OperatorDay) -> [u64; 6] {
    [
        o.receipts,
        o.reversals,
        o.registrations,
        o.enrolments,
        o.clock_confirms,
        o.backdated,
    ]
}

fn operator_table(l: Lang, id: &str, rows: &[OperatorDay]) -> Markup {
    let heads = operator_heads(l);
    html! {
        table id=(id) {
            thead { tr {
                @for (i, h) in heads.iter().enumerate() {
                    th class=[(i >= 3).then_some("n")] { (h) }
                }
            } }
            tbody {
                @for o in rows {
                    tr {
                        td { (period_label(&o.day)) }
                        td { (o.kiosk) }
                        td { (o.operator) }
                        @for n in operator_counts(o) { td class="n" { (count(n)) } }
                    }
                }
            }
        }
    }
}

/// What each operator recorded each day.
pub fn operators(f: &Frame<'_>, rows: &[OperatorDay], w: &Window) -> String {
    let l = f.lang;
    let body = html! {
        (window_note(l, w))
        p class="noprint" { a id="csv" href="/operators.csv" { (t(l, "dash.csv")) } }
        (operator_table(l, "operators", rows))
        p { (Message::new("dash.rows").arg("n", count(rows.len() as u64)).render(l)) }
    };
    page(f, &t(l, "dash.operators"), body)
}

pub fn operators_csv_header(l: Lang) -> String {
    super::csv_line(&operator_heads(l))
}

pub fn operators_csv_line(o: &OperatorDay) -> String {
    let mut fields = vec![o.day.clone(), o.kiosk.clone(), o.operator.clone()];
    fields.extend(operator_counts(o).iter().map(u64::to_string));
    super::csv_line(&fields)
}

/// What may need a call: many reversals, doubted clocks, entries dated
/// back, cash differences, one Aadhaar number at two kiosks.
pub fn anomalies(f: &Frame<'_>, a: &Anomalies, w: &Window) -> String {
    let l = f.lang;
    let none = |rows: usize| rows == 0;
    let body = html! {
        (window_note(l, w))
        p class="noprint" { a id="csv" href="/anomalies.csv" { (t(l, "dash.csv")) } }
        h2 { (t(l, "dash.anomaly_reversals")) }
        p class="rule" {
            (Message::new("dash.anomaly_reversals_rule")
                .arg("floor", super::REVERSAL_FLOOR)
                .arg("share", super::REVERSAL_SHARE)
                .render(l))
        }
        @if none(a.reversals.len()) { p class="none" { (t(l, "dash.none")) } }
        @else { (operator_table(l, "reversals", &a.reversals)) }
        h2 { (t(l, "dash.anomaly_clock")) }
        @if none(a.clock.len()) { p class="none" { (t(l, "dash.none")) } }
        @else { (operator_table(l, "clock", &a.clock)) }
        h2 { (t(l, "dash.anomaly_backdated")) }
        @if none(a.backdated.len()) { p class="none" { (t(l, "dash.none")) } }
        @else { (operator_table(l, "backdated", &a.backdated)) }
        h2 { (t(l, "dash.anomaly_difference")) }
        @if none(a.differences.len()) { p class="none" { (t(l, "dash.none")) } }
        @else {
            table id="differences" {
                thead { tr {
                    th { (t(l, "dash.date")) } th { (t(l, "dash.kiosk")) }
                    th class="n" { (t(l, "dash.difference")) } th { (t(l, "dash.reason")) }
                } }
                tbody {
                    @for d in &a.differences {
                        tr {
                            td { (period_label(&d.date)) } td { (d.kiosk) }
                            td class="n" { (rupees(d.variance)) } td { (d.reason) }
                        }
                    }
                }
            }
        }
        h2 { (t(l, "dash.anomaly_aadhaar")) }
        @if none(a.aadhaar.len()) { p class="none" { (t(l, "dash.none")) } }
        @else {
            table id="aadhaar" {
                thead { tr {
                    th { (t(l, "dash.aadhaar")) } th { (t(l, "dash.kiosk")) }
                    th { (t(l, "dash.member")) } th { (t(l, "dash.village")) }
                } }
                tbody {
                    @for r in &a.aadhaar {
                        tr {
                            td { (dastak_core::domain::aadhaar::masked(&r.last4)) }
                            td { (r.kiosk) } td { (r.member_id) } td { (r.village) }
                        }
                    }
                }
            }
        }
    };
    page(f, &t(l, "dash.anomalies"), body)
}

pub fn anomalies_csv_header(l: Lang) -> String {
    super::csv_line(&[
        t(l, "dash.anomaly"),
        t(l, "dash.date"),
        t(l, "dash.kiosk"),
        t(l, "dash.who"),
        t(l, "dash.detail"),
    ])
}

/// One line of [`Anomalies::lines`], its kind said in the officer's
/// language.
pub fn anomalies_csv_line(l: Lang, (key, fields): &(&'static str, [String; 4])) -> String {
    let mut all = vec![t(l, key)];
    all.extend(fields.iter().cloned());
    super::csv_line(&all)
}

/// The death claims the officer's kiosks filed: each with its member, its
/// state, the benefit, its risk flags in words and the steps taken. Steps
/// are taken with `dastak-lab claims` (the page reads only).
pub fn claims(
    f: &Frame<'_>,
    claims: &[crate::claims::LabClaim],
    notice: Option<(bool, &str)>,
) -> String {
    use dastak_core::domain::time::display_date;
    let l = f.lang;
    let body = html! {
        @if let Some((ok, text)) = notice {
            p class=(if ok { "ok" } else { "error" }) role="status" id="notice" { (text) }
        }
        p class="noprint" { a id="csv" href="/claims.csv" { (t(l, "dash.csv")) } }
        p class="rule" { (t(l, "dash.claims_rule")) }
        @if claims.is_empty() { p class="none" { (t(l, "dash.none")) } }
        @else {
            table id="claims" {
                thead { tr {
                    th { (t(l, "dash.claim")) } th { (t(l, "dash.kiosk")) }
                    th { (t(l, "dash.member")) } th { (t(l, "dash.village")) }
                    th { (t(l, "dash.died")) } th { (t(l, "dash.claim_state")) }
                    th class="n" { (t(l, "dash.benefit")) } th { (t(l, "dash.flags")) }
                    th { (t(l, "dash.steps")) }
                    @if f.role >= Role::Officer { th class="noprint" { (t(l, "dash.actions")) } }
                } }
                tbody {
                    @for c in claims {
                        @let m = c.member.clone().unwrap_or_default();
                        tr {
                            td { (c.number()) } td { (c.kiosk) }
                            td { (m.name) " (" (c.filing.member_id) ")" } td { (m.village) }
                            td { (display_date(c.filing.died_on)) }
                            td { (c.state.message().render(l)) }
                            td class="n" { (rupees(c.payable)) }
                            td class="flags" {
                                @for flag in &c.flags { div { "⚑ " (flag.message().render(l)) } }
                            }
                            td {
                                @for d in &c.steps {
                                    div { (step_line(l, d)) }
                                }
                            }
                            @if f.role >= Role::Officer {
                                td class="noprint actions" { (claim_actions(f, c)) }
                            }
                        }
                    }
                }
            }
        }
    };
    page(f, &t(l, "dash.claims"), body)
}

/// The fund's statement of a month: members by standing, the money in and
/// out with the opening and closing balance, the claims that moved (names
/// masked, as on the printed copy), and links to the months either side.
pub fn fund(f: &Frame<'_>, s: &dastak_core::wire::FundStatement) -> String {
    use dastak_core::domain::time::{display_date, month_code, month_start};
    let l = f.lang;
    let first = month_start(&s.month);
    let before = first.and_then(|d| d.yesterday().ok()).map(month_code);
    let after = first
        .and_then(|d| d.last_of_month().tomorrow().ok())
        .filter(|d| *d <= dastak_core::domain::time::local_date(f.as_of))
        .map(month_code);
    let m = &s.members;
    let standings = [
        ("dash.fund_good", m.good),
        ("dash.fund_grace", m.grace),
        ("dash.fund_waiting", m.waiting),
        ("dash.fund_lapsed", m.lapsed),
        ("dash.fund_died", m.died),
    ];
    let money = [
        ("dash.fund_opening", s.opening),
        ("dash.fund_collected", s.collected),
        ("dash.fund_payouts", s.payouts),
        ("dash.fund_fees", s.fees),
        ("dash.fund_closing", s.closing),
    ];
    let body = html! {
        p class="noprint" {
            @if let Some(b) = &before { a id="prev" href={ "/fund?month=" (b) } { "← " (t(l, "dash.fund_prev")) } }
            " "
            @if let Some(a) = &after { a id="next" href={ "/fund?month=" (a) } { (t(l, "dash.fund_next")) " →" } }
        }
        p id="fund-head" {
            (Message::new("dash.fund_head")
                .arg("month", first.map_or_else(|| s.month.clone(), |d| d.strftime("%m-%Y").to_string()))
                .arg("as_of", display_date(s.as_of))
                .render(l))
        }
        p class="rule" { (t(l, "dash.fund_rule")) }
        table id="fund-members" {
            thead { tr { th { (t(l, "dash.fund_standing")) } th class="n" { (t(l, "dash.fund_members")) } } }
            tbody { @for (key, n) in standings { tr { td { (t(l, key)) } td class="n" { (count(n)) } } } }
        }
        table id="fund-money" {
            thead { tr { th { } th class="n" { (t(l, "dash.amount")) } } }
            tbody {
                @for (key, p) in money { tr { td { (t(l, key)) } td class="n" { (rupees(p)) } } }
                tr { td { (t(l, "dash.receipts")) } td class="n" { (count(s.receipts)) } }
                tr { td { (t(l, "dash.reversals")) } td class="n" { (count(s.reversals)) } }
            }
        }
        h2 { (t(l, "dash.claims")) }
        @if s.claims.is_empty() { p class="none" { (t(l, "dash.none")) } }
        @else {
            table id="fund-claims" {
                thead { tr {
                    th { (t(l, "dash.date")) } th { (t(l, "dash.claim")) }
                    th { (t(l, "dash.member")) } th { (t(l, "dash.village")) }
                    th { (t(l, "dash.claim_state")) } th class="n" { (t(l, "dash.amount")) }
                } }
                tbody {
                    @for c in &s.claims {
                        tr {
                            td { (display_date(c.on)) } td { (c.claim) } td { (c.name) }
                            td { (c.village) } td { (t(l, c.step_key())) }
                            td class="n" { @if c.amount.0 > 0 { (rupees(c.amount)) } @else { "-" } }
                        }
                    }
                }
            }
        }
    };
    page(f, &t(l, "dash.fund"), body)
}

/// One claim log entry: when, who, what.
/// The steps an officer may take on a claim where it stands, each a small
/// form (the lab decides again when it is sent: the page only offers).
/// An approver's steps are offered to approvers; an officer's to all who
/// may act.
fn claim_actions(f: &Frame<'_>, c: &crate::claims::LabClaim) -> Markup {
    use crate::claims::State;
    let l = f.lang;
    let approver = f.role >= Role::Approver;
    let form = |step: &'static str, label: &'static str, fields: Markup| {
        html! {
            form method="post" action="/claims" class={ "step-" (step) } {
                input type="hidden" name="csrf" value=(f.csrf);
                input type="hidden" name="claim" value=(c.number());
                input type="hidden" name="step" value=(step);
                (fields)
                button type="submit" { (t(l, label)) }
            }
        }
    };
    let text = |name: &'static str, label: &'static str| {
        html! { label { (t(l, label)) " " input name=(name) required; } }
    };
    html! {
        @match c.state {
            State::Filed => {
                (form("verify", "dash.act_verify", html! {}))
                @if approver { (form("reject", "dash.act_reject", text("reasons", "dash.reasons"))) }
            }
            State::Verified => {
                (form("publish", "dash.act_publish", html! {}))
                @if approver { (form("reject", "dash.act_reject", text("reasons", "dash.reasons"))) }
            }
            State::Published => {
                (form("object", "dash.act_object", text("objection", "dash.objection")))
                @if approver {
                    (form("approve", "dash.act_approve", html! {}))
                    (form("reject", "dash.act_reject", text("reasons", "dash.reasons")))
                }
            }
            State::Approved => {
                @let payees: Vec<&str> = c.payees().iter().map(|p| p.name.as_str()).collect();
                (form("pay", "dash.act_pay", html! {
                    @let approved = c.approval().map_or(c.payable, |a| a.0);
                    label { (t(l, "dash.amount")) " "
                        input name="amount" required size="10"
                            value=(format!("{}.{:02}", approved.0 / 100, approved.0 % 100)); }
                    label { (t(l, "dash.bank_refs")) " " input name="bank_refs" required; }
                    @if !payees.is_empty() {
                        small { " " (Message::new("dash.bank_refs_each").arg("names", payees.join(", ")).render(l)) }
                    }
                    label { " " (t(l, "dash.paid_on")) " " input name="on" placeholder="dd-mm-yyyy"; }
                }))
            }
            _ => {}
        }
    }
}

fn step_line(l: Lang, d: &dastak_core::wire::Decision) -> String {
    let at =
        d.at.parse::<Timestamp>()
            .map(display_instant)
            .unwrap_or_else(|_| d.at.clone());
    format!(
        "{at} {}: {}",
        d.officer,
        crate::claims::step_message(&d.step).render(l)
    )
}

pub fn claims_csv_header(l: Lang) -> String {
    super::csv_line(&[
        t(l, "dash.claim"),
        t(l, "dash.kiosk"),
        t(l, "dash.member_id"),
        t(l, "dash.member"),
        t(l, "dash.village"),
        t(l, "dash.died"),
        t(l, "dash.claim_state"),
        t(l, "dash.benefit"),
        t(l, "dash.flags"),
    ])
}

pub fn claims_csv_line(l: Lang, c: &crate::claims::LabClaim) -> String {
    let m = c.member.clone().unwrap_or_default();
    let flags: Vec<String> = c.flags.iter().map(|f| f.message().render(l)).collect();
    super::csv_line(&[
        c.number().to_string(),
        c.kiosk.clone(),
        c.filing.member_id.clone(),
        m.name,
        m.village,
        c.filing.died_on.to_string(),
        c.state.code().to_string(),
        c.payable.grouped(),
        flags.join("; "),
    ])
}

/// The officers page (admins): add an officer, and the audit log.
pub fn officers(f: &Frame<'_>, log: &[AuditEntry], notice: Option<(bool, &str)>) -> String {
    let l = f.lang;
    let roles = [Role::Viewer, Role::Officer, Role::Approver, Role::Admin];
    let body = html! {
        @if let Some((ok, text)) = notice {
            p class=(if ok { "ok" } else { "error" }) role="status" { (text) }
        }
        h2 { (t(l, "dash.add_officer")) }
        form method="post" action="/officers" id="add-officer" {
            input type="hidden" name="csrf" value=(f.csrf);
            p { label for="o-name" { (t(l, "dash.name")) } input id="o-name" name="name" required; }
            p { label for="o-password" { (t(l, "dash.password")) }
                input id="o-password" name="password" type="password" autocomplete="new-password" required; }
            p { label for="o-role" { (t(l, "dash.role")) }
                select id="o-role" name="role" {
                    @for r in roles { option value=(r.as_str()) { (t(l, role_key(r))) } }
                } }
            p { label for="o-district" { (t(l, "dash.district")) } input id="o-district" name="district"; }
            button type="submit" { (t(l, "dash.add")) }
        }
        h2 { (t(l, "dash.audit")) }
        table id="audit" {
            thead { tr { th { (t(l, "dash.when")) } th { (t(l, "dash.name")) } th { (t(l, "dash.action")) } th { (t(l, "dash.detail")) } } }
            tbody {
                @for e in log {
                    tr { td { (when(Some(&e.at), l)) } td { (e.officer) } td { (action_label(l, &e.action)) } td { (e.detail) } }
                }
            }
        }
    };
    page(f, &t(l, "dash.officers"), body)
}

/// A refusal or failure as a page of its own.
pub fn problem(l: Lang, text: &str) -> String {
    html! {
        (DOCTYPE)
        html lang=(l.code()) {
            (head(l, &t(l, "dash.title")))
            body {
                header { strong { (t(l, "dash.title")) } }
                main {
                    p class="error" role="alert" { (text) }
                    p { a href="/overview" { (t(l, "dash.overview")) } " · " a href="/login" { (t(l, "dash.login")) } }
                }
            }
        }
    }
    .into_string()
}
