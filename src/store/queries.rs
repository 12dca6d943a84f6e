//! Reads from the derived tables. Every query is parameterised.

use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use crate::domain::money::Paise;
use crate::domain::operator::Role;
use crate::domain::person::{Birth, Gender};
use crate::domain::scheme::Scheme;
use crate::i18n::Lang;
use crate::store::StoreError;

#[derive(Clone, Debug, Serialize)]
pub struct KioskInfo {
    pub code: String,
    pub panchayat: String,
    pub block: String,
    pub district: String,
    pub language: Lang,
}

pub fn kiosk(conn: &Connection) -> Result<Option<KioskInfo>, StoreError> {
    Ok(crate::store::row(
        conn,
        "SELECT code, panchayat, block, district, language FROM kiosk WHERE id = 1",
        [],
        |r| {
            Ok(KioskInfo {
                code: r.get(0)?,
                panchayat: r.get(1)?,
                block: r.get(2)?,
                district: r.get(3)?,
                language: Lang::parse(&r.get::<_, String>(4)?).unwrap_or_default(),
            })
        },
    )
    .optional()?)
}

#[derive(Clone, Debug, Serialize)]
pub struct OperatorRow {
    pub code: String,
    pub name: String,
    pub role: Role,
    pub language: Lang,
}

pub fn operator(conn: &Connection, code: &str) -> Result<Option<OperatorRow>, StoreError> {
    Ok(crate::store::row(
        conn,
        "SELECT code, name, role, language FROM operators WHERE code = ?1",
        [code],
        |r| {
            Ok(OperatorRow {
                code: r.get(0)?,
                name: r.get(1)?,
                role: Role::parse(&r.get::<_, String>(2)?).unwrap_or(Role::Volunteer),
                language: Lang::parse(&r.get::<_, String>(3)?).unwrap_or_default(),
            })
        },
    )
    .optional()?)
}

pub struct PinRow {
    pub phc: String,
    pub failures: u32,
    pub last_failure_at: Option<Timestamp>,
}

pub fn operator_pin(conn: &Connection, code: &str) -> Result<Option<PinRow>, StoreError> {
    Ok(crate::store::row(
        conn,
        "SELECT phc, failures, last_failure_at FROM operator_pins WHERE code = ?1",
        [code],
        |r| {
            Ok(PinRow {
                phc: r.get(0)?,
                failures: r.get(1)?,
                last_failure_at: r.get::<_, Option<String>>(2)?.and_then(|s| s.parse().ok()),
            })
        },
    )
    .optional()?)
}

pub fn scheme(conn: &Connection, code: &str) -> Result<Option<Scheme>, StoreError> {
    let def: Option<String> = crate::store::row(
        conn,
        "SELECT definition FROM schemes WHERE code = ?1",
        [code],
        |r| r.get(0),
    )
    .optional()?;
    Ok(match def {
        Some(d) => Some(serde_json::from_str(&d)?),
        None => None,
    })
}

pub fn schemes(conn: &Connection) -> Result<Vec<Scheme>, StoreError> {
    let mut stmt = conn.prepare("SELECT definition FROM schemes ORDER BY code")?;
    let defs: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    defs.iter().map(|d| Ok(serde_json::from_str(d)?)).collect()
}

#[derive(Clone, Debug, Serialize)]
pub struct GroupRow {
    pub code: String,
    pub scheme: String,
    pub name: String,
    pub village: String,
}

fn group_row(r: &Row<'_>) -> rusqlite::Result<GroupRow> {
    Ok(GroupRow {
        code: r.get(0)?,
        scheme: r.get(1)?,
        name: r.get(2)?,
        village: r.get(3)?,
    })
}

pub fn group(conn: &Connection, code: &str) -> Result<Option<GroupRow>, StoreError> {
    Ok(crate::store::row(
        conn,
        "SELECT code, scheme, name, village FROM scheme_groups WHERE code = ?1",
        [code],
        group_row,
    )
    .optional()?)
}

pub fn groups(conn: &Connection) -> Result<Vec<GroupRow>, StoreError> {
    let mut stmt =
        conn.prepare("SELECT code, scheme, name, village FROM scheme_groups ORDER BY code")?;
    Ok(stmt.query_map([], group_row)?.collect::<Result<_, _>>()?)
}

#[derive(Clone, Debug, Serialize)]
pub struct MemberRow {
    pub member_id: String,
    pub name: String,
    pub relative_name: String,
    pub gender: Gender,
    pub birth: Birth,
    pub village: String,
    pub ration_card: Option<String>,
    pub phone: Option<String>,
    pub aadhaar_last4: Option<String>,
}

const MEMBER_COLS: &str =
    "member_id, name, relative_name, gender, birth, village, ration_card, phone, aadhaar_last4";

fn member_row(r: &Row<'_>) -> rusqlite::Result<MemberRow> {
    let birth: String = r.get(4)?;
    Ok(MemberRow {
        member_id: r.get(0)?,
        name: r.get(1)?,
        relative_name: r.get(2)?,
        gender: Gender::parse(&r.get::<_, String>(3)?).unwrap_or(Gender::Other),
        birth: serde_json::from_str(&birth).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, Box::new(e))
        })?,
        village: r.get(5)?,
        ration_card: r.get(6)?,
        phone: r.get(7)?,
        aadhaar_last4: r.get(8)?,
    })
}

