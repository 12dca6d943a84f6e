//! The batch and acknowledgement formats: what travels between a kiosk and
//! the district lab, sealed to the lab's key and laid out on a stick.
//! IO-free; the bytes are frozen by `tests/golden_batch.rs`.
//!
//! A **batch** is a contiguous range of one kiosk's ledger events, with the
//! hash of the event before the range (so the lab can link it to what it
//! holds) and the hash of its last event (its head), signed by the kiosk's
//! ed25519 key:
//!
//! ```text
//! DASTAK-BATCH 2\n
//! {"v":2,"kiosk":"RMP01","first":1,"last":2,"prev":"000…","head":"9f2…","events":[{…},{…}]}\n
//! <ed25519 signature of the header, 128 hex>\n
//! ```
//!
//! The signature covers the header — the magic line, then the JSON above
//! without `events` — and the chain covers the rest: each event names the
//! hash of the one before it, and the last one's hash is the signed head,
//! so changing any event breaks either a link or the head (as with a signed
//! git commit). Version 1 signed the whole JSON line instead; hashing it
//! again for the signature cost the lab more than any other single step,
//! while the chain's hashes have to be computed anyway.
//!
//! The events are their canonical bytes, as hashed on the kiosk, embedded
//! verbatim (JSON within JSON, not escaped strings: smaller, and read back
//! byte for byte without unescaping). On the way
//! the whole batch is encrypted to the lab (age, X25519): the signature says
//! who sent it, the encryption that nobody in between read it.
//!
//! An **acknowledgement** is the lab's signed statement of what it holds
//! for a kiosk: the highest sequence number up to which it has every event,
//! and that event's hash, so the kiosk can check the lab holds *its* chain.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::domain::event::{Event, GENESIS, hash_hex};
use crate::i18n::{Localized, Message, english};

pub const BATCH_MAGIC: &str = "DASTAK-BATCH 2";
pub const ACK_MAGIC: &str = "DASTAK-ACK 1";
pub const LINK_MAGIC: &str = "DASTAK-LINK 1";
pub const DECISION_MAGIC: &str = "DASTAK-DECISION 1";
pub const STATEMENT_MAGIC: &str = "DASTAK-FUND-STATEMENT 1";
pub const BATCH_VERSION: u16 = 2;
/// At most this many events in one batch: a long offline month becomes
/// several batches, and a broken upload re-sends little.
pub const MAX_EVENTS: usize = 250;
/// The largest batch a lab accepts, encrypted (a bound on request bodies).
pub const MAX_BATCH_BYTES: usize = 4 * 1024 * 1024;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchBody {
    pub v: u16,
    pub kiosk: String,
    pub first: u64,
    pub last: u64,
    /// Hash of event `first - 1` (GENESIS when `first` is 1).
    pub prev: String,
    /// Hash of event `last`: what the signature vouches for.
    pub head: String,
    /// Canonical bytes of each event, in order, verbatim.
    pub events: Vec<Box<RawValue>>,
}

/// What the kiosk signs: the batch without its events.
#[derive(Serialize)]
struct Header<'a> {
    v: u16,
    kiosk: &'a str,
    first: u64,
    last: u64,
    prev: &'a str,
    head: &'a str,
}

