//! Batches to the district lab: exactly once, by USB stick or network,
//! unreadable on the way.
//!
//! The kiosk keeps one number: `acked_through`, the last event the lab has
//! acknowledged holding (a signed statement, checked against this kiosk's
//! own chain). Everything after it is pending and is sent — again and
//! again, by stick or network — until an acknowledgement covers it. The lab
//! inserts idempotently by (kiosk, sequence), so sending twice is harmless;
//! a lab that acknowledges *less* than before (restored from a backup) makes
//! the kiosk send the rest again.
//!
//! Batches are signed by the kiosk (ed25519) and encrypted to the lab
//! (age, X25519) in [`seal`]: a lost stick leaks nothing.

pub use dastak_core::wire as batch;
pub mod eject;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use ed25519_dalek::{SigningKey, VerifyingKey};
use jiff::Timestamp;
use serde::Serialize;

use dastak_core::durable::{self, Access};

use crate::domain::event::GENESIS;
use crate::domain::proof::parse_public_key;
use crate::domain::time::format_instant;
use crate::i18n::{Localized, Message, english};
use crate::store::{Store, StoreError, lab_link, queries};
use batch::{Ack, BatchBody, BatchError, MAX_EVENTS, SealError};
pub use batch::{LINK_FILE, batch_file_name, stick_folder, unseal};