pub fn member(conn: &Connection, id: &str) -> Result<Option<MemberRow>, StoreError> {
    Ok(crate::store::row(
        conn,
        &format!("SELECT {MEMBER_COLS} FROM members WHERE member_id = ?1"),
        [id],
        member_row,
    )
    .optional()?)
}

pub fn member_by_aadhaar(conn: &Connection, hash: &str) -> Result<Option<MemberRow>, StoreError> {
    Ok(crate::store::row(
        conn,
        &format!("SELECT {MEMBER_COLS} FROM members WHERE aadhaar_hash = ?1"),
        [hash],
        member_row,
    )
    .optional()?)
}

/// Households of the ration-card list whose card contains `card`, or one
/// of whose people's names contains `name` as folded text or `phonetic` as a
/// phonetic key (either may be empty: it then matches nothing).
pub fn find_households(
    conn: &Connection,
    card: &str,
    name: &str,
    phonetic: &str,
    limit: u32,
) -> Result<Vec<(String, String)>, StoreError> {
    let like = |q: &str| {
        if q.is_empty() {
            None
        } else {
            Some(format!(
                "%{}%",
                q.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            ))
        }
    };
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT h.ration_card, h.village FROM households h
         JOIN pds_people p ON p.ration_card = h.ration_card
         WHERE lower(h.ration_card) LIKE ?1 ESCAPE '\\'
            OR lower(p.name) LIKE ?2 ESCAPE '\\'
            OR p.name_phonetic LIKE ?3 ESCAPE '\\'
         ORDER BY h.ration_card LIMIT ?4",
    )?;
    let rows = stmt
        .query_map(
            params![like(card), like(name), like(phonetic), limit],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// One person of a household on the ration-card list.
#[derive(Clone, Debug, Serialize)]
pub struct PdsPersonRow {
    pub name: String,
    pub gender: Gender,
    pub age: u8,
    pub relation: String,
}

pub fn pds_people(conn: &Connection, ration_card: &str) -> Result<Vec<PdsPersonRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, gender, age, relation FROM pds_people WHERE ration_card = ?1 ORDER BY age DESC",
    )?;
    let rows = stmt
        .query_map([ration_card], |r| {
            Ok(PdsPersonRow {
                name: r.get(0)?,
                gender: Gender::parse(&r.get::<_, String>(1)?).unwrap_or(Gender::Other),
                age: r.get(2)?,
                relation: r.get(3)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// A member registered on a ration card, with the schemes they are in.
#[derive(Clone, Debug, Serialize)]
pub struct HouseholdMemberRow {
    pub member_id: String,
    pub name: String,
    pub name_key: String,
    pub schemes: Vec<String>,
}

pub fn household_members(
    conn: &Connection,
    ration_card: &str,
) -> Result<Vec<HouseholdMemberRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.member_id, m.name, m.name_key, group_concat(e.scheme, ',')
         FROM members m LEFT JOIN enrolments e ON e.member_id = m.member_id
         WHERE m.ration_card = ?1 GROUP BY m.member_id ORDER BY m.member_id",
    )?;
    let rows = stmt
        .query_map([ration_card], |r| {
            let schemes: Option<String> = r.get(3)?;
            Ok(HouseholdMemberRow {
                member_id: r.get(0)?,
                name: r.get(1)?,
                name_key: r.get(2)?,
                schemes: schemes
                    .map(|s| s.split(',').map(str::to_string).collect())
                    .unwrap_or_default(),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Members who may be the person being registered: the same name (by
/// identity key, across scripts) on the same ration card, or the same name
/// and the same father's or husband's name anywhere in the kiosk.
pub fn possible_duplicates(
    conn: &Connection,
    name_key: &str,
    relative_key: &str,
    ration_card: Option<&str>,
) -> Result<Vec<MemberRow>, StoreError> {
    if name_key.is_empty() {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {MEMBER_COLS} FROM members
         WHERE name_key = ?1 AND (relative_key = ?2 OR (?3 IS NOT NULL AND ration_card = ?3))
         ORDER BY member_id LIMIT 5"
    ))?;
    let rows = stmt
        .query_map(params![name_key, relative_key, ration_card], member_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Another member of this household in a group of `scheme`: in `group`
/// only, when given, else in any group of the kiosk.
pub fn household_member_in_groups(
    conn: &Connection,
    ration_card: &str,
    scheme: &str,
    group: Option<&str>,
) -> Result<Option<MemberRow>, StoreError> {
    let cols = MEMBER_COLS
        .split(", ")
        .map(|c| format!("m.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    Ok(crate::store::row(
        conn,
        &format!(
            "SELECT {cols} FROM members m JOIN enrolments e ON e.member_id = m.member_id
                 WHERE m.ration_card = ?1 AND e.scheme = ?2 AND e.group_code IS NOT NULL
                   AND (?3 IS NULL OR e.group_code = ?3)
                 ORDER BY m.member_id LIMIT 1"
        ),
        params![ration_card, scheme, group],
        member_row,
    )
    .optional()?)
}

pub fn member_count(conn: &Connection) -> Result<u64, StoreError> {
    Ok(crate::store::row(
        conn,
        "SELECT COUNT(*) FROM members",
        [],
        |r| r.get(0),
    )?)
}

#[derive(Clone, Debug, Serialize)]
pub struct EnrolmentRow {
    pub member_id: String,
    pub scheme: String,
    pub group: Option<String>,
    pub enrolled_on: Date,
    pub nominee_name: Option<String>,
    pub nominee_relation: Option<String>,
    /// The member left the scheme on this date: no dues after it.
    pub left_on: Option<Date>,
    pub left_reason: Option<String>,
}

fn enrolment_row(r: &Row<'_>) -> rusqlite::Result<EnrolmentRow> {
    let on: String = r.get(3)?;
    let left: Option<String> = r.get(6)?;
    Ok(EnrolmentRow {
        member_id: r.get(0)?,
        scheme: r.get(1)?,
        group: r.get(2)?,
        enrolled_on: on.parse().map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, Box::new(e))
        })?,
        nominee_name: r.get(4)?,
        nominee_relation: r.get(5)?,
        left_on: left
            .map(|l| {
                l.parse().map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        6,
                        rusqlite::types::Type::Text,
                        Box::new(e),
                    )
                })
            })
            .transpose()?,
        left_reason: r.get(7)?,
    })
}

const ENROLMENT_COLS: &str = "member_id, scheme, group_code, enrolled_on, nominee_name, nominee_relation, left_on, left_reason";

/// One change to a member after registration, as the statement shows it.
#[derive(Clone, Debug, Serialize)]
pub struct MemberChangeRow {
    pub seq: u64,
    pub at: String,
    /// phone, aadhaar, relative_name, nominee or left.
    pub what: String,
    pub scheme: Option<String>,
    pub old_value: Option<String>,
    pub new_value: String,
    pub reason: String,
    pub by: String,
}

/// A `member_changes` row from its columns in table order, from `at`.
fn change_row(r: &Row<'_>, at: usize) -> rusqlite::Result<MemberChangeRow> {
    Ok(MemberChangeRow {
        seq: r.get(at)?,
        at: r.get(at + 1)?,
        what: r.get(at + 2)?,
        scheme: r.get(at + 3)?,
        old_value: r.get(at + 4)?,
        new_value: r.get(at + 5)?,
        reason: r.get(at + 6)?,
        by: r.get(at + 7)?,
    })
}

pub fn member_changes(
    conn: &Connection,
    member_id: &str,
) -> Result<Vec<MemberChangeRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, at, what, scheme, old_value, new_value, reason, by_operator
         FROM member_changes WHERE member_id = ?1 ORDER BY seq, what",
    )?;
    let rows = stmt
        .query_map([member_id], |r| change_row(r, 0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// One change by its event (for the nominee slip).
pub fn member_change(
    conn: &Connection,
    seq: u64,
    what: &str,
) -> Result<Option<(String, MemberChangeRow)>, StoreError> {
    Ok(crate::store::row(
        conn,
        "SELECT member_id, seq, at, what, scheme, old_value, new_value, reason, by_operator
             FROM member_changes WHERE seq = ?1 AND what = ?2",
        params![seq, what],
        |r| Ok((r.get(0)?, change_row(r, 1)?)),
    )
    .optional()?)
}

pub fn enrolments(conn: &Connection, member_id: &str) -> Result<Vec<EnrolmentRow>, StoreError> {
    enrolment_rows(conn, "member_id = ?1 ORDER BY scheme", member_id)
}

/// Every enrolment in `scheme`, by member.
pub fn enrolments_in(conn: &Connection, scheme: &str) -> Result<Vec<EnrolmentRow>, StoreError> {
    enrolment_rows(conn, "scheme = ?1 ORDER BY member_id", scheme)
}

/// Enrolments where `filter` (a fixed condition and order on `?1`) holds.
fn enrolment_rows(
    conn: &Connection,
    filter: &str,
    value: &str,
) -> Result<Vec<EnrolmentRow>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {ENROLMENT_COLS} FROM enrolments WHERE {filter}"
    ))?;
    Ok(stmt
        .query_map([value], enrolment_row)?
        .collect::<Result<_, _>>()?)
}

/// The money of `scheme` as it came in and went back: each contribution
/// (false) and each reversal (true) with its amount and when it was
/// recorded, in the order recorded.
pub fn scheme_takings(
    conn: &Connection,
    scheme: &str,
) -> Result<Vec<(String, Paise, bool)>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT at, amount, 0, seq FROM contributions WHERE scheme = ?1
         UNION ALL
         SELECT at, amount, 1, seq FROM reversals WHERE scheme = ?1
         ORDER BY 4",
    )?;
    Ok(stmt
        .query_map([scheme], |r| {
            Ok((r.get(0)?, Paise(r.get(1)?), r.get::<_, bool>(2)?))
        })?
        .collect::<Result<_, _>>()?)
}