/// A batch checked: signature, format, contiguity and the chain within it.
#[derive(Clone, Debug)]
pub struct VerifiedBatch {
    pub body: BatchBody,
    /// Each event, its canonical bytes and hash.
    pub events: Vec<(Event, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", english(self))]
pub enum BatchError {
    /// Cut short, not a batch, or not decryptable: a damaged file.
    Damaged {
        detail: String,
    },
    UnknownKiosk {
        kiosk: String,
    },
    BadSignature {
        kiosk: String,
    },
    /// Signed correctly but its events do not form the chain they claim.
    BrokenChain {
        kiosk: String,
        seq: u64,
    },
}

impl Localized for BatchError {
    fn message(&self) -> Message {
        match self {
            BatchError::Damaged { detail } => Message::new("batch.damaged").arg("detail", detail),
            BatchError::UnknownKiosk { kiosk } => {
                Message::new("batch.unknown_kiosk").arg("kiosk", kiosk)
            }
            BatchError::BadSignature { kiosk } => {
                Message::new("batch.bad_signature").arg("kiosk", kiosk)
            }
            BatchError::BrokenChain { kiosk, seq } => Message::new("batch.broken_chain")
                .arg("kiosk", kiosk)
                .arg("seq", seq),
        }
    }
}

fn damaged(detail: impl std::fmt::Display) -> BatchError {
    BatchError::Damaged {
        detail: detail.to_string(),
    }
}

impl BatchBody {
    /// A batch of `events` (canonical bytes, consecutive, `first` onwards),
    /// linked to the hash of the event before.
    /// Fails only if an event's bytes are not JSON (never, for events the
    /// kiosk wrote).
    pub fn new(
        kiosk: &str,
        first: u64,
        prev: &str,
        events: Vec<String>,
    ) -> Result<BatchBody, BatchError> {
        let last = first + events.len() as u64 - 1;
        let head = events
            .last()
            .map_or_else(|| prev.to_string(), |e| hash_hex(e.as_bytes()));
        let events = events
            .into_iter()
            .map(RawValue::from_string)
            .collect::<Result<Vec<_>, _>>()
            .map_err(damaged)?;
        Ok(BatchBody {
            v: BATCH_VERSION,
            kiosk: kiosk.to_string(),
            first,
            last,
            prev: prev.to_string(),
            head,
            events,
        })
    }

    /// The signed wire bytes (before encryption).
    pub fn sign(&self, key: &SigningKey) -> Vec<u8> {
        // Plain structs of strings and integers: serialising cannot fail.
        let json = serde_json::to_string(self).unwrap_or_default();
        let sig = key.sign(self.signed_header().as_bytes());
        format!("{BATCH_MAGIC}\n{json}\n{}\n", hex::encode(sig.to_bytes())).into_bytes()
    }

    /// The bytes the signature covers: the magic line, so that a batch's
    /// signature is never mistaken for another document's, and the header.
    fn signed_header(&self) -> String {
        let header = Header {
            v: self.v,
            kiosk: &self.kiosk,
            first: self.first,
            last: self.last,
            prev: &self.prev,
            head: &self.head,
        };
        format!(
            "{BATCH_MAGIC}\n{}",
            serde_json::to_string(&header).unwrap_or_default()
        )
    }
}

/// Headers of an acknowledgement read (`GET /api/ack/KIOSK`): only the
/// kiosk that proves its key may read what the lab holds of it. The lab
/// answers a bare request with 401 and a challenge it made (its own clock,
/// its own MAC: a kiosk's clock may lie); the kiosk asks again with the
/// challenge and its signature over [`ack_read_message`].
pub const CHALLENGE_HEADER: &str = "x-dastak-challenge";
pub const PROOF_HEADER: &str = "x-dastak-proof";

/// The bytes a kiosk signs to read its acknowledgement.
pub fn ack_read_message(kiosk: &str, challenge: &str) -> Vec<u8> {
    format!("DASTAK-ACK-READ 1\n{kiosk}\n{challenge}").into_bytes()
}

/// The kiosk's proof for `challenge`, as the proof header carries it.
pub fn sign_ack_read(key: &SigningKey, kiosk: &str, challenge: &str) -> String {
    hex::encode(key.sign(&ack_read_message(kiosk, challenge)).to_bytes())
}

/// Whether `proof` (hex) is `key`'s signature over the read of `kiosk`.
pub fn verify_ack_read(key: &VerifyingKey, kiosk: &str, challenge: &str, proof: &str) -> bool {
    let Ok(bytes) = hex::decode(proof.trim()) else {
        return false;
    };
    let Ok(sig) = Signature::from_slice(&bytes) else {
        return false;
    };
    key.verify_strict(&ack_read_message(kiosk, challenge), &sig)
        .is_ok()
}

/// Splits signed bytes into (kiosk named inside, JSON line, signature), so
/// the lab can find the key to check them with.
pub fn open_signed<'a>(bytes: &'a [u8], magic: &str) -> Result<(&'a str, Signature), BatchError> {
    let text = std::str::from_utf8(bytes).map_err(damaged)?;
    let mut lines = text.split('\n');
    if lines.next() != Some(magic) {
        return Err(damaged("not a dastak file"));
    }
    let json = lines.next().ok_or_else(|| damaged("cut short"))?;
    let sig_hex = lines.next().ok_or_else(|| damaged("cut short"))?;
    if lines.next() != Some("") || lines.next().is_some() {
        return Err(damaged("cut short or padded"));
    }
    let sig: [u8; 64] = hex::decode(sig_hex)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| damaged("bad signature encoding"))?;
    Ok((json, Signature::from_bytes(&sig)))
}