#[derive(Debug, thiserror::Error)]
#[error("{}", english(self))]
pub enum SyncError {
    Store(#[from] StoreError),
    NotLinked,
    NoUrl,
    BadRecipient,
    BadLabKey,
    /// The stick: pulled out, full, read-only or otherwise failing.
    Stick {
        path: String,
        detail: String,
        kind: StickProblem,
    },
    Network {
        detail: String,
    },
    /// The lab refused what we sent (its answer says why).
    Refused {
        status: u16,
        detail: String,
    },
    Batch(#[from] BatchError),
    /// An acknowledgement that does not match this kiosk's chain.
    AckMismatch {
        seq: u64,
    },
    Encrypt {
        detail: String,
    },
    /// No lab link file on the stick.
    NoLinkFile {
        path: String,
    },
    /// A link file that is damaged or was changed after the lab signed it.
    BadLinkFile {
        path: String,
    },
    /// A well-signed link file from a lab this kiosk's settings do not name.
    UntrustedLab {
        key: String,
    },
    /// The settings name no lab at all, so no link file can be checked.
    NoTrustedLab,
    /// A decision in an acknowledgement that is not the lab's, not on
    /// this kiosk's claims, or out of a claim's order: the whole
    /// acknowledgement is refused.
    BadDecision {
        claim: String,
        n: u64,
    },
    /// No fund statement on the stick.
    NoStatement {
        path: String,
    },
    /// A statement file that is damaged, changed, or not signed by the
    /// lab this kiosk is linked to.
    BadStatement {
        path: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StickProblem {
    /// Nothing at the path: no stick plugged in, or not mounted.
    Missing,
    Full,
    ReadOnly,
    Gone,
    Other,
}

impl SyncError {
    /// Network trouble and a busy database pass; try again.
    pub fn is_retryable(&self) -> bool {
        match self {
            SyncError::Network { .. } => true,
            SyncError::Refused { status, .. } => *status >= 500,
            SyncError::Store(e) => e.is_retryable(),
            _ => false,
        }
    }
}

impl Localized for SyncError {
    fn message(&self) -> Message {
        match self {
            SyncError::Store(e) => e.message(),
            SyncError::NotLinked => Message::new("sync.not_linked"),
            SyncError::NoUrl => Message::new("sync.no_url"),
            SyncError::BadRecipient => Message::new("sync.bad_recipient"),
            SyncError::BadLabKey => Message::new("sync.bad_lab_key"),
            SyncError::Stick { path, detail, kind } => Message::new(match kind {
                StickProblem::Missing => "sync.no_stick",
                StickProblem::Full => "sync.stick_full",
                StickProblem::ReadOnly => "sync.stick_read_only",
                StickProblem::Gone => "sync.stick_gone",
                StickProblem::Other => "sync.stick_other",
            })
            .arg("path", path)
            .arg("detail", detail),
            SyncError::Network { detail } => Message::new("sync.network").arg("detail", detail),
            SyncError::Refused { status, detail } => Message::new("sync.refused")
                .arg("status", status)
                .arg("detail", detail),
            SyncError::Batch(e) => e.message(),
            SyncError::BadDecision { claim, n } => Message::new("sync.bad_decision")
                .arg("claim", claim)
                .arg("n", n),
            SyncError::AckMismatch { seq } => Message::new("sync.ack_mismatch").arg("seq", seq),
            SyncError::Encrypt { detail } => Message::new("sync.encrypt").arg("detail", detail),
            SyncError::NoLinkFile { path } => Message::new("sync.no_link_file").arg("path", path),
            SyncError::BadLinkFile { path } => Message::new("sync.bad_link_file").arg("path", path),
            SyncError::UntrustedLab { key } => {
                Message::new("sync.untrusted_lab").arg("key", short_key(key))
            }
            SyncError::NoTrustedLab => Message::new("sync.no_trusted_lab"),
            SyncError::NoStatement { path } => Message::new("sync.no_statement").arg("path", path),
            SyncError::BadStatement { path } => {
                Message::new("sync.bad_statement").arg("path", path)
            }
        }
    }
}

fn stick_err(path: &Path, e: &std::io::Error) -> SyncError {
    let kind = match e.raw_os_error() {
        Some(libc::ENOSPC) | Some(libc::EDQUOT) => StickProblem::Full,
        Some(libc::EROFS) | Some(libc::EACCES) | Some(libc::EPERM) => StickProblem::ReadOnly,
        Some(libc::ENOENT) | Some(libc::EIO) | Some(libc::ENODEV) | Some(libc::ENXIO) => {
            StickProblem::Gone
        }
        _ => StickProblem::Other,
    };
    SyncError::Stick {
        path: path.display().to_string(),
        detail: e.to_string(),
        kind,
    }
}

/// Encrypts signed batch bytes to the lab.
pub fn seal(bytes: &[u8], recipient: &str) -> Result<Vec<u8>, SyncError> {
    batch::seal(bytes, recipient).map_err(|e| match e {
        SealError::BadRecipient => SyncError::BadRecipient,
        SealError::Encrypt { detail } => SyncError::Encrypt { detail },
    })
}

pub use crate::store::lab_link::Link;

pub fn link_info(store: &Store) -> Result<Option<Link>, SyncError> {
    Ok(lab_link::get(store.conn())?)
}

/// Links the kiosk to a lab (checked: the recipient and key must parse).
pub fn link(
    store: &mut Store,
    recipient: &str,
    ack_key: &str,
    url: Option<&str>,
) -> Result<(), SyncError> {
    age::x25519::Recipient::from_str(recipient.trim()).map_err(|_| SyncError::BadRecipient)?;
    parse_public_key(ack_key).ok_or(SyncError::BadLabKey)?;
    let url = url.map(str::trim).filter(|u| !u.is_empty());
    if let Some(u) = url
        && !(u.starts_with("http://") || u.starts_with("https://"))
    {
        return Err(SyncError::NoUrl);
    }
    store.write(|w| -> Result<(), SyncError> {
        Ok(lab_link::set(
            w.conn(),
            recipient.trim(),
            ack_key.trim(),
            url,
        )?)
    })
}

/// The first 16 hex digits of a lab's key: enough for a person to compare
/// with what the district wrote down, short enough for one screen line.
pub fn short_key(key: &str) -> &str {
    key.get(..16).unwrap_or(key)
}

/// Links the kiosk from the signed link file on a stick at `root` (see
/// [`batch::LinkOffer`]), when one of `trusted` signed it. The caller checks
/// that an admin asked.
pub fn link_from_stick(
    store: &mut Store,
    root: &Path,
    trusted: &[VerifyingKey],
) -> Result<Link, SyncError> {
    if trusted.is_empty() {
        return Err(SyncError::NoTrustedLab);
    }
    let path = stick_folder(root).join(LINK_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(SyncError::NoLinkFile {
                path: path.display().to_string(),
            });
        }
        Err(e) => return Err(stick_err(&path, &e)),
    };
    let offer = batch::LinkOffer::verify(&bytes, trusted)
        .map_err(|_| SyncError::BadLinkFile {
            path: path.display().to_string(),
        })?
        .map_err(|key| SyncError::UntrustedLab { key })?;
    link(
        store,
        &offer.recipient,
        &offer.ack_key,
        offer.url.as_deref(),
    )?;
    link_info(store)?.ok_or(SyncError::NotLinked)
}

/// Takes the fund statements on the stick at `root` (see
/// [`batch::FundStatement`]): each is checked with the linked lab's key
/// first, and one that does not check refuses them all, so a bad stick
/// changes nothing. Each is kept unless the lab's later copy of the same
/// month is held, and waits in the print queue. Returns what the stick
/// held, oldest month first, and how many were kept.
pub fn take_statements(
    store: &mut Store,
    root: &Path,
    now: Timestamp,
) -> Result<(Vec<batch::FundStatement>, usize), SyncError> {
    let link = link_info(store)?.ok_or(SyncError::NotLinked)?;
    let key = parse_public_key(&link.ack_key).ok_or(SyncError::BadLabKey)?;
    let folder = stick_folder(root);
    let entries = match std::fs::read_dir(&folder) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(SyncError::NoStatement {
                path: folder.display().to_string(),
            });
        }
        Err(e) => return Err(stick_err(&folder, &e)),
    };
    let mut found = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| stick_err(&folder, &e))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !(name.starts_with("statement-") && name.ends_with(".txt")) {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| stick_err(&path, &e))?;
        let bad = || SyncError::BadStatement {
            path: path.display().to_string(),
        };
        let s = batch::FundStatement::verify(&bytes, &key).map_err(|_| bad())?;
        let text = String::from_utf8(bytes).map_err(|_| bad())?;
        found.push((s, text));
    }
    if found.is_empty() {
        return Err(SyncError::NoStatement {
            path: folder.display().to_string(),
        });
    }
    found.sort_by(|a, b| (&a.0.month, &a.0.scheme).cmp(&(&b.0.month, &b.0.scheme)));
    let received = format_instant(now);
    let kept = store.write(|w| -> Result<usize, SyncError> {
        let mut kept = 0;
        for (s, text) in &found {
            if queries::keep_statement(
                w.conn(),
                &s.scheme,
                &s.month,
                &s.at,
                text,
                &received,
                &link.ack_key,
            )? {
                kept += 1;
            }
        }
        Ok(kept)
    })?;
    Ok((found.into_iter().map(|(s, _)| s).collect(), kept))
}