pub fn enrolment(
    conn: &Connection,
    member_id: &str,
    scheme: &str,
) -> Result<Option<EnrolmentRow>, StoreError> {
    Ok(crate::store::row(
        conn,
        &format!("SELECT {ENROLMENT_COLS} FROM enrolments WHERE member_id = ?1 AND scheme = ?2"),
        params![member_id, scheme],
        enrolment_row,
    )
    .optional()?)
}

/// Periods paid for and not reversed.
pub fn periods_paid(conn: &Connection, member_id: &str, scheme: &str) -> Result<u32, StoreError> {
    // Kept by the projection: contributions less their reversals.
    Ok(crate::store::row(
        conn,
        "SELECT periods_paid FROM enrolments WHERE member_id = ?1 AND scheme = ?2",
        params![member_id, scheme],
        |r| r.get(0),
    )
    .optional()?
    .unwrap_or(0))
}

#[derive(Clone, Debug, Serialize)]
pub struct ContributionRow {
    pub receipt_no: String,
    pub member_id: String,
    pub scheme: String,
    pub amount: Paise,
    pub first_period: u32,
    pub periods: u32,
    pub operator: String,
    pub at: String,
    pub seq: u64,
    pub reversed_by: Option<String>,
}

fn contribution_row(r: &Row<'_>) -> rusqlite::Result<ContributionRow> {
    Ok(ContributionRow {
        receipt_no: r.get(0)?,
        member_id: r.get(1)?,
        scheme: r.get(2)?,
        amount: Paise(r.get(3)?),
        first_period: r.get(4)?,
        periods: r.get(5)?,
        operator: r.get(6)?,
        at: r.get(7)?,
        seq: r.get(8)?,
        reversed_by: r.get(9)?,
    })
}