/// A signed batch read but not yet trusted: the kiosk it claims to come
/// from says which key to check it with.
pub struct Unverified {
    pub body: BatchBody,
    sig: Signature,
}

/// Reads a signed batch without checking it (parsed once, checked by
/// [`Unverified::verify`]).
pub fn read_batch(bytes: &[u8]) -> Result<Unverified, BatchError> {
    if !bytes.starts_with(BATCH_MAGIC.as_bytes())
        && let Some(other) = bytes.strip_prefix(b"DASTAK-BATCH ")
    {
        let version: String = String::from_utf8_lossy(other)
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        return Err(damaged(format!(
            "batch format {version}; this dastak reads format {BATCH_VERSION} (update the older side)"
        )));
    }
    let (json, sig) = open_signed(bytes, BATCH_MAGIC)?;
    let body: BatchBody = serde_json::from_str(json).map_err(damaged)?;
    Ok(Unverified { body, sig })
}

/// The kiosk a signed batch claims to come from (not yet trusted).
pub fn claimed_kiosk(bytes: &[u8]) -> Result<String, BatchError> {
    Ok(read_batch(bytes)?.body.kiosk)
}

/// Checks a signed batch with the kiosk's key and the chain inside it.
pub fn verify_batch(bytes: &[u8], key: &VerifyingKey) -> Result<VerifiedBatch, BatchError> {
    read_batch(bytes)?.verify(key)
}

impl Unverified {
    /// Checks the signature on the header with the kiosk's key, then the
    /// chain inside, from `prev` up to the signed head.
    pub fn verify(self, key: &VerifyingKey) -> Result<VerifiedBatch, BatchError> {
        let Unverified { body, sig } = self;
        key.verify_strict(body.signed_header().as_bytes(), &sig)
            .map_err(|_| BatchError::BadSignature {
                kiosk: body.kiosk.clone(),
            })?;
        let broken = |seq| BatchError::BrokenChain {
            kiosk: body.kiosk.clone(),
            seq,
        };
        if body.v != BATCH_VERSION
            || body.events.is_empty()
            || body.events.len() > MAX_EVENTS
            || body.first == 0
            || body.last != body.first + body.events.len() as u64 - 1
            || (body.first == 1 && body.prev != GENESIS)
        {
            return Err(broken(body.first));
        }
        let mut prev = body.prev.clone();
        let mut events = Vec::with_capacity(body.events.len());
        for (i, raw) in body.events.iter().enumerate() {
            let seq = body.first + i as u64;
            let raw = raw.get().as_bytes();
            let e = Event::from_canonical(raw).map_err(|_| broken(seq))?;
            if e.seq != seq || e.kiosk != body.kiosk || e.prev != prev {
                return Err(broken(seq));
            }
            let hash = hash_hex(raw);
            prev = hash.clone();
            events.push((e, hash));
        }
        // The last event is tied to the signature by the head alone.
        if prev != body.head {
            return Err(broken(body.last));
        }
        Ok(VerifiedBatch { body, events })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    pub v: u16,
    pub kiosk: String,
    /// The lab holds every event of this kiosk up to here (0: none).
    pub through: u64,
    /// The hash of event `through` as the lab holds it.
    pub hash: String,
    /// When the lab said so (RFC 3339).
    pub at: String,
    /// The lab's decisions on this kiosk's death claims, each the signed
    /// bytes of a [`Decision`] as its claim log holds them, in the log's
    /// order: every one so far (a kiosk keeps those it has not seen; a
    /// kiosk of a version before claims ignores them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<String>,
}

/// A document signed whole by the lab: its magic line, its JSON, and the
/// signature of the JSON in hex (acknowledgements and link offers).
fn sign_whole(magic: &str, doc: &impl Serialize, key: &SigningKey) -> Vec<u8> {
    // Plain structs of strings and integers: serialising cannot fail.
    let json = serde_json::to_string(doc).unwrap_or_default();
    let sig = key.sign(json.as_bytes());
    format!("{magic}\n{json}\n{}\n", hex::encode(sig.to_bytes())).into_bytes()
}

/// Reads a document of [`sign_whole`] and checks it with the key that
/// `signer` names for it (a fixed key, or one the document carries).
fn open_whole<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    magic: &str,
    signer: impl FnOnce(&T) -> Option<VerifyingKey>,
) -> Result<T, BatchError> {
    let (json, sig) = open_signed(bytes, magic)?;
    let doc: T = serde_json::from_str(json).map_err(damaged)?;
    let key = signer(&doc).ok_or_else(|| damaged("key"))?;
    key.verify_strict(json.as_bytes(), &sig)
        .map_err(|_| BatchError::BadSignature {
            kiosk: "lab".into(),
        })?;
    Ok(doc)
}