fn kiosk_code(store: &Store) -> Result<String, SyncError> {
    queries::kiosk(store.conn())?
        .map(|k| k.code)
        .ok_or(SyncError::Store(StoreError::NotInitialised))
}

/// One batch ready to leave: its range and its signed bytes.
pub struct Outgoing {
    pub first: u64,
    pub last: u64,
    pub signed: Vec<u8>,
}

/// The pending events as signed batches of at most [`MAX_EVENTS`].
pub fn pending_batches(store: &Store, key: &SigningKey) -> Result<Vec<Outgoing>, SyncError> {
    let link = link_info(store)?.ok_or(SyncError::NotLinked)?;
    let kiosk = kiosk_code(store)?;
    let conn = store.conn();
    let mut prev: String = if link.acked_through == 0 {
        GENESIS.to_string()
    } else {
        queries::event_hash(conn, link.acked_through)?.ok_or(SyncError::AckMismatch {
            seq: link.acked_through,
        })?
    };
    let rows = queries::events_after(conn, link.acked_through)?;
    let mut out = Vec::new();
    for chunk in rows.chunks(MAX_EVENTS) {
        let first = chunk[0].0;
        let events: Vec<String> = chunk
            .iter()
            .map(|(_, bytes, _)| String::from_utf8_lossy(bytes).into_owned())
            .collect();
        let body = BatchBody::new(&kiosk, first, &prev, events)?;
        prev = chunk[chunk.len() - 1].2.clone();
        out.push(Outgoing {
            first,
            last: body.last,
            signed: body.sign(key),
        });
    }
    Ok(out)
}