const CONTRIBUTION_COLS: &str =
    "receipt_no, member_id, scheme, amount, first_period, periods, operator, at, seq, reversed_by";

pub fn contribution(
    conn: &Connection,
    receipt: &str,
) -> Result<Option<ContributionRow>, StoreError> {
    Ok(crate::store::row(
        conn,
        &format!("SELECT {CONTRIBUTION_COLS} FROM contributions WHERE receipt_no = ?1"),
        [receipt],
        contribution_row,
    )
    .optional()?)
}

pub fn contributions_of(
    conn: &Connection,
    member_id: &str,
) -> Result<Vec<ContributionRow>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {CONTRIBUTION_COLS} FROM contributions WHERE member_id = ?1 ORDER BY seq"
    ))?;
    Ok(stmt
        .query_map([member_id], contribution_row)?
        .collect::<Result<_, _>>()?)
}

#[derive(Clone, Debug, Serialize)]
pub struct ReversalRow {
    pub receipt_no: String,
    pub original: String,
    pub amount: Paise,
    pub reason: String,
    pub supervisor: String,
    pub at: String,
}

pub fn reversals_of(conn: &Connection, member_id: &str) -> Result<Vec<ReversalRow>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT receipt_no, original, amount, reason, supervisor, at FROM reversals WHERE member_id = ?1 ORDER BY seq",
    )?;
    Ok(stmt
        .query_map([member_id], |r| {
            Ok(ReversalRow {
                receipt_no: r.get(0)?,
                original: r.get(1)?,
                amount: Paise(r.get(2)?),
                reason: r.get(3)?,
                supervisor: r.get(4)?,
                at: r.get(5)?,
            })
        })?
        .collect::<Result<_, _>>()?)
}

/// The hash of event `seq`, if the ledger has it.
pub fn event_hash(conn: &Connection, seq: u64) -> Result<Option<String>, StoreError> {
    Ok(
        crate::store::row(conn, "SELECT hash FROM events WHERE seq = ?1", [seq], |r| {
            r.get(0)
        })
        .optional()?,
    )
}