impl Ack {
    pub fn sign(&self, key: &SigningKey) -> Vec<u8> {
        sign_whole(ACK_MAGIC, self, key)
    }

    /// Checks an acknowledgement with the lab's key.
    pub fn verify(bytes: &[u8], key: &VerifyingKey) -> Result<Ack, BatchError> {
        open_whole(bytes, ACK_MAGIC, |_: &Ack| Some(*key))
    }
}

/// The lab's link, carried to a new kiosk on a USB stick: what `dastak
/// link` would be typed with, signed by the lab's acknowledgement key. A
/// kiosk takes it only when that key is one its settings trust (the
/// district names its lab's key in the image's `dastak.toml`): a stick
/// cannot point a kiosk at someone else's lab.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkOffer {
    pub v: u16,
    /// The lab's age recipient (age1…): batches are sealed to it.
    pub recipient: String,
    /// The lab's ed25519 key (64 hex): it signs this offer and every
    /// acknowledgement.
    pub ack_key: String,
    /// Where uploads go, when the kiosk has a network.
    pub url: Option<String>,
    /// When the lab made it (RFC 3339).
    pub at: String,
}

impl LinkOffer {
    pub fn sign(&self, key: &SigningKey) -> Vec<u8> {
        sign_whole(LINK_MAGIC, self, key)
    }

    /// Checks an offer: signed by the key it names, and that key one of
    /// `trusted`. `Ok(Err(key))` is a well-signed offer from a lab this kiosk
    /// does not trust (its key, for the message).
    pub fn verify(
        bytes: &[u8],
        trusted: &[VerifyingKey],
    ) -> Result<Result<LinkOffer, String>, BatchError> {
        let offer: LinkOffer = open_whole(bytes, LINK_MAGIC, |o: &LinkOffer| {
            crate::domain::proof::parse_public_key(&o.ack_key)
        })?;
        let trusted_key = crate::domain::proof::parse_public_key(&offer.ack_key)
            .is_some_and(|k| trusted.contains(&k));
        Ok(if trusted_key {
            Ok(offer)
        } else {
            Err(offer.ack_key)
        })
    }
}

/// One step of a death claim at the lab (documents verified, notice
/// published, an objection, approval, rejection, payment), as an entry of
/// the lab's claim log: one chain over every claim, each entry naming the
/// hash of the one before it (as the kiosk's ledger does) and signed whole
/// by the lab's acknowledgement key. The same signed bytes travel back to
/// the claim's kiosk in its acknowledgement, so a kiosk checks them with
/// the key it already trusts and keeps them in their order (`n`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub v: u16,
    /// Its place in the lab's claim log: 1, 2, … without a gap.
    pub n: u64,
    /// The hash of entry `n - 1`'s signed bytes ([`GENESIS`] for the first).
    pub prev: String,
    /// The kiosk that filed the claim: the one whose acknowledgement
    /// carries this entry.
    pub kiosk: String,
    pub claim: String,
    /// The officer who took the step (her login name at the lab).
    pub officer: String,
    /// When (RFC 3339, the lab's clock).
    pub at: String,
    #[serde(flatten)]
    pub step: Step,
}

/// What a [`Decision`] decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// The death certificate and the claimant's identity were seen.
    Verified,
    /// The notice went up; objections are heard through `until` (a date).
    Published {
        until: jiff::civil::Date,
    },
    /// Someone objected, and why.
    Objected {
        objection: String,
    },
    /// To be paid: the benefit in force on the date of death less the fee.
    Approved {
        amount: crate::domain::money::Paise,
    },
    Rejected {
        reasons: String,
    },
    /// Paid by bank transfer: `bank_ref` is the (first) transfer's
    /// reference; `parts`, when the claim's nominees each gave an account,
    /// is one transfer per nominee (left out when the claim was paid by
    /// one transfer, so earlier entries keep their bytes).
    Paid {
        amount: crate::domain::money::Paise,
        bank_ref: String,
        on: jiff::civil::Date,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        parts: Vec<PaidPart>,
    },
}