/// What an acknowledgement did.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct AckOutcome {
    pub before: u64,
    pub through: u64,
    /// The lab holds less than it said before: it was restored from a
    /// backup, and the rest will be sent again.
    pub lab_went_back: bool,
    /// Lab decisions on this kiosk's claims recorded from it.
    pub decisions: usize,
    /// The papers those decisions print (a notice, a letter, a payout
    /// slip), queued with them: their references, in order.
    pub documents: Vec<String>,
}

/// Applies a signed acknowledgement: verified with the lab's key, for this
/// kiosk, naming a hash this kiosk's chain has at that point.
pub fn apply_ack(store: &mut Store, bytes: &[u8], now: Timestamp) -> Result<AckOutcome, SyncError> {
    let link = link_info(store)?.ok_or(SyncError::NotLinked)?;
    let key = parse_public_key(&link.ack_key).ok_or(SyncError::BadLabKey)?;
    let ack = Ack::verify(bytes, &key)?;
    let kiosk = kiosk_code(store)?;
    if ack.kiosk != kiosk {
        return Err(SyncError::AckMismatch { seq: ack.through });
    }
    if ack.through > 0 {
        let ours = queries::event_hash(store.conn(), ack.through)?;
        if ours.as_deref() != Some(ack.hash.as_str()) {
            return Err(SyncError::AckMismatch { seq: ack.through });
        }
    }
    let decided = new_decisions(store, &ack, &key, &kiosk)?;
    let at = format_instant(now);
    let mut documents = Vec::new();
    store.write(|w| -> Result<(), SyncError> {
        for body in &decided {
            w.append(now, body.clone())?;
            // Queued in the same transaction: a decision recorded always
            // has its paper waiting, even if the printer is off.
            if let crate::domain::event::Body::ClaimDecided(d) = body
                && let Some((doc, suffix)) = crate::domain::claim::decision_paper(&d.step)
            {
                let reference = format!("{}/{suffix}", d.claim);
                w.queue_print(doc, &reference, now)?;
                documents.push(reference);
            }
        }
        Ok(lab_link::set_acked(w.conn(), ack.through, &at)?)
    })?;
    Ok(AckOutcome {
        before: link.acked_through,
        through: ack.through,
        lab_went_back: ack.through < link.acked_through,
        decisions: decided.len(),
        documents,
    })
}

