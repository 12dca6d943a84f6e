//! Projection: how each event changes the derived tables.
//!
//! The same function serves the live write path and `verify`'s rebuild, so
//! a rebuilt database can differ from the live one only if someone changed
//! the file behind the application's back.

use rusqlite::{Connection, OptionalExtension, params};

use crate::domain::event::{
    Body, ClockConfirmed, ContributionReversed, ContributionTaken, DayClosed, DuplicateAccepted,
    Enrolled, Event, GroupCreated, HouseholdsImported, KioskInitialised, MemberCorrected,
    MemberRegistered, NomineeChanged, OperatorAdded, SchemeDefined, SchemeLeft,
};
use crate::domain::event::{ClaimFiled, FundRulesSet, NomineesSet};
use crate::domain::receipt::ReceiptNo;
use crate::domain::search::{identity_key, phonetic_key};
use crate::domain::text::fold;
use crate::store::StoreError;

fn insert_receipt(
    conn: &Connection,
    receipt: &str,
    kind: &str,
    seq: u64,
) -> Result<(), StoreError> {
    let r = ReceiptNo::parse(receipt).ok_or_else(|| {
        StoreError::Corrupt(format!("event {seq} carries a malformed receipt number"))
    })?;
    crate::store::exec(
        conn,
        "INSERT INTO receipts (receipt_no, fy, n, kind, seq) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![receipt, r.fy.0, r.n, kind, seq],
    )?;
    Ok(())
}

/// One line of a member's change history (see `member_changes`).
#[allow(clippy::too_many_arguments)]
fn record_change(
    conn: &Connection,
    e: &Event,
    member_id: &str,
    what: &str,
    scheme: Option<&str>,
    old: Option<String>,
    new: &str,
    reason: &str,
    by: &str,
) -> Result<(), StoreError> {
    crate::store::exec(conn,
        "INSERT INTO member_changes (seq, member_id, at, what, scheme, old_value, new_value, reason, by_operator)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![e.seq, member_id, e.at, what, scheme, old, new, reason, by],
    )?;
    Ok(())
}