/// The last event's sequence number and time.
pub fn last_event(conn: &Connection) -> Result<Option<(u64, Timestamp)>, StoreError> {
    let row: Option<(u64, String)> = crate::store::row(
        conn,
        "SELECT seq, at FROM events ORDER BY seq DESC LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?;
    Ok(row.and_then(|(s, at)| at.parse::<Timestamp>().ok().map(|t| (s, t))))
}

pub struct LastClose {
    pub seq: u64,
    pub hash: String,
    pub through_seq: u64,
    pub date: String,
}

pub fn last_day_close(conn: &Connection) -> Result<Option<LastClose>, StoreError> {
    Ok(crate::store::row(
        conn,
        "SELECT seq, hash, through_seq, close_date FROM day_closes ORDER BY seq DESC LIMIT 1",
        [],
        |r| {
            Ok(LastClose {
                seq: r.get(0)?,
                hash: r.get(1)?,
                through_seq: r.get(2)?,
                date: r.get(3)?,
            })
        },
    )
    .optional()?)
}

/// Cash taken in and paid back out by events after `after_seq`.
pub fn cash_since(conn: &Connection, after_seq: u64) -> Result<(Paise, Paise, u64), StoreError> {
    let taken: i64 = crate::store::row(
        conn,
        "SELECT COALESCE(SUM(amount), 0) FROM contributions WHERE seq > ?1",
        [after_seq],
        |r| r.get(0),
    )?;
    let refunded: i64 = crate::store::row(
        conn,
        "SELECT COALESCE(SUM(amount), 0) FROM reversals WHERE seq > ?1",
        [after_seq],
        |r| r.get(0),
    )?;
    let count: u64 = crate::store::row(
        conn,
        "SELECT COUNT(*) FROM contributions WHERE seq > ?1",
        [after_seq],
        |r| r.get(0),
    )?;
    Ok((Paise(taken), Paise(refunded), count))
}

/// Contributions after `after_seq` that have not been reversed.
pub fn standing_receipts_since(conn: &Connection, after_seq: u64) -> Result<u64, StoreError> {
    Ok(crate::store::row(
        conn,
        "SELECT COUNT(*) FROM contributions c WHERE c.seq > ?1
         AND NOT EXISTS (SELECT 1 FROM reversals r WHERE r.original = c.receipt_no)",
        [after_seq],
        |r| r.get(0),
    )?)
}

/// What the next day close covers: the previous close, and the cash taken
/// in (less reversals paid out) by the events after it.
pub struct OpenCash {
    pub last_close: Option<LastClose>,
    pub expected: Paise,
    pub contributions: u64,
}

pub fn open_cash(conn: &Connection) -> Result<OpenCash, StoreError> {
    let last_close = last_day_close(conn)?;
    let after = last_close.as_ref().map(|c| c.through_seq).unwrap_or(0);
    let (taken, refunded, contributions) = cash_since(conn, after)?;
    Ok(OpenCash {
        last_close,
        expected: Paise(taken.0 - refunded.0),
        contributions,
    })
}

/// Every member as the console's search index needs them.
pub fn search_entries(conn: &Connection) -> Result<Vec<crate::domain::search::Entry>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT member_id, name, relative_name, phone, ration_card, village FROM members ORDER BY member_id",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok(crate::domain::search::Entry {
                member_id: r.get(0)?,
                name: r.get(1)?,
                relative_name: r.get(2)?,
                phone: r.get(3)?,
                ration_card: r.get(4)?,
                village: r.get(5)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Whether a PDS person is already loaded.
pub fn pds_person_exists(
    conn: &Connection,
    ration_card: &str,
    name: &str,
    relation: &str,
) -> Result<bool, StoreError> {
    Ok(crate::store::row(
        conn,
        "SELECT 1 FROM pds_people WHERE ration_card = ?1 AND name = ?2 AND relation = ?3",
        params![ration_card, name, relation],
        |_| Ok(()),
    )
    .optional()?
    .is_some())
}

pub fn household_village(
    conn: &Connection,
    ration_card: &str,
) -> Result<Option<String>, StoreError> {
    Ok(crate::store::row(
        conn,
        "SELECT village FROM households WHERE ration_card = ?1",
        [ration_card],
        |r| r.get(0),
    )
    .optional()?)
}

#[derive(Clone, Debug, Serialize)]
pub struct Unreached {
    pub ration_card: String,
    pub head: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct VillageCoverage {
    pub village: String,
    pub households: u64,
    pub reached: u64,
    pub unreached: Vec<Unreached>,
}

/// Per village: households on the PDS list, how many have at least one
/// member enrolled in any scheme, and the ones not yet reached.
pub fn coverage(conn: &Connection) -> Result<Vec<VillageCoverage>, StoreError> {
    let mut out: Vec<VillageCoverage> = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT h.village, h.ration_card,
                EXISTS (SELECT 1 FROM members m JOIN enrolments e ON e.member_id = m.member_id
                        WHERE m.ration_card = h.ration_card) AS reached,
                COALESCE((SELECT p.name FROM pds_people p WHERE p.ration_card = h.ration_card
                          ORDER BY (lower(p.relation) IN ('head', 'self', 'मुखिया', 'स्वयं')) DESC, p.age DESC
                          LIMIT 1), '') AS head
         FROM households h ORDER BY h.village, h.ration_card",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let village: String = r.get(0)?;
        let rc: String = r.get(1)?;
        let reached: bool = r.get(2)?;
        let head: String = r.get(3)?;
        if out.last().is_none_or(|v| v.village != village) {
            out.push(VillageCoverage {
                village: village.clone(),
                households: 0,
                reached: 0,
                unreached: Vec::new(),
            });
        }
        if let Some(v) = out.last_mut() {
            v.households += 1;
            if reached {
                v.reached += 1;
            } else {
                v.unreached.push(Unreached {
                    ration_card: rc,
                    head,
                });
            }
        }
    }
    Ok(out)
}

#[derive(Clone, Debug, Serialize)]
pub struct ReversalSlipRow {
    pub receipt_no: String,
    pub original: String,
    pub member_id: String,
    pub scheme: String,
    pub amount: Paise,
    pub reason: String,
    pub supervisor: String,
    pub at: String,
}

pub fn reversal(conn: &Connection, receipt: &str) -> Result<Option<ReversalSlipRow>, StoreError> {
    Ok(crate::store::row(
        conn,
        "SELECT receipt_no, original, member_id, scheme, amount, reason, supervisor, at
             FROM reversals WHERE receipt_no = ?1",
        [receipt],
        |r| {
            Ok(ReversalSlipRow {
                receipt_no: r.get(0)?,
                original: r.get(1)?,
                member_id: r.get(2)?,
                scheme: r.get(3)?,
                amount: Paise(r.get(4)?),
                reason: r.get(5)?,
                supervisor: r.get(6)?,
                at: r.get(7)?,
            })
        },
    )
    .optional()?)
}

#[derive(Clone, Debug, Serialize)]
pub struct DayCloseRow {
    pub seq: u64,
    pub close_date: String,
    /// The notes counted, by denomination.
    pub notes: Vec<crate::domain::cash::NoteCount>,
    pub coins: Paise,
    pub counted: Paise,
    pub expected: Paise,
    pub variance: Paise,
    pub reason: Option<String>,
    pub operator: String,
    pub at: String,
    /// Contributions the close covered.
    pub contributions: u64,
}

pub fn day_close(conn: &Connection, seq: u64) -> Result<Option<DayCloseRow>, StoreError> {
    Ok(crate::store::row(
        conn,
        "SELECT d.seq, d.close_date, d.notes, d.coins, d.counted, d.expected, d.variance,
                    d.reason, d.operator, d.at,
                    (SELECT COUNT(*) FROM contributions c WHERE c.seq <= d.through_seq AND c.seq >
                        COALESCE((SELECT p.through_seq FROM day_closes p WHERE p.seq < d.seq
                                  ORDER BY p.seq DESC LIMIT 1), 0))
             FROM day_closes d WHERE d.seq = ?1",
        [seq],
        |r| {
            Ok(DayCloseRow {
                seq: r.get(0)?,
                close_date: r.get(1)?,
                notes: {
                    let json: String = r.get(2)?;
                    serde_json::from_str(&json).map_err(|e| {
                        rusqlite::Error::FromSqlConversionFailure(
                            2,
                            rusqlite::types::Type::Text,
                            Box::new(e),
                        )
                    })?
                },
                coins: Paise(r.get(3)?),
                counted: Paise(r.get(4)?),
                expected: Paise(r.get(5)?),
                variance: Paise(r.get(6)?),
                reason: r.get(7)?,
                operator: r.get(8)?,
                at: r.get(9)?,
                contributions: r.get(10)?,
            })
        },
    )
    .optional()?)
}

/// Whether `receipt` is a reversal slip's number (from the same series as
/// receipts).
pub fn is_reversal_slip(conn: &Connection, receipt: &str) -> Result<bool, StoreError> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM reversals WHERE receipt_no = ?1)",
        [receipt],
        |row| row.get(0),
    )?)
}