/// The decisions of `ack` this kiosk has not recorded yet, as the events
/// that record them. Each must be signed by the lab (`key`), on one of
/// this kiosk's claims, and come in its claim's order after what is
/// recorded: else the whole acknowledgement is refused and nothing is
/// recorded. One already recorded (the same acknowledgement read again,
/// or an old one) is passed over.
fn new_decisions(
    store: &Store,
    ack: &Ack,
    key: &ed25519_dalek::VerifyingKey,
    kiosk: &str,
) -> Result<Vec<crate::domain::event::Body>, SyncError> {
    use crate::domain::event::{Body, ClaimDecided};
    use dastak_core::wire::{Decision, Step};
    let conn = store.conn();
    let mut steps: std::collections::HashMap<String, Vec<Step>> = Default::default();
    let mut out = Vec::new();
    for text in &ack.decisions {
        let bad = |claim: &str, n: u64| SyncError::BadDecision {
            claim: claim.to_string(),
            n,
        };
        let d = Decision::verify(text.as_bytes(), key).map_err(|_| bad("", 0))?;
        if d.kiosk != kiosk || queries::claim(conn, &d.claim)?.is_none() {
            return Err(bad(&d.claim, d.n));
        }
        if queries::decision_recorded(conn, text)? {
            continue;
        }
        let before = match steps.entry(d.claim.clone()) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => {
                // This lab's own steps on the claim: each lab's log keeps
                // its order, and one the kiosk was linked to before signed
                // the others (they were checked with its key when they came).
                let recorded = queries::decisions_of(conn, &d.claim)?
                    .iter()
                    .filter_map(|t| Decision::verify(t.as_bytes(), key).ok())
                    .map(|d| d.step)
                    .collect();
                v.insert(recorded)
            }
        };
        if !d.step.may_follow(before) {
            return Err(bad(&d.claim, d.n));
        }
        before.push(d.step.clone());
        out.push(Body::ClaimDecided(ClaimDecided {
            claim: d.claim,
            n: d.n,
            step: d.step.code().to_string(),
            decision: text.clone(),
        }));
    }
    Ok(out)
}

fn mark_sent(store: &mut Store, now: Timestamp) -> Result<(), SyncError> {
    let at = format_instant(now);
    store.write(|w| -> Result<(), SyncError> { Ok(lab_link::set_sent(w.conn(), &at)?) })
}

/// Writes a file the way a stick that may be pulled needs (see
/// [`dastak_core::durable::write_checked`]).
pub fn write_durably(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), SyncError> {
    durable::write_checked(dir, name, bytes, Access::Shared).map_err(|e| match e.io() {
        Some(io) => stick_err(e.path(), io),
        None => SyncError::Stick {
            path: e.path().display().to_string(),
            detail: "read back differs".into(),
            kind: StickProblem::Other,
        },
    })
}

/// `--json` output is for programs: a message in it is in English.
fn in_english<S: serde::Serializer>(m: &Option<Message>, s: S) -> Result<S::Ok, S::Error> {
    m.as_ref()
        .map(|m| m.render(crate::i18n::Lang::En))
        .serialize(s)
}

#[derive(Clone, Debug, Serialize)]
pub struct ExportReport {
    pub folder: String,
    pub batches: usize,
    pub events: u64,
    pub ack: Option<AckOutcome>,
    /// A stale or foreign acknowledgement on the stick that was not used.
    #[serde(serialize_with = "in_english")]
    pub ack_problem: Option<Message>,
}