pub fn apply(conn: &Connection, e: &Event, hash: &str) -> Result<(), StoreError> {
    let seq = e.seq;
    match &e.body {
        Body::KioskInitialised(KioskInitialised {
            kiosk,
            panchayat,
            block,
            district,
            language,
        }) => {
            crate::store::exec(
                conn,
                "INSERT INTO kiosk (id, code, panchayat, block, district, language, seq)
                 VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)",
                params![kiosk, panchayat, block, district, language.code(), seq],
            )?;
        }
        Body::OperatorAdded(OperatorAdded {
            code,
            name,
            role,
            language,
            ..
        }) => {
            crate::store::exec(
                conn,
                "INSERT INTO operators (code, name, role, language, seq) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![code, name, role.code(), language.code(), seq],
            )?;
        }
        Body::SchemeDefined(SchemeDefined { scheme, .. }) => {
            crate::store::exec(
                conn,
                "INSERT INTO schemes (code, name_hi, name_en, definition, seq) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    scheme.code,
                    scheme.name_hi,
                    scheme.name_en,
                    serde_json::to_string(scheme)?,
                    seq
                ],
            )?;
        }
        Body::GroupCreated(GroupCreated {
            code,
            scheme,
            name,
            village,
            ..
        }) => {
            crate::store::exec(
                conn,
                "INSERT INTO scheme_groups (code, scheme, name, village, seq) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![code, scheme, name, village, seq],
            )?;
        }
        Body::HouseholdsImported(HouseholdsImported { rows, .. }) => {
            let mut hh = conn.prepare_cached(
                "INSERT INTO households (ration_card, village, seq) VALUES (?1, ?2, ?3)
                 ON CONFLICT (ration_card) DO NOTHING",
            )?;
            let mut person = conn.prepare_cached(
                "INSERT INTO pds_people (ration_card, name, gender, age, relation, seq, name_phonetic)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
            )?;
            for r in rows {
                hh.execute(params![r.ration_card, r.village, seq])?;
                person.execute(params![
                    r.ration_card,
                    r.name,
                    r.gender.code(),
                    r.age,
                    r.relation,
                    seq,
                    phonetic_key(&r.name),
                ])?;
            }
        }
        Body::MemberRegistered(MemberRegistered { member: m, .. }) => {
            crate::store::exec(conn,
                "INSERT INTO members (member_id, name, name_fold, relative_name, gender, birth, village,
                                      ration_card, phone, aadhaar_last4, aadhaar_hash, seq,
                                      name_key, relative_key)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                params![
                    m.member_id,
                    m.name,
                    fold(&m.name),
                    m.relative_name,
                    m.gender.code(),
                    serde_json::to_string(&m.birth)?,
                    m.village,
                    m.ration_card,
                    m.phone,
                    m.aadhaar.as_ref().map(|a| a.last4.clone()),
                    m.aadhaar.as_ref().map(|a| a.hash.clone()),
                    seq,
                    identity_key(&m.name),
                    identity_key(&m.relative_name),
                ],
            )?;
        }
        Body::Enrolled(Enrolled {
            member_id,
            scheme,
            group,
            on,
            nominee,
            ..
        }) => {
            crate::store::exec(
                conn,
                "INSERT INTO enrolments (member_id, scheme, group_code, enrolled_on, nominee_name,
                                         nominee_relation, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    member_id,
                    scheme,
                    group,
                    on.to_string(),
                    nominee.as_ref().map(|n| n.name.clone()),
                    nominee.as_ref().map(|n| n.relation.clone()),
                    seq
                ],
            )?;
        }
        Body::ContributionTaken(ContributionTaken {
            receipt,
            member_id,
            scheme,
            amount,
            first_period,
            periods,
            by,
        }) => {
            insert_receipt(conn, receipt, "contribution", seq)?;
            crate::store::exec(conn,
                "INSERT INTO contributions (receipt_no, member_id, scheme, amount, first_period, periods,
                                            operator, at, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![receipt, member_id, scheme, amount.0, first_period, periods, by, e.at, seq],
            )?;
            crate::store::exec(
                conn,
                "UPDATE enrolments SET periods_paid = periods_paid + ?3 WHERE member_id = ?1 AND scheme = ?2",
                params![member_id, scheme, periods],
            )?;
        }
        Body::ContributionReversed(ContributionReversed {
            receipt,
            original,
            member_id,
            scheme,
            amount,
            periods,
            reason,
            by,
        }) => {
            insert_receipt(conn, receipt, "reversal", seq)?;
            crate::store::exec(conn,
                "INSERT INTO reversals (receipt_no, original, member_id, scheme, amount, periods, reason,
                                        supervisor, at, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![receipt, original, member_id, scheme, amount.0, periods, reason, by, e.at, seq],
            )?;
            let changed = crate::store::exec(
                conn,
                "UPDATE contributions SET reversed_by = ?1 WHERE receipt_no = ?2 AND reversed_by IS NULL",
                params![receipt, original],
            )?;
            if changed != 1 {
                return Err(StoreError::Corrupt(format!(
                    "event {seq} reverses {original}, which is not reversible"
                )));
            }
            crate::store::exec(
                conn,
                "UPDATE enrolments SET periods_paid = periods_paid - ?3 WHERE member_id = ?1 AND scheme = ?2",
                params![member_id, scheme, periods],
            )?;
        }
        Body::DayClosed(DayClosed {
            date,
            notes,
            coins,
            counted,
            expected,
            variance,
            reason,
            through_seq,
            prev_close,
            by,
        }) => {
            crate::store::exec(conn,
                "INSERT INTO day_closes (seq, close_date, notes, coins, counted, expected, variance, reason,
                                         through_seq, prev_close, hash, operator, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                params![
                    seq,
                    date.to_string(),
                    serde_json::to_string(notes)?,
                    coins.0,
                    counted.0,
                    expected.0,
                    variance.0,
                    reason,
                    through_seq,
                    prev_close,
                    hash,
                    by,
                    e.at
                ],
            )?;
        }
        Body::ClockConfirmed(ClockConfirmed { .. }) => {}
        Body::MemberCorrected(MemberCorrected {
            member_id,
            phone,
            aadhaar,
            relative_name,
            reason,
            by,
        }) => {
            let change = |what: &str, old: Option<String>, new: &str| {
                record_change(conn, e, member_id, what, None, old, new, reason, by)
            };
            let (old_phone, old_last4, old_relative): (Option<String>, Option<String>, String) =
                crate::store::row(
                    conn,
                    "SELECT phone, aadhaar_last4, relative_name FROM members WHERE member_id = ?1",
                    [member_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )?;
            if let Some(p) = phone {
                crate::store::exec(
                    conn,
                    "UPDATE members SET phone = ?2 WHERE member_id = ?1",
                    params![member_id, p],
                )?;
                change("phone", old_phone, p)?;
            }
            if let Some(a) = aadhaar {
                crate::store::exec(
                    conn,
                    "UPDATE members SET aadhaar_last4 = ?2, aadhaar_hash = ?3 WHERE member_id = ?1",
                    params![member_id, a.last4, a.hash],
                )?;
                change(
                    "aadhaar",
                    old_last4.map(|l| crate::domain::aadhaar::masked(&l)),
                    &crate::domain::aadhaar::masked(&a.last4),
                )?;
            }
            if let Some(r) = relative_name {
                crate::store::exec(
                    conn,
                    "UPDATE members SET relative_name = ?2, relative_key = ?3 WHERE member_id = ?1",
                    params![member_id, r, identity_key(r)],
                )?;
                change("relative_name", Some(old_relative), r)?;
            }
        }
        Body::NomineeChanged(NomineeChanged {
            member_id,
            scheme,
            nominee,
            reason,
            by,
            ..
        }) => {
            let old: Option<(Option<String>, Option<String>)> = crate::store::row(conn,
                    "SELECT nominee_name, nominee_relation FROM enrolments WHERE member_id = ?1 AND scheme = ?2",
                    params![member_id, scheme],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((old_name, old_relation)) = old else {
                return Err(StoreError::Corrupt(format!(
                    "event {seq} changes the nominee of an enrolment that does not exist"
                )));
            };
            set_card_nominee(conn, member_id, scheme, &nominee.name, &nominee.relation)?;
            let show = |n: Option<String>, r: Option<String>| {
                n.map(|n| format!("{n} ({})", r.unwrap_or_default()))
            };
            record_change(
                conn,
                e,
                member_id,
                "nominee",
                Some(scheme),
                show(old_name, old_relation),
                &format!("{} ({})", nominee.name, nominee.relation),
                reason,
                by,
            )?;
        }
        Body::SchemeLeft(SchemeLeft {
            member_id,
            scheme,
            on,
            reason,
            by,
        }) => {
            let n = crate::store::exec(
                conn,
                "UPDATE enrolments SET left_on = ?3, left_reason = ?4
                 WHERE member_id = ?1 AND scheme = ?2 AND left_on IS NULL",
                params![member_id, scheme, on.to_string(), reason],
            )?;
            if n != 1 {
                return Err(StoreError::Corrupt(format!(
                    "event {seq} ends an enrolment that is not open"
                )));
            }
            record_change(
                conn,
                e,
                member_id,
                "left",
                Some(scheme),
                None,
                &on.to_string(),
                reason,
                by,
            )?;
        }
        Body::DuplicateAccepted(DuplicateAccepted {
            member_id,
            like,
            supervisor,
            reason,
            by,
        }) => {
            crate::store::exec(conn,
                "INSERT INTO duplicate_overrides (member_id, like_member, supervisor, reason, by_operator, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![member_id, like, supervisor, reason, by, seq],
            )?;
        }
        Body::FundRulesSet(FundRulesSet { scheme, rules, .. }) => {
            let json = serde_json::to_string(rules)
                .map_err(|e| StoreError::Corrupt(format!("event {seq}: {e}")))?;
            crate::store::exec(
                conn,
                "INSERT INTO fund_rules (seq, scheme, from_date, rules) VALUES (?1, ?2, ?3, ?4)",
                params![seq, scheme, rules.from.to_string(), json],
            )?;
        }
        Body::NomineesSet(NomineesSet {
            member_id,
            scheme,
            nominees,
            on,
            reason,
            by,
        }) => {
            for (i, n) in nominees.iter().enumerate() {
                crate::store::exec(
                    conn,
                    "INSERT INTO nominee_shares
                         (seq, position, member_id, scheme, on_date, name, relation, share)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![
                        seq,
                        i as i64,
                        member_id,
                        scheme,
                        on.to_string(),
                        n.name,
                        n.relation,
                        n.share
                    ],
                )?;
            }
            // The card's one nominee is the first, who takes what a split
            // leaves over; the change keeps every share.
            let old: Option<String> = crate::store::row(
                conn,
                "SELECT nominee_name || ' (' || COALESCE(nominee_relation, '') || ')'
                 FROM enrolments WHERE member_id = ?1 AND scheme = ?2",
                params![member_id, scheme],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
            if let Some(first) = nominees.first() {
                set_card_nominee(conn, member_id, scheme, &first.name, &first.relation)?;
            }
            let shown: Vec<String> = nominees
                .iter()
                .map(|n| format!("{} ({}) {}%", n.name, n.relation, n.share))
                .collect();
            record_change(
                conn,
                e,
                member_id,
                "nominees",
                Some(scheme),
                old,
                &shown.join(", "),
                reason,
                by,
            )?;
        }
        Body::ClaimFiled(c) => {
            let ClaimFiled {
                claim,
                member_id,
                scheme,
                died_on,
                cause,
                certificate,
                authority,
                claimant,
                account,
                bars,
                attested_by,
                by,
                // Kept in the event, for the lab, which pays the parts.
                nominees: _,
            } = c;
            let bars = serde_json::to_string(bars)
                .map_err(|e| StoreError::Corrupt(format!("event {seq}: {e}")))?;
            crate::store::exec(
                conn,
                "INSERT INTO claims (claim, seq, member_id, scheme, died_on, cause, certificate,
                     authority, claimant, relation, phone, nominee, reason, ifsc, account_last4,
                     account_sealed, bars, attested_by, by_operator, filed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                     ?17, ?18, ?19, ?20)",
                params![
                    claim,
                    seq,
                    member_id,
                    scheme,
                    died_on.to_string(),
                    cause.code(),
                    certificate,
                    authority,
                    claimant.name,
                    claimant.relation,
                    claimant.phone,
                    claimant.nominee,
                    claimant.reason,
                    account.ifsc.as_str(),
                    account.last4,
                    account.sealed,
                    bars,
                    attested_by,
                    by,
                    e.at
                ],
            )?;
        }
        Body::ClaimDecided(d) => {
            crate::store::exec(
                conn,
                "INSERT INTO claim_decisions (n, seq, claim, step, decision)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![d.n, seq, d.claim, d.step, d.decision],
            )?;
            // An objection is heard; it does not move the claim.
            if d.step != "objected" {
                crate::store::exec(
                    conn,
                    "UPDATE claims SET state = ?2 WHERE claim = ?1",
                    params![d.claim, d.step],
                )?;
            }
        }
    }
    Ok(())
}

/// The one nominee an enrolment's card shows (a change of nominee, or the
/// first of a set with shares).
fn set_card_nominee(
    conn: &Connection,
    member_id: &str,
    scheme: &str,
    name: &str,
    relation: &str,
) -> Result<(), StoreError> {
    crate::store::exec(
        conn,
        "UPDATE enrolments SET nominee_name = ?3, nominee_relation = ?4
         WHERE member_id = ?1 AND scheme = ?2",
        params![member_id, scheme, name, relation],
    )?;
    Ok(())
}