/// One nominee's part of a payment, by its own bank transfer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaidPart {
    pub name: String,
    pub amount: crate::domain::money::Paise,
    pub bank_ref: String,
}

impl Step {
    /// Its name, as the log's JSON tags it.
    pub fn code(&self) -> &'static str {
        match self {
            Step::Verified => "verified",
            Step::Published { .. } => "published",
            Step::Objected { .. } => "objected",
            Step::Approved { .. } => "approved",
            Step::Rejected { .. } => "rejected",
            Step::Paid { .. } => "paid",
        }
    }

    /// Whether this step may come next on a claim that has taken `before`:
    /// verified after filing, published after verification, objections
    /// and the approval while published, a rejection before approval,
    /// payment after approval (the lab decides by this order, and a kiosk
    /// takes decisions only in it).
    pub fn may_follow(&self, before: &[Step]) -> bool {
        // Where the claim stands: its last step that moved it.
        let last = before
            .iter()
            .rev()
            .find(|s| !matches!(s, Step::Objected { .. }));
        matches!(
            (self, last),
            (Step::Verified, None)
                | (Step::Published { .. }, Some(Step::Verified))
                | (
                    Step::Objected { .. } | Step::Approved { .. },
                    Some(Step::Published { .. })
                )
                | (
                    Step::Rejected { .. },
                    None | Some(Step::Verified | Step::Published { .. })
                )
                | (Step::Paid { .. }, Some(Step::Approved { .. }))
        )
    }
}

impl Decision {
    pub const VERSION: u16 = 1;

    pub fn sign(&self, key: &SigningKey) -> Vec<u8> {
        sign_whole(DECISION_MAGIC, self, key)
    }

    /// Checks an entry with the lab's key.
    pub fn verify(bytes: &[u8], key: &VerifyingKey) -> Result<Decision, BatchError> {
        open_whole(bytes, DECISION_MAGIC, |_: &Decision| Some(*key))
    }

    /// Reads an entry without checking its signature: only for one that
    /// was checked when it was recorded (a kiosk printing a decision it
    /// holds), so that relinking to a new lab key never stops a reprint.
    pub fn read_recorded(bytes: &[u8]) -> Result<Decision, BatchError> {
        let (json, _) = open_signed(bytes, DECISION_MAGIC)?;
        serde_json::from_str(json).map_err(damaged)
    }
}

/// The fund's statement of one month, made and signed whole by the lab
/// (which alone holds every kiosk's collections and its own payouts) and
/// printed at any kiosk linked to it: who is covered, what came in, which
/// claims moved, what went out, and the balance. `qr` is the lab's signed
/// proof line ([`crate::domain::proof`], kind `F`), so a printed copy is
/// checked by `receipt check` without the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundStatement {
    pub v: u16,
    pub scheme: String,
    /// YYYY-MM.
    pub month: String,
    /// The day the standings and the closing balance stand at: the month's
    /// last day, or the day it was made when made within the month.
    pub as_of: jiff::civil::Date,
    /// When the lab made it (RFC 3339).
    pub at: String,
    pub members: StandingCounts,
    /// Contributions taken in the month at every kiosk, less those given
    /// back by reversals in the month.
    pub collected: crate::domain::money::Paise,
    pub receipts: u64,
    pub reversals: u64,
    /// Claims that moved in the month, each with its step and day.
    pub claims: Vec<StatementClaim>,
    /// Paid to families by bank transfer in the month.
    pub payouts: crate::domain::money::Paise,
    /// The administration fee kept from those payouts under the rules.
    pub fees: crate::domain::money::Paise,
    pub opening: crate::domain::money::Paise,
    pub closing: crate::domain::money::Paise,
    pub qr: String,
}

/// Members of the fund by standing on a statement's day.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandingCounts {
    pub waiting: u64,
    pub good: u64,
    pub grace: u64,
    pub lapsed: u64,
    /// Members whose death a claim records (no dues after it).
    pub died: u64,
}

/// One claim's step in a statement's month. The member's name is masked
/// to her first name and an initial: the statement goes up in public.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementClaim {
    pub claim: String,
    pub name: String,
    pub village: String,
    /// `filed`, `approved`, `rejected` or `paid`.
    pub step: String,
    pub on: jiff::civil::Date,
    /// Approved or paid; 0 on a filing or a rejection.
    pub amount: crate::domain::money::Paise,
}