/// `dastak export --to DIR`: reads the lab's acknowledgement from the stick
/// (if the lab left one), then writes every pending batch, encrypted.
pub fn export(
    store: &mut Store,
    key: &SigningKey,
    root: &Path,
    now: Timestamp,
) -> Result<ExportReport, SyncError> {
    let link = link_info(store)?.ok_or(SyncError::NotLinked)?;
    let kiosk = kiosk_code(store)?;
    if root.as_os_str().is_empty() || root.as_os_str().to_string_lossy().trim().is_empty() {
        return Err(SyncError::Stick {
            path: String::new(),
            detail: "no folder given".into(),
            kind: StickProblem::Gone,
        });
    }
    // The stick's own folder must be there: making it would put the
    // batches on the kiosk's own disk and call the missing stick safe.
    if !root.is_dir() {
        return Err(SyncError::Stick {
            path: root.display().to_string(),
            detail: String::new(),
            kind: StickProblem::Missing,
        });
    }
    let folder = stick_folder(root);
    std::fs::create_dir_all(&folder).map_err(|e| stick_err(&folder, &e))?;
    let ack_path = folder.join("acks").join(format!("{kiosk}.ack"));
    let (mut ack, mut ack_problem) = (None, None);
    if let Ok(bytes) = std::fs::read(&ack_path) {
        match apply_ack(store, &bytes, now) {
            Ok(a) => ack = Some(a),
            Err(e) => ack_problem = Some(e.message()),
        }
    }
    let batches = pending_batches(store, key)?;
    let mut events = 0;
    for b in &batches {
        let sealed = seal(&b.signed, &link.recipient)?;
        write_durably(&folder, &batch_file_name(&kiosk, b.first, b.last), &sealed)?;
        events += b.last - b.first + 1;
    }
    // Files the lab has acknowledged need not travel again.
    let acked = link_info(store)?.map(|l| l.acked_through).unwrap_or(0);
    if let Ok(dir) = std::fs::read_dir(&folder) {
        for entry in dir.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let last = name
                .strip_prefix(&format!("{kiosk}-"))
                .and_then(|r| r.strip_suffix(".batch"))
                .and_then(|r| r.split('-').nth(1))
                .and_then(|l| l.parse::<u64>().ok());
            if last.is_some_and(|l| l <= acked) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    if !batches.is_empty() {
        mark_sent(store, now)?;
    }
    Ok(ExportReport {
        folder: folder.display().to_string(),
        batches: batches.len(),
        events,
        ack,
        ack_problem,
    })
}

#[derive(Clone, Debug, Serialize)]
pub struct UploadReport {
    pub batches: usize,
    pub events: u64,
    pub bytes: u64,
    pub acked_through: u64,
    /// What the lab said it held before anything was sent.
    pub lab_had: u64,
    pub lab_went_back: bool,
    /// Lab decisions on this kiosk's claims recorded, and the papers they
    /// print (see [`AckOutcome::documents`]).
    pub decisions: usize,
    pub documents: Vec<String>,
}

/// How hard to try over a flaky line.
#[derive(Clone, Copy, Debug)]
pub struct Retry {
    pub attempts: u32,
    pub first_wait: Duration,
    pub timeout: Duration,
}

impl Default for Retry {
    fn default() -> Retry {
        Retry {
            attempts: 5,
            first_wait: Duration::from_millis(500),
            timeout: Duration::from_secs(30),
        }
    }
}

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        // A fresh connection per request: on a village line an idle
        // connection is more often dead than alive, and a batch is large
        // enough that the handshake does not matter.
        .max_idle_connections(0)
        .build()
        .into()
}

type Call<'a> = &'a dyn Fn(&ureq::Agent) -> Result<ureq::http::Response<ureq::Body>, ureq::Error>;

/// One request, once: the answer's bytes, or why not.
fn once(agent: &ureq::Agent, call: Call<'_>) -> Result<Vec<u8>, SyncError> {
    let mut resp = call(agent).map_err(|e| SyncError::Network {
        detail: e.to_string(),
    })?;
    let status = resp.status().as_u16();
    let body = resp
        .body_mut()
        .with_config()
        .limit(1 << 20)
        .read_to_vec()
        .map_err(|e| SyncError::Network {
            detail: e.to_string(),
        })?;
    if status == 200 {
        Ok(body)
    } else {
        Err(SyncError::Refused {
            status,
            detail: String::from_utf8_lossy(&body).chars().take(200).collect(),
        })
    }
}