/// The members in a self-help group now, by name: id, name, relative's
/// name and the day each joined.
pub fn group_members(
    conn: &Connection,
    group: &str,
) -> Result<Vec<(String, String, String, jiff::civil::Date)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.member_id, m.name, m.relative_name, e.enrolled_on FROM enrolments e
         JOIN members m ON m.member_id = e.member_id
         WHERE e.group_code = ?1 AND e.left_on IS NULL ORDER BY m.name_fold",
    )?;
    let rows = stmt
        .query_map([group], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, String>(3)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(|(id, name, rel, on)| {
            let on = on
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("enrolment date {on:?} of {id}")))?;
            Ok((id, name, rel, on))
        })
        .collect()
}

/// Households on the PDS list.
pub fn household_count(conn: &Connection) -> Result<u64, StoreError> {
    Ok(conn.query_row("SELECT COUNT(*) FROM households", [], |r| r.get(0))?)
}

/// The operator who registered a member, read from the registration event
/// itself (through the shared event format: no SQL reads an event's JSON).
pub fn registered_by(conn: &Connection, member_id: &str) -> Result<Option<String>, StoreError> {
    let bytes: Option<Vec<u8>> = conn
        .query_row(
            "SELECT e.canonical FROM members m JOIN events e ON e.seq = m.seq
             WHERE m.member_id = ?1",
            [member_id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(bytes) = bytes else {
        return Ok(None);
    };
    Ok(
        match crate::domain::event::Event::from_canonical(&bytes)?.body {
            crate::domain::event::Body::MemberRegistered(r) => Some(r.by),
            _ => None,
        },
    )
}

/// Every event after `seq`, in order: its number, canonical bytes and hash
/// (what goes into batches for the lab).
pub fn events_after(
    conn: &Connection,
    seq: u64,
) -> Result<Vec<(u64, Vec<u8>, String)>, StoreError> {
    let mut stmt =
        conn.prepare("SELECT seq, canonical, hash FROM events WHERE seq > ?1 ORDER BY seq")?;
    let rows = stmt
        .query_map([seq], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// What names nominees, in the order recorded: every enrolment, change of
/// nominee and set of nominees with shares (read whole only when a claim
/// asks who was nominee on the day of death, which is rare).
pub fn nominee_history(conn: &Connection) -> Result<Vec<crate::domain::event::Body>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT seq, canonical FROM events
         WHERE kind IN ('enrolled', 'nominee_changed', 'nominees_set') ORDER BY seq",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (seq, bytes) = row?;
        let e = crate::domain::event::Event::from_canonical(&bytes)
            .map_err(|e| StoreError::Corrupt(format!("event {seq}: {e}")))?;
        out.push(e.body);
    }
    Ok(out)
}

/// The versions of a fund scheme's rules as recorded (JSON of
/// `domain::fund::FundRules`), in the order they were recorded.
pub fn fund_rules(conn: &Connection, scheme: &str) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare("SELECT rules FROM fund_rules WHERE scheme = ?1 ORDER BY seq")?;
    Ok(stmt
        .query_map([scheme], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

/// The operator who recorded a member's enrolment in a scheme (from the
/// event that enrolled her).
pub fn enrolled_by(
    conn: &Connection,
    member_id: &str,
    scheme: &str,
) -> Result<Option<String>, StoreError> {
    let bytes: Option<Vec<u8>> = crate::store::row(
        conn,
        "SELECT e.canonical FROM events e JOIN enrolments n ON n.seq = e.seq
         WHERE n.member_id = ?1 AND n.scheme = ?2",
        params![member_id, scheme],
        |r| r.get(0),
    )
    .optional()?;
    match bytes {
        Some(b) => Ok(Some(
            crate::domain::event::Event::from_canonical(&b)?
                .body
                .by()
                .to_string(),
        )),
        None => Ok(None),
    }
}

/// A claim as the member card and the statement show it.
#[derive(Clone, Debug, Serialize)]
pub struct ClaimRow {
    pub claim: String,
    pub member_id: String,
    pub died_on: String,
    pub claimant: String,
    pub account: String,
    pub state: String,
    /// The reasons the kiosk found it not payable when it was filed.
    pub bars: Vec<crate::domain::fund::Bar>,
}

const CLAIM_COLS: &str = "claim, member_id, died_on, claimant, ifsc, account_last4, state, bars";

fn claim_row(r: &Row<'_>) -> rusqlite::Result<ClaimRow> {
    let ifsc: String = r.get(4)?;
    let last4: String = r.get(5)?;
    let bars: String = r.get(7)?;
    Ok(ClaimRow {
        claim: r.get(0)?,
        member_id: r.get(1)?,
        died_on: r.get(2)?,
        claimant: r.get(3)?,
        account: format!("{ifsc} ····{last4}"),
        state: r.get(6)?,
        bars: serde_json::from_str(&bars).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(7, rusqlite::types::Type::Text, Box::new(e))
        })?,
    })
}

/// A member's claims, newest first.
pub fn claims_of(conn: &Connection, member_id: &str) -> Result<Vec<ClaimRow>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {CLAIM_COLS} FROM claims WHERE member_id = ?1 ORDER BY seq DESC"
    ))?;
    Ok(stmt
        .query_map([member_id], claim_row)?
        .collect::<Result<_, _>>()?)
}