impl StandingCounts {
    /// Counts one living member in her standing (the dead are counted
    /// apart, by the claim that records the death).
    pub fn count(&mut self, s: &crate::domain::fund::Standing) {
        use crate::domain::fund::Standing;
        match s {
            Standing::Waiting { .. } => self.waiting += 1,
            Standing::Good => self.good += 1,
            Standing::Grace { .. } => self.grace += 1,
            Standing::Lapsed { .. } => self.lapsed += 1,
        }
    }
}

impl StatementClaim {
    /// The catalog key naming its step (the lab's names of claim states).
    pub fn step_key(&self) -> &'static str {
        match self.step.as_str() {
            "filed" => "labclaim.state_filed",
            "approved" => "labclaim.state_approved",
            "rejected" => "labclaim.state_rejected",
            _ => "labclaim.state_paid",
        }
    }
}

impl FundStatement {
    pub const VERSION: u16 = 1;

    /// Signs the statement, its QR line first (with the same key).
    pub fn sign(mut self, key: &SigningKey) -> Vec<u8> {
        self.qr = self.proof().sign(key);
        sign_whole(STATEMENT_MAGIC, &self, key)
    }

    /// What the QR line vouches for: the month, the scheme, the closing
    /// balance and the day it stands at.
    pub fn proof(&self) -> crate::domain::proof::Proof {
        use crate::domain::proof::{LAB_ISSUER, Proof, ProofKind};
        Proof {
            kind: ProofKind::FundStatement,
            kiosk: LAB_ISSUER.into(),
            document: format!("{}-{}", self.scheme, self.month),
            member: self.scheme.clone(),
            amount: self.closing,
            date: self.as_of,
        }
    }

    /// Checks a statement with the lab's key: the whole, and its QR line
    /// (which must say what the statement says).
    pub fn verify(bytes: &[u8], key: &VerifyingKey) -> Result<FundStatement, BatchError> {
        let s: FundStatement = open_whole(bytes, STATEMENT_MAGIC, |_: &FundStatement| Some(*key))?;
        let qr = crate::domain::proof::Proof::verify(&s.qr, crate::domain::proof::LAB_ISSUER, key)
            .map_err(|_| damaged("statement QR"))?;
        if qr != s.proof() {
            return Err(damaged("statement QR"));
        }
        Ok(s)
    }

    /// Reads a statement checked when it was kept (see
    /// [`Decision::read_recorded`]).
    pub fn read_recorded(bytes: &[u8]) -> Result<FundStatement, BatchError> {
        let (json, _) = open_signed(bytes, STATEMENT_MAGIC)?;
        serde_json::from_str(json).map_err(damaged)
    }
}

/// The name of a statement's file on a stick.
pub fn statement_file_name(scheme: &str, month: &str) -> String {
    format!("statement-{scheme}-{month}.txt")
}

/// The folder on a stick that dastak writes to and reads acknowledgements
/// from.
pub fn stick_folder(root: &std::path::Path) -> std::path::PathBuf {
    root.join("dastak")
}

/// The name of a batch file: kiosk and range, so a clerk can see what is
/// on a stick without opening anything.
pub fn batch_file_name(kiosk: &str, first: u64, last: u64) -> String {
    format!("{kiosk}-{first:09}-{last:09}.batch")
}

/// The lab's signed link file on a stick (`dastak-lab link-file`).
pub const LINK_FILE: &str = "lab-link.txt";

/// Why a batch could not be sealed to the lab.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("not an age recipient")]
    BadRecipient,
    #[error("encryption failed: {detail}")]
    Encrypt { detail: String },
}

/// Encrypts signed batch bytes to the lab (age, X25519).
pub fn seal(bytes: &[u8], recipient: &str) -> Result<Vec<u8>, SealError> {
    use std::str::FromStr;
    let r = age::x25519::Recipient::from_str(recipient).map_err(|_| SealError::BadRecipient)?;
    age::encrypt(&r, bytes).map_err(|e| SealError::Encrypt {
        detail: e.to_string(),
    })
}