/// One request with retries and doubling waits. Before each retry,
/// `settled` may say the retry is not needed after all (the lab already
/// has what a lost answer would have confirmed).
fn request(
    agent: &ureq::Agent,
    retry: Retry,
    sent: &mut u64,
    call: Call<'_>,
    body_len: u64,
    settled: &mut dyn FnMut() -> bool,
) -> Result<Option<Vec<u8>>, SyncError> {
    let mut wait = retry.first_wait;
    let mut last = SyncError::Network {
        detail: "no attempt".into(),
    };
    for attempt in 0..retry.attempts.max(1) {
        if attempt > 0 {
            std::thread::sleep(wait);
            wait *= 2;
            if settled() {
                return Ok(None);
            }
        }
        *sent += body_len;
        match once(agent, call) {
            Ok(b) => return Ok(Some(b)),
            Err(e) if e.is_retryable() => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

/// `dastak sync`: asks the lab what it holds, then uploads what it lacks,
/// batch by batch, applying each signed acknowledgement.
pub fn upload(
    store: &mut Store,
    key: &SigningKey,
    url: Option<&str>,
    retry: Retry,
    now: Timestamp,
) -> Result<UploadReport, SyncError> {
    let link = link_info(store)?.ok_or(SyncError::NotLinked)?;
    let base = url
        .map(str::to_string)
        .or(link.url.clone())
        .ok_or(SyncError::NoUrl)?;
    let base = base.trim_end_matches('/').to_string();
    let kiosk = kiosk_code(store)?;
    let agent = agent(retry.timeout);
    let mut bytes = 0u64;
    // The lab says what it holds first: after a dropped line only what it
    // lacks goes again, and a lab restored from backup is noticed.
    let ack_url = format!("{base}/api/ack/{kiosk}");
    // The lab answers only the kiosk that proves its key: a first request
    // fetches a challenge, the second carries the kiosk's signature of it.
    let ask = |a: &ureq::Agent| {
        let first = a.get(&ack_url).call()?;
        if first.status().as_u16() != 401 {
            return Ok(first);
        }
        let Some(challenge) = first
            .headers()
            .get(batch::CHALLENGE_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
        else {
            return Ok(first);
        };
        a.get(&ack_url)
            .header(batch::CHALLENGE_HEADER, &challenge)
            .header(
                batch::PROOF_HEADER,
                batch::sign_ack_read(key, &kiosk, &challenge),
            )
            .call()
    };
    let first = request(&agent, retry, &mut bytes, &ask, 0, &mut || false)?.ok_or_else(|| {
        SyncError::Network {
            detail: "no answer".into(),
        }
    })?;
    let said = apply_ack(store, &first, now)?;
    let (lab_had, mut went_back) = (said.through, said.lab_went_back);
    let (mut decisions, mut documents) = (said.decisions, said.documents);
    let batches = pending_batches(store, key)?;
    let post_url = format!("{base}/api/batches");
    let mut events = 0;
    for b in &batches {
        let sealed = seal(&b.signed, &link.recipient)?;
        let len = sealed.len() as u64;
        let post = |a: &ureq::Agent| {
            a.post(&post_url)
                .header("Content-Type", "application/octet-stream")
                .send(&sealed[..])
        };
        // After a dropped line, ask the lab before sending the batch again:
        // if only its answer was lost, the batch need not travel twice.
        let mut late_ack: Option<Vec<u8>> = None;
        let mut settled = || match once(&agent, &ask) {
            Ok(ack) => {
                let covers = link_key_verifies(&link, &ack).is_some_and(|a| a.through >= b.last);
                late_ack = Some(ack);
                covers
            }
            Err(_) => false,
        };
        let answer = request(&agent, retry, &mut bytes, &post, len, &mut settled)?;
        let ack = match answer.or(late_ack) {
            Some(a) => a,
            None => {
                return Err(SyncError::Network {
                    detail: "no answer".into(),
                });
            }
        };
        let said = apply_ack(store, &ack, now)?;
        went_back |= said.lab_went_back;
        decisions += said.decisions;
        documents.extend(said.documents);
        events += b.last - b.first + 1;
    }
    if !batches.is_empty() {
        mark_sent(store, now)?;
    }
    Ok(UploadReport {
        batches: batches.len(),
        events,
        bytes,
        acked_through: link_info(store)?.map(|l| l.acked_through).unwrap_or(0),
        lab_had,
        lab_went_back: went_back,
        decisions,
        documents,
    })
}

/// An acknowledgement checked with the linked lab's key, without applying it.
fn link_key_verifies(link: &Link, bytes: &[u8]) -> Option<Ack> {
    let key = parse_public_key(&link.ack_key)?;
    Ack::verify(bytes, &key).ok()
}

/// A key pair's public half, as `dastak identity` and the lab print it.
pub fn public_hex(key: &VerifyingKey) -> String {
    hex::encode(key.to_bytes())
}