/// A claim for the member in the scheme that is not closed by a
/// rejection: a second one is not filed beside it.
pub fn open_claim(
    conn: &Connection,
    member_id: &str,
    scheme: &str,
) -> Result<Option<String>, StoreError> {
    Ok(crate::store::row(
        conn,
        "SELECT claim FROM claims WHERE member_id = ?1 AND scheme = ?2 AND state <> 'rejected'
         ORDER BY seq DESC LIMIT 1",
        params![member_id, scheme],
        |r| r.get(0),
    )
    .optional()?)
}

/// The date of death a claim records for the member (the latest claim
/// the lab has not rejected: a rejected one may have been a death that
/// was not), whatever the scheme: nothing falls due after it.
pub fn recorded_death(
    conn: &Connection,
    member_id: &str,
) -> Result<Option<jiff::civil::Date>, StoreError> {
    let died: Option<String> = crate::store::row(
        conn,
        "SELECT died_on FROM claims WHERE member_id = ?1 AND state <> 'rejected'
         ORDER BY seq DESC LIMIT 1",
        [member_id],
        |r| r.get(0),
    )
    .optional()?;
    died.map(|d| {
        d.parse()
            .map_err(|e| StoreError::Corrupt(format!("claims.died_on {d}: {e}")))
    })
    .transpose()
}

/// How many claims this kiosk has filed (the next one's number follows).
pub fn claims_count(conn: &Connection) -> Result<u64, StoreError> {
    let n: i64 = crate::store::row(conn, "SELECT COUNT(*) FROM claims", [], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// A claim as its slip shows it.
#[derive(Clone, Debug)]
pub struct ClaimDetail {
    pub claim: String,
    pub member_id: String,
    pub scheme: String,
    pub died_on: String,
    pub cause: String,
    pub certificate: String,
    pub authority: String,
    pub claimant: String,
    pub relation: String,
    pub nominee: bool,
    pub reason: Option<String>,
    pub ifsc: String,
    pub last4: String,
    pub bars: Vec<crate::domain::fund::Bar>,
    pub attested_by: String,
    pub by: String,
    pub filed_at: String,
}

/// One claim by its number.
pub fn claim(conn: &Connection, claim: &str) -> Result<Option<ClaimDetail>, StoreError> {
    Ok(crate::store::row(
        conn,
        "SELECT claim, member_id, scheme, died_on, cause, certificate, authority, claimant,
                relation, nominee, reason, ifsc, account_last4, bars, attested_by, by_operator,
                filed_at
         FROM claims WHERE claim = ?1",
        [claim],
        |r| {
            let bars: String = r.get(13)?;
            Ok(ClaimDetail {
                claim: r.get(0)?,
                member_id: r.get(1)?,
                scheme: r.get(2)?,
                died_on: r.get(3)?,
                cause: r.get(4)?,
                certificate: r.get(5)?,
                authority: r.get(6)?,
                claimant: r.get(7)?,
                relation: r.get(8)?,
                nominee: r.get(9)?,
                reason: r.get(10)?,
                ifsc: r.get(11)?,
                last4: r.get(12)?,
                bars: serde_json::from_str(&bars).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        13,
                        rusqlite::types::Type::Text,
                        Box::new(e),
                    )
                })?,
                attested_by: r.get(14)?,
                by: r.get(15)?,
                filed_at: r.get(16)?,
            })
        },
    )
    .optional()?)
}