/// Decrypts what [`seal`] made (the lab's side).
pub fn unseal(bytes: &[u8], identity: &age::x25519::Identity) -> Result<Vec<u8>, BatchError> {
    use std::io::Read;
    let damaged = |e: &dyn std::fmt::Display| BatchError::Damaged {
        detail: e.to_string(),
    };
    // `age::decrypt` does the same, but grows its buffer from nothing; the
    // plaintext is never longer than the ciphertext, so size it once.
    let mut out = Vec::with_capacity(bytes.len());
    age::Decryptor::new_buffered(bytes)
        .and_then(|d| d.decrypt(std::iter::once(identity as &dyn age::Identity)))
        .map_err(|e| damaged(&e))?
        .read_to_end(&mut out)
        .map_err(|e| damaged(&e))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement() -> FundStatement {
        use crate::domain::money::Paise;
        FundStatement {
            v: FundStatement::VERSION,
            scheme: "FUND".into(),
            month: "2026-11".into(),
            as_of: jiff::civil::date(2026, 11, 30),
            at: "2026-12-01T10:00:00+05:30".into(),
            members: StandingCounts {
                waiting: 3,
                good: 40,
                grace: 2,
                lapsed: 1,
                died: 1,
            },
            collected: Paise(460_000),
            receipts: 46,
            reversals: 1,
            claims: vec![StatementClaim {
                claim: "RMP01-C0001".into(),
                name: "सुनीता दे.".into(),
                village: "रामपुर".into(),
                step: "paid".into(),
                on: jiff::civil::date(2026, 11, 20),
                amount: Paise(9_000_000),
            }],
            payouts: Paise(9_000_000),
            fees: Paise(1_000_000),
            opening: Paise(12_000_000),
            closing: Paise(3_460_000),
            qr: String::new(),
        }
    }

    /// The statement's signed bytes are frozen: a change to its format is
    /// a new version, not a silent one (kiosks keep old statements).
    #[test]
    fn a_fund_statement_verifies_whole_and_its_bytes_are_frozen() {
        let lab = SigningKey::from_bytes(&[9; 32]);
        let signed = statement().sign(&lab);
        let read = FundStatement::verify(&signed, &lab.verifying_key()).expect("verifies");
        assert_eq!(read.proof(), statement().proof());
        assert!(
            read.qr
                .starts_with("DASTAK1 F LAB FUND-2026-11 FUND 3460000 2026-11-30 ")
        );
        let text = String::from_utf8(signed.clone()).expect("utf8");
        let body = text.lines().nth(1).expect("json line");
        assert_eq!(
            body.split(",\"qr\"").next().expect("before the qr"),
            concat!(
                r#"{"v":1,"scheme":"FUND","month":"2026-11","as_of":"2026-11-30","#,
                r#""at":"2026-12-01T10:00:00+05:30","members":{"waiting":3,"good":40,"#,
                r#""grace":2,"lapsed":1,"died":1},"collected":460000,"receipts":46,"#,
                r#""reversals":1,"claims":[{"claim":"RMP01-C0001","name":"सुनीता दे.","#,
                r#""village":"रामपुर","step":"paid","on":"2026-11-20","amount":9000000}],"#,
                r#""payouts":9000000,"fees":1000000,"opening":12000000,"closing":3460000"#
            )
        );
        // Another key, a changed figure, or a QR line that says other than
        // the statement (signed whole again by the lab's key) are refused.
        let other = SigningKey::from_bytes(&[4; 32]);
        assert!(FundStatement::verify(&signed, &other.verifying_key()).is_err());
        let changed = text.replace("\"closing\":3460000", "\"closing\":3460001");
        assert!(FundStatement::verify(changed.as_bytes(), &lab.verifying_key()).is_err());
        let mut lying = statement();
        lying.qr = FundStatement {
            closing: crate::domain::money::Paise(99),
            ..statement()
        }
        .proof()
        .sign(&lab);
        let lying = sign_whole(STATEMENT_MAGIC, &lying, &lab);
        assert!(FundStatement::verify(&lying, &lab.verifying_key()).is_err());
        assert_eq!(
            FundStatement::read_recorded(&signed)
                .expect("reads")
                .closing,
            statement().closing
        );
    }

    fn offer(lab: &SigningKey) -> LinkOffer {
        LinkOffer {
            v: 1,
            recipient: "age1example".into(),
            ack_key: hex::encode(lab.verifying_key().to_bytes()),
            url: Some("https://10.0.0.1:8440/".into()),
            at: "2026-12-01T10:00:00+05:30".into(),
        }
    }

    #[test]
    fn a_link_offer_is_taken_only_from_a_trusted_lab_and_untouched() {
        let lab = SigningKey::from_bytes(&[9; 32]);
        let bytes = offer(&lab).sign(&lab);
        assert_eq!(
            LinkOffer::verify(&bytes, &[lab.verifying_key()]),
            Ok(Ok(offer(&lab)))
        );
        // Well signed, but by a lab this kiosk was not told to trust.
        let stranger = SigningKey::from_bytes(&[5; 32]);
        let theirs = offer(&stranger).sign(&stranger);
        assert_eq!(
            LinkOffer::verify(&theirs, &[lab.verifying_key()]),
            Ok(Err(hex::encode(stranger.verifying_key().to_bytes())))
        );
        // The address changed on the stick.
        let text = String::from_utf8(bytes.clone()).expect("text");
        let moved = text.replace("10.0.0.1", "10.6.6.6");
        assert!(matches!(
            LinkOffer::verify(moved.as_bytes(), &[lab.verifying_key()]),
            Err(BatchError::BadSignature { .. })
        ));
        // The trusted key named, but signed by another.
        let mut forged = offer(&lab);
        forged.url = None;
        assert!(matches!(
            LinkOffer::verify(&forged.sign(&stranger), &[lab.verifying_key()]),
            Err(BatchError::BadSignature { .. })
        ));
        assert!(matches!(
            LinkOffer::verify(&bytes[..bytes.len() / 2], &[lab.verifying_key()]),
            Err(BatchError::Damaged { .. })
        ));
    }

    #[test]
    fn a_tampered_or_truncated_batch_is_refused() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let body = BatchBody::new("RMP01", 5, &"a".repeat(64), vec!["{}".into()]).expect("json");
        let bytes = body.sign(&key);
        // Not a real event: signature fine, chain broken.
        assert!(matches!(
            verify_batch(&bytes, &key.verifying_key()),
            Err(BatchError::BrokenChain { .. })
        ));
        let cut = &bytes[..bytes.len() - 10];
        assert!(matches!(
            verify_batch(cut, &key.verifying_key()),
            Err(BatchError::Damaged { .. })
        ));
        let mut flipped = bytes.clone();
        flipped[30] ^= 1;
        assert!(verify_batch(&flipped, &key.verifying_key()).is_err());
        let other = SigningKey::from_bytes(&[4; 32]);
        assert!(matches!(
            verify_batch(&bytes, &other.verifying_key()),
            Err(BatchError::BadSignature { .. })
        ));
    }

    #[test]
    fn acks_verify_with_the_lab_key_only() {
        let lab = SigningKey::from_bytes(&[9; 32]);
        let ack = Ack {
            decisions: vec![],
            v: 1,
            kiosk: "RMP01".into(),
            through: 7,
            hash: "b".repeat(64),
            at: "2026-11-23T10:00:00+05:30".into(),
        };
        let bytes = ack.sign(&lab);
        assert_eq!(Ack::verify(&bytes, &lab.verifying_key()), Ok(ack));
        let other = SigningKey::from_bytes(&[8; 32]);
        assert!(Ack::verify(&bytes, &other.verifying_key()).is_err());
    }

    #[test]
    fn a_claims_steps_follow_one_order() {
        let day = jiff::civil::date(2026, 12, 9);
        let published = Step::Published { until: day };
        let approved = Step::Approved {
            amount: crate::domain::money::Paise(100),
        };
        let objected = Step::Objected {
            objection: "x".into(),
        };
        let paid = Step::Paid {
            amount: crate::domain::money::Paise(100),
            bank_ref: "UTR123456".into(),
            on: day,
            parts: Vec::new(),
        };
        let rejected = Step::Rejected {
            reasons: "x".into(),
        };
        assert!(Step::Verified.may_follow(&[]));
        assert!(rejected.may_follow(&[]));
        assert!(!published.may_follow(&[]));
        assert!(!paid.may_follow(&[Step::Verified, published.clone()]));
        let open = [Step::Verified, published.clone(), objected.clone()];
        assert!(objected.may_follow(&open));
        assert!(approved.may_follow(&open));
        assert!(rejected.may_follow(&open));
        let decided = [Step::Verified, published.clone(), approved.clone()];
        assert!(paid.may_follow(&decided));
        assert!(!rejected.may_follow(&decided));
        assert!(!approved.may_follow(&decided), "decided once");
        assert!(!Step::Verified.may_follow(&[Step::Verified]), "a replay");
        assert!(!paid.may_follow(&[Step::Verified, published, approved, paid.clone()]));
    }
}