/// The nominees a claim names as in force on the day of death, with their
/// shares, as its `claim_filed` event holds them (empty when it names none).
pub fn claim_nominees(
    conn: &Connection,
    claim: &str,
) -> Result<Vec<crate::domain::event::NomineeShare>, StoreError> {
    let found: Option<(i64, Vec<u8>)> = crate::store::row(
        conn,
        "SELECT e.seq, e.canonical FROM claims c JOIN events e ON e.seq = c.seq
         WHERE c.claim = ?1",
        [claim],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?;
    let Some((seq, bytes)) = found else {
        return Ok(Vec::new());
    };
    match crate::domain::event::Event::from_canonical(&bytes)
        .map_err(|e| StoreError::Corrupt(format!("event {seq}: {e}")))?
        .body
    {
        crate::domain::event::Body::ClaimFiled(c) => Ok(c.nominees),
        _ => Err(StoreError::Corrupt(format!(
            "claim {claim}: event {seq} is not its filing"
        ))),
    }
}

/// Whether the lab's decision `signed` (its bytes as signed) is recorded
/// here. By its bytes, not its number: each lab numbers its own log, and a
/// kiosk linked anew to another lab gets numbers the first one used.
pub fn decision_recorded(conn: &Connection, signed: &str) -> Result<bool, StoreError> {
    Ok(crate::store::row(
        conn,
        "SELECT EXISTS (SELECT 1 FROM claim_decisions WHERE decision = ?1)",
        [signed],
        |r| r.get::<_, bool>(0),
    )?)
}

/// The lab's decision of `step` on `claim`, as it signed it (a claim
/// takes each step that prints a paper at most once).
pub fn decision_of(
    conn: &Connection,
    claim: &str,
    step: &str,
) -> Result<Option<String>, StoreError> {
    Ok(crate::store::row(
        conn,
        "SELECT decision FROM claim_decisions WHERE claim = ?1 AND step = ?2 ORDER BY seq LIMIT 1",
        [claim, step],
        |r| r.get(0),
    )
    .optional()?)
}

/// The decisions recorded on `claim`, as their labs signed them, in the
/// order recorded.
pub fn decisions_of(conn: &Connection, claim: &str) -> Result<Vec<String>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT decision FROM claim_decisions WHERE claim = ?1 ORDER BY seq")?;
    let rows = stmt
        .query_map([claim], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Keeps a month's statement of a fund as the lab signed it, unless one
/// the lab made later is held; true when kept. A statement kept again
/// waits in the print queue again (a fresh copy, not a duplicate).
pub fn keep_statement(
    conn: &Connection,
    scheme: &str,
    month: &str,
    made_at: &str,
    statement: &str,
    received_at: &str,
    lab_key: &str,
) -> Result<bool, StoreError> {
    let kept = conn.execute(
        "INSERT INTO fund_statements (scheme, month, made_at, statement, received_at, lab_key)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (scheme, month) DO UPDATE SET made_at = excluded.made_at,
             statement = excluded.statement, received_at = excluded.received_at,
             lab_key = excluded.lab_key
         WHERE excluded.made_at > fund_statements.made_at",
        params![scheme, month, made_at, statement, received_at, lab_key],
    )? > 0;
    if kept {
        let reference = format!("{scheme}-{month}");
        conn.execute(
            "INSERT INTO print_jobs (doc, ref, created_at) VALUES ('fund_statement', ?1, ?2)
             ON CONFLICT (doc, ref) DO UPDATE SET printed_at = NULL, copies = 0,
                 attempts = 0, last_error = NULL, created_at = excluded.created_at",
            params![reference, received_at],
        )?;
    }
    Ok(kept)
}

/// The statement of `scheme` for `month` (YYYY-MM), as the lab signed it.
pub fn statement(
    conn: &Connection,
    scheme: &str,
    month: &str,
) -> Result<Option<String>, StoreError> {
    Ok(crate::store::row(
        conn,
        "SELECT statement FROM fund_statements WHERE scheme = ?1 AND month = ?2",
        [scheme, month],
        |r| r.get(0),
    )
    .optional()?)
}

/// The key (hex) the statement of `scheme` for `month` was checked with
/// when it was kept; None when none is held or it was kept before the
/// kiosk recorded keys (schema v8).
pub fn statement_key(
    conn: &Connection,
    scheme: &str,
    month: &str,
) -> Result<Option<String>, StoreError> {
    Ok(crate::store::row(
        conn,
        "SELECT lab_key FROM fund_statements WHERE scheme = ?1 AND month = ?2",
        [scheme, month],
        |r| r.get::<_, Option<String>>(0),
    )
    .optional()?
    .flatten())
}

/// The latest month of `scheme` a statement is held for.
pub fn newest_statement_month(
    conn: &Connection,
    scheme: &str,
) -> Result<Option<String>, StoreError> {
    Ok(crate::store::row(
        conn,
        "SELECT month FROM fund_statements WHERE scheme = ?1 ORDER BY month DESC LIMIT 1",
        [scheme],
        |r| r.get(0),
    )
    .optional()?)
}
