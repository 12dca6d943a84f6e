//! The district lab's collector: receives batches from every kiosk (a USB
//! stick's folder, or uploads over HTTP), verifies, decrypts, links them to
//! what it holds, stores each event once, answers with signed
//! acknowledgements, and reports.
//!
//! A lab directory holds `district-lab.db`, `district-lab.identity` (the age identity
//! batches are encrypted to) and `district-lab.key` (the ed25519 key that signs
//! acknowledgements), both mode 0600.
//!
//! Its rooms: [`store`] (all the lab's SQL, behind `LabStore`) ← this file
//! (opening batches, ingest, stick import, acknowledgements, officers'
//! logins) ← [`server`] (HTTP on tokio + axum: kiosks' API and officers'
//! pages) ← [`cli`]; each imports only those to its left, and dastak-core.
//! [`simulate`] makes synthetic kiosks' ledgers from dastak-core alone;
//! [`officers`] (roles, passwords, tokens) and [`dashboard`] (what the pages
//! show, as HTML and SVG) do no IO.

pub mod claims;
pub mod cli;
pub mod dashboard;
pub mod officers;
pub mod server;
pub mod simulate;
pub mod statement;
pub mod store;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use age::secrecy::ExposeSecret;
use std::collections::BTreeMap;

use ed25519_dalek::{SigningKey, VerifyingKey};
use jiff::Timestamp;
use serde::Serialize;

use dastak_core::domain::proof::Proof;
use dastak_core::domain::time::format_instant;
use dastak_core::durable::{self, Access};
use dastak_core::i18n::{Lang, Localized, Message, english};
use dastak_core::wire::{
    Ack, BatchError, LINK_FILE, MAX_BATCH_BYTES, read_batch, stick_folder, unseal,
};
pub use store::DbUrl;
pub use store::ReportRow;
use store::{Incoming, Ingested, KioskStatus, LabStore, LabStoreError, Row};

pub const DB_FILE: &str = "district-lab.db";
pub const IDENTITY_FILE: &str = "district-lab.identity";
pub const KEY_FILE: &str = "district-lab.key";

#[derive(Debug, thiserror::Error)]
#[error("{}", english(self))]
pub enum LabError {
    Store(#[from] LabStoreError),
    Batch(#[from] BatchError),
    NotInitialised {
        dir: String,
    },
    AlreadyInitialised {
        dir: String,
    },
    Io {
        path: String,
        detail: String,
    },
    /// The system would not give random bytes (a key, a session token).
    NoRandomness {
        detail: String,
    },
    BadKioskKey,
    BadKioskCode,
    NoBatches {
        dir: String,
    },
    BadUrl,
    Serve(#[from] server::ServeError),
    BadOfficerName,
    OfficerExists {
        name: String,
    },
    ShortPassword {
        min: usize,
    },
    LongPassword {
        max: usize,
    },
    BadRole,
    BadLogin,
    LoginTooSoon {
        wait: i64,
    },
    NoPassword,
    BadAmount,
    BadDate {
        got: String,
    },
    BadMonth {
        got: String,
    },
    /// Synthetic batches would not seal to the lab's own key (`simulate`,
    /// `demo`): its identity file is not what `init` wrote.
    Seal(#[from] dastak_core::wire::SealError),
    /// The demo's synthetic kiosk could not file a member's claim (she
    /// had no nominee, or her account would not seal to the lab's key).
    DemoClaims {
        member: String,
    },
    ClaimStep(#[from] claims::ClaimStepError),
    ClaimLog(#[from] claims::LogError),
}

impl Localized for LabError {
    fn message(&self) -> Message {
        match self {
            LabError::Store(e) => Message::new("lab.store").arg("detail", e),
            LabError::Batch(e) => e.message(),
            LabError::NotInitialised { dir } => Message::new("lab.not_initialised").arg("dir", dir),
            LabError::AlreadyInitialised { dir } => Message::new("lab.already").arg("dir", dir),
            LabError::Io { path, detail } => Message::new("io.error")
                .arg("path", path)
                .arg("detail", detail),
            LabError::NoRandomness { detail } => {
                Message::new("lab.no_randomness").arg("detail", detail)
            }
            LabError::BadKioskKey => Message::new("proof.bad_key"),
            LabError::BadKioskCode => Message::new("text.code"),
            LabError::NoBatches { dir } => Message::new("lab.no_batches").arg("dir", dir),
            LabError::BadUrl => Message::new("sync.no_url"),
            LabError::Serve(e) => e.message(),
            LabError::BadOfficerName => Message::new("lab.officer_name"),
            LabError::OfficerExists { name } => {
                Message::new("lab.officer_exists").arg("name", name)
            }
            LabError::ShortPassword { min } => Message::new("lab.password_short").arg("min", min),
            LabError::LongPassword { max } => Message::new("lab.password_long").arg("max", max),
            LabError::BadRole => Message::new("lab.bad_role"),
            LabError::BadLogin => Message::new("dash.bad_login"),
            LabError::LoginTooSoon { wait } => Message::new("dash.too_soon").arg("wait", wait),
            LabError::NoPassword => Message::new("lab.no_password"),
            LabError::BadAmount => Message::new("labclaim.bad_amount"),
            LabError::BadDate { got } => Message::new("labclaim.bad_date").arg("got", got),
            LabError::BadMonth { got } => Message::new("lab.bad_month").arg("got", got),
            LabError::Seal(e) => Message::new("lab.seal").arg("detail", e),
            LabError::DemoClaims { member } => {
                Message::new("lab.demo_claims").arg("member", member)
            }
            LabError::ClaimStep(e) => e.message(),
            LabError::ClaimLog(e) => e.message(),
        }
    }
}

/// The system's random source failed: nothing on disk is to blame.
pub(crate) fn no_randomness(e: getrandom::Error) -> LabError {
    LabError::NoRandomness {
        detail: e.to_string(),
    }
}

fn io(path: &Path, e: impl std::fmt::Display) -> LabError {
    LabError::Io {
        path: path.display().to_string(),
        detail: e.to_string(),
    }
}

/// An open lab.
pub struct Lab {
    store: Box<dyn LabStore + Send>,
    /// Where the books are, to open a second connection for a long read.
    db: DbUrl,
    identity: age::x25519::Identity,
    key: SigningKey,
    throttle: officers::Throttle,
    /// Where each kiosk is, as last read (see [`Lab::kiosk_places`]).
    places: std::sync::Mutex<Option<(std::time::Instant, Places)>>,
}

/// Each kiosk's place, shared by the pages that read it.
pub type Places = std::sync::Arc<std::collections::HashMap<String, store::Place>>;

/// How long the kiosks' places are kept before they are read again: a
/// place changes only when a new kiosk's first event arrives, which this
/// lab's own ingest notices at once; another lab process's (PostgreSQL)
/// within this long.
const PLACES_KEPT: std::time::Duration = std::time::Duration::from_secs(60);

/// What a lab tells a kiosk it needs: `dastak link` takes these.
#[derive(Clone, Debug, Serialize)]
pub struct LabIdentity {
    pub recipient: String,
    pub ack_key: String,
}

impl Lab {
    /// `dastak-lab init`: a new lab directory with fresh keys.
    pub fn init(dir: &Path) -> Result<Lab, LabError> {
        Lab::init_at(dir, &DbUrl::Sqlite(dir.join(DB_FILE)))
    }

    /// A new lab directory whose books are at `db` (`--db URL`).
    pub fn init_at(dir: &Path, db: &DbUrl) -> Result<Lab, LabError> {
        if dir.join(IDENTITY_FILE).exists() {
            return Err(LabError::AlreadyInitialised {
                dir: dir.display().to_string(),
            });
        }
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        // The books first: a database that cannot be reached or migrated
        // leaves no keys behind, and `init` can simply be run again.
        let store = db.open()?;
        let identity = age::x25519::Identity::generate();
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(no_randomness)?;
        durable::write(dir, KEY_FILE, hex::encode(seed).as_bytes(), Access::Private)
            .map_err(|e| io(dir, e))?;
        durable::write(
            dir,
            IDENTITY_FILE,
            identity.to_string().expose_secret().as_bytes(),
            Access::Private,
        )
        .map_err(|e| io(dir, e))?;
        Ok(Lab {
            store,
            db: db.clone(),
            identity,
            key: SigningKey::from_bytes(&seed),
            throttle: officers::Throttle::default(),
            places: std::sync::Mutex::new(None),
        })
    }

    pub fn open(dir: &Path) -> Result<Lab, LabError> {
        Lab::open_at(dir, &DbUrl::Sqlite(dir.join(DB_FILE)))
    }

    /// The lab in `dir` (its keys) with its books at `db`.
    pub fn open_at(dir: &Path, db: &DbUrl) -> Result<Lab, LabError> {
        let not_init = || LabError::NotInitialised {
            dir: dir.display().to_string(),
        };
        let id_text = std::fs::read_to_string(dir.join(IDENTITY_FILE)).map_err(|_| not_init())?;
        let identity = age::x25519::Identity::from_str(id_text.trim()).map_err(|_| not_init())?;
        let seed: [u8; 32] = std::fs::read_to_string(dir.join(KEY_FILE))
            .ok()
            .and_then(|s| hex::decode(s.trim()).ok())
            .and_then(|b| b.try_into().ok())
            .ok_or_else(not_init)?;
        Ok(Lab {
            store: db.open()?,
            db: db.clone(),
            identity,
            key: SigningKey::from_bytes(&seed),
            throttle: officers::Throttle::default(),
            places: std::sync::Mutex::new(None),
        })
    }

    /// `dastak-lab link-file`: the signed link file for new kiosks, written
    /// to the stick at `root` (in its dastak folder). Returns its path.
    pub fn write_link_file(
        &self,
        root: &Path,
        url: Option<&str>,
        now: Timestamp,
    ) -> Result<PathBuf, LabError> {
        let url = url.map(str::trim).filter(|u| !u.is_empty());
        if url.is_some_and(|u| !(u.starts_with("http://") || u.starts_with("https://"))) {
            return Err(LabError::BadUrl);
        }
        let id = self.identity();
        let offer = dastak_core::wire::LinkOffer {
            v: 1,
            recipient: id.recipient,
            ack_key: id.ack_key,
            url: url.map(str::to_string),
            at: format_instant(now),
        };
        // The stick itself must be there (as for export): making it would
        // leave the file on the lab's own disk.
        std::fs::metadata(root).map_err(|e| io(root, e))?;
        let folder = stick_folder(root);
        std::fs::create_dir_all(&folder).map_err(|e| io(&folder, e))?;
        durable::write_checked(&folder, LINK_FILE, &offer.sign(&self.key), Access::Shared)
            .map_err(|e| io(&folder, e))?;
        Ok(folder.join(LINK_FILE))
    }

    pub fn identity(&self) -> LabIdentity {
        LabIdentity {
            recipient: self.identity.to_public().to_string(),
            ack_key: hex::encode(self.key.verifying_key().to_bytes()),
        }
    }

    /// `dastak-lab simulate`: registers the plan's synthetic kiosks and
    /// receives their whole ledgers, sealed to this lab, through the same
    /// path as a stick's batches (decrypt, verify, chain, store), one
    /// kiosk at a time so that memory stays small.
    pub fn simulate(
        &mut self,
        plan: &simulate::Plan,
        now: Timestamp,
    ) -> Result<ImportReport, LabError> {
        self.simulate_at(plan, &|_| now)
    }

    /// As [`Lab::simulate`], each kiosk `i` received at `contact(i)` (its
    /// last contact, as the dashboard shows it).
    pub fn simulate_at(
        &mut self,
        plan: &simulate::Plan,
        contact: &dyn Fn(u32) -> Timestamp,
    ) -> Result<ImportReport, LabError> {
        let recipient = self.identity().recipient;
        let mut report = ImportReport::default();
        for i in 0..plan.kiosks {
            let k = simulate::kiosk(plan, i);
            let now = contact(i);
            self.add_kiosk(&k.code, &hex::encode(k.key.verifying_key().to_bytes()), now)?;
            let sealed = k
                .signed_batches()
                .iter()
                .map(|b| dastak_core::wire::seal(b, &recipient))
                .collect::<Result<Vec<_>, _>>()?;
            for (n, got) in self.receive_all(&sealed, now)?.into_iter().enumerate() {
                report.tally(format!("{} #{}", k.code, n + 1), got);
            }
        }
        Ok(report)
    }

    /// `dastak-lab officer add`: a new officer of `role`, over `district`
    /// (None: the whole state), whose pages are in `lang`, added `by` an
    /// admin (or `cli`, the lab's own command line).
    #[allow(clippy::too_many_arguments)]
    pub fn add_officer(
        &mut self,
        by: &str,
        name: &str,
        password: &str,
        role: officers::Role,
        district: Option<&str>,
        lang: Lang,
        now: Timestamp,
    ) -> Result<(), LabError> {
        let name = officer_name(name)?;
        if password.chars().count() < officers::MIN_PASSWORD {
            return Err(LabError::ShortPassword {
                min: officers::MIN_PASSWORD,
            });
        }
        if password.len() > officers::MAX_PASSWORD {
            return Err(LabError::LongPassword {
                max: officers::MAX_PASSWORD,
            });
        }
        let hash = officers::hash_password(password).map_err(|e| io(Path::new("argon2"), e))?;
        let officer = store::Officer {
            name: name.clone(),
            password_hash: hash,
            role: role.as_str().to_string(),
            district: district.map(str::to_string),
            lang: lang.code().to_string(),
        };
        if !self.store.add_officer(&officer, &format_instant(now))? {
            return Err(LabError::OfficerExists { name });
        }
        self.audit(by, "officer_add", &format!("{name} {}", role.as_str()), now)?;
        Ok(())
    }

    /// An officer's login: a new session (its cookie token, which the
    /// books do not keep) or why not. Every attempt is in the audit log.
    pub fn login(
        &mut self,
        name: &str,
        password: &str,
        now: Timestamp,
    ) -> Result<(String, Session), LabError> {
        let officer = self.authenticate(name, password, now)?;
        let name = officer.name.clone();
        let token = officers::new_token().map_err(no_randomness)?;
        let csrf = officers::new_token().map_err(no_randomness)?;
        let row = store::SessionRow {
            token_hash: officers::token_hash(&token),
            officer: officer.name.clone(),
            csrf,
            expires: now.as_second() + store::SESSION_SPAN,
        };
        self.store.open_session(&row)?;
        self.audit(&name, "login", "", now)?;
        Ok((token, Session::new(row, officer)))
    }

    /// The officer `name` if `password` is hers (throttled, and a wrong one
    /// audited): for a login, and for a claim step on the command line.
    pub(crate) fn authenticate(
        &mut self,
        name: &str,
        password: &str,
        now: Timestamp,
    ) -> Result<store::Officer, LabError> {
        let name = officer_name(name).map_err(|_| LabError::BadLogin)?;
        let wait = self.throttle.wait(&name, now);
        if wait > 0 {
            return Err(LabError::LoginTooSoon { wait });
        }
        let officer = self.store.officer(&name)?;
        let ok = officer
            .as_ref()
            .is_some_and(|o| officers::password_matches(&o.password_hash, password));
        let Some(officer) = officer.filter(|_| ok) else {
            self.throttle.failed(&name, now);
            self.audit(&name, "login_failed", "", now)?;
            return Err(LabError::BadLogin);
        };
        self.throttle.succeeded(&name);
        Ok(officer)
    }

    /// An officer's record, by name (the demo's officers).
    pub(crate) fn officer_record(&self, name: &str) -> Result<store::Officer, LabError> {
        self.store.officer(name)?.ok_or(LabError::BadLogin)
    }

    /// The live session whose cookie is `token`, if any.
    pub fn session(&self, token: &str, now: Timestamp) -> Result<Option<Session>, LabError> {
        Ok(self
            .store
            .session(&officers::token_hash(token), now.as_second())?
            .map(|(row, officer)| Session::new(row, officer)))
    }

    pub fn logout(&mut self, session: &Session, now: Timestamp) -> Result<(), LabError> {
        self.store.close_session(&session.token_hash)?;
        self.audit(&session.officer, "logout", "", now)
    }

    pub fn set_officer_lang(
        &mut self,
        session: &Session,
        lang: Lang,
        now: Timestamp,
    ) -> Result<(), LabError> {
        self.store.set_officer_lang(&session.officer, lang.code())?;
        self.audit(&session.officer, "set_lang", lang.code(), now)
    }

    /// Appends to the lab's audit log: `officer` did `action`.
    pub fn audit(
        &mut self,
        officer: &str,
        action: &str,
        detail: &str,
        now: Timestamp,
    ) -> Result<(), LabError> {
        self.store.audit(&store::AuditEntry {
            at: format_instant(now),
            officer: officer.to_string(),
            action: action.to_string(),
            detail: detail.to_string(),
        })?;
        Ok(())
    }

    pub fn audit_log(&self, limit: u32) -> Result<Vec<store::AuditEntry>, LabError> {
        Ok(self.store.audit_log(limit)?)
    }

    /// Where each kiosk is: read from each kiosk's first event (a JSON
    /// parse a kiosk), so kept for every page that asks within
    /// [`PLACES_KEPT`], and forgotten when this lab stores batches.
    pub fn kiosk_places(&self) -> Result<Places, LabError> {
        let mut kept = self.places.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((at, places)) = kept.as_ref()
            && at.elapsed() < PLACES_KEPT
        {
            return Ok(places.clone());
        }
        let places = Places::new(self.store.kiosk_places()?);
        *kept = Some((std::time::Instant::now(), places.clone()));
        Ok(places)
    }

    /// Forgets the kept places: batches are being stored, a new kiosk may
    /// be among them.
    fn forget_places(&self) {
        *self.places.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// `dastak-lab kiosk add`.
    pub fn add_kiosk(&mut self, code: &str, key: &str, now: Timestamp) -> Result<(), LabError> {
        let code = dastak_core::domain::text::code(code).map_err(|_| LabError::BadKioskCode)?;
        dastak_core::domain::proof::parse_public_key(key).ok_or(LabError::BadKioskKey)?;
        self.store
            .add_kiosk(&code, key.trim(), &format_instant(now))?;
        Ok(())
    }

    /// The signed statement of what the lab holds for `kiosk`.
    /// A challenge for `kiosk` to sign before it may read its
    /// acknowledgement: the lab's time and a MAC over it under a key only
    /// the lab holds (derived from its signing key), so the lab keeps no
    /// state and trusts no kiosk's clock.
    pub fn challenge(&self, kiosk: &str, now: Timestamp) -> String {
        let t = now.as_second();
        format!("{t}.{}", self.challenge_mac(kiosk, t))
    }

    fn challenge_mac(&self, kiosk: &str, t: i64) -> String {
        use hmac::{Hmac, KeyInit, Mac};
        use sha2::Digest;
        // Its own key for this use, not the signing key itself.
        let key = sha2::Sha256::new()
            .chain_update(b"dastak lab challenge key 1")
            .chain_update(self.key.to_bytes())
            .finalize();
        let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&key)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(format!("{kiosk}\n{t}").as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Whether `challenge` is one this lab made for `kiosk` in the last
    /// five minutes and `proof` is the kiosk's registered key's signature.
    pub fn check_ack_read(
        &self,
        kiosk: &str,
        challenge: &str,
        proof: &str,
        now: Timestamp,
    ) -> Result<bool, LabError> {
        const FRESH_SECONDS: i64 = 300;
        let Some((t, mac)) = challenge.split_once('.') else {
            return Ok(false);
        };
        let Ok(t) = t.parse::<i64>() else {
            return Ok(false);
        };
        let age = now.as_second() - t;
        if !(0..=FRESH_SECONDS).contains(&age) || self.challenge_mac(kiosk, t) != mac {
            return Ok(false);
        }
        let Some(key) = self.store.kiosk_key(kiosk)? else {
            return Ok(false);
        };
        Ok(dastak_core::wire::verify_ack_read(
            &key, kiosk, challenge, proof,
        ))
    }

    pub fn ack(&self, kiosk: &str, now: Timestamp) -> Result<Vec<u8>, LabError> {
        if self.store.kiosk_key(kiosk)?.is_none() {
            return Err(BatchError::UnknownKiosk {
                kiosk: kiosk.to_string(),
            }
            .into());
        }
        let (through, hash) = self.store.head(kiosk)?;
        // Signed by the lab when they were written, each entry travels as
        // it is; a damaged one (not UTF-8) is not sent, and the claim log's
        // check names it at the lab.
        let decisions = self
            .store
            .claim_log_of(kiosk)?
            .into_iter()
            .filter_map(|b| String::from_utf8(b).ok())
            .collect();
        Ok(Ack {
            v: 1,
            kiosk: kiosk.to_string(),
            through,
            hash,
            at: format_instant(now),
            decisions,
        }
        .sign(&self.key))
    }

    /// Decrypts a sealed batch and verifies it against the registered key
    /// and within itself; nothing is stored yet.
    pub fn open_batch(&self, sealed: &[u8]) -> Result<Incoming, LabError> {
        open_sealed(&self.identity, sealed, &|k| {
            self.store.kiosk_key(k).map_err(LabError::from)
        })
    }

    /// The whole account number of a claim's sealed account: only the lab,
    /// which pays by bank transfer, can read it (a kiosk keeps the last
    /// four digits). Bytes that do not open, or open to anything but 9 to
    /// 18 digits, are a damaged claim.
    pub fn open_account(
        &self,
        account: &dastak_core::domain::claim::SealedAccount,
    ) -> Result<String, LabError> {
        let damaged = || {
            LabError::Batch(BatchError::Damaged {
                detail: "sealed account".into(),
            })
        };
        let bytes = account.sealed_bytes().ok_or_else(damaged)?;
        let opened = unseal(&bytes, &self.identity)?;
        let text = String::from_utf8(opened).map_err(|_| damaged())?;
        let number =
            dastak_core::domain::claim::AccountNumber::parse(&text).map_err(|_| damaged())?;
        if number.last4() != account.last4 {
            return Err(damaged());
        }
        Ok(number.digits().to_string())
    }

    /// One sealed batch: verified, then stored in one durable commit (an
    /// upload: the acknowledgement that follows must be true).
    pub fn receive(
        &mut self,
        sealed: &[u8],
        now: Timestamp,
    ) -> Result<(String, Ingested), LabError> {
        let (kiosk, events) = self.open_batch(sealed)?;
        self.forget_places();
        let mut one = std::iter::once((kiosk.clone(), events));
        let got = self
            .store
            .ingest_all(&mut one, &format_instant(now))?
            .pop()
            .ok_or_else(|| LabError::Io {
                path: "ingest".into(),
                detail: "missing result".into(),
            })??;
        Ok((kiosk, got))
    }

    /// Many sealed batches (a stick's worth): each verified on its own, the
    /// good ones stored in durable commits of [`commit_sizes`] batches,
    /// each batch in its own savepoint within it.
    ///
    /// Decrypting and verifying is the costly part and each batch stands
    /// alone, so worker threads open batches while this thread stores the
    /// ones already opened: the two overlap, and the books still see the
    /// batches in the stick's order (so a batch's link to the one before
    /// is checked exactly as if they came one by one).
    pub fn receive_all(
        &mut self,
        sealed: &[Vec<u8>],
        now: Timestamp,
    ) -> Result<Vec<Received>, LabError> {
        // The storing thread opens batches too when it would wait (see
        // `InOrder`), so one worker fewer than the cores.
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .saturating_sub(1)
            .clamp(1, 8)
            .min(sealed.len().max(1));
        self.forget_places();
        let keys = self.store.kiosk_keys()?;
        let identity = &self.identity;
        let lookup =
            |k: &str| -> Result<Option<VerifyingKey>, LabError> { Ok(keys.get(k).copied()) };
        let lookup = &lookup;
        let next = AtomicUsize::new(0);
        let next = &next;
        let now = format_instant(now);
        let store = &mut self.store;
        let open = move || {
            let i = next.fetch_add(1, Ordering::Relaxed);
            sealed.get(i).map(|s| (i, open_sealed(identity, s, lookup)))
        };
        let open = &open;
        let (slots, stored) = std::thread::scope(|scope| {
            let (tx, rx) = mpsc::channel::<(usize, Result<Incoming, LabError>)>();
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    let tx = tx.clone();
                    scope.spawn(move || {
                        while let Some(got) = open() {
                            if tx.send(got).is_err() {
                                break;
                            }
                        }
                    })
                })
                .collect();
            drop(tx);
            let mut opened = InOrder {
                rx,
                early: BTreeMap::new(),
                next: 0,
                total: sealed.len(),
                slots: Vec::with_capacity(sealed.len()),
                help: open,
            };
            // The workers go on opening the next commit's batches while
            // one is stored.
            let stored = (|| {
                let mut all = Vec::new();
                // (A batch that does not open is not counted in a commit,
                // so the sizes may run out before the batches do.)
                let mut sizes = commit_sizes(sealed.len()).into_iter();
                while opened.next < opened.total {
                    let take = sizes.next().unwrap_or(COMMIT_EVERY);
                    all.extend(store.ingest_all(&mut (&mut opened).take(take), &now)?);
                }
                Ok::<_, LabStoreError>(all)
            })();
            // Joined here so that a worker that panicked is an error for
            // its batches (InOrder already recorded them), not a panic.
            for w in workers {
                let _ = w.join();
            }
            (opened.slots, stored)
        });
        let mut stored = stored?.into_iter();
        Ok(slots
            .into_iter()
            .map(|slot| {
                let kiosk = slot?;
                let got = stored.next().ok_or_else(|| LabError::Io {
                    path: "ingest".into(),
                    detail: "missing result".into(),
                })??;
                Ok((kiosk, got))
            })
            .collect())
    }

    /// `dastak-lab import DIR`: every batch file on a stick, each on its own
    /// (one bad file never blocks the others); then an acknowledgement for
    /// each kiosk seen is written back onto the stick.
    pub fn import_dir(&mut self, root: &Path, now: Timestamp) -> Result<ImportReport, LabError> {
        let folder = stick_folder(root);
        // A stick without the folder is the wrong stick, or one not yet
        // written by `dastak export`: say that, not "no such file".
        if !folder.is_dir() {
            return Err(LabError::NoBatches {
                dir: folder.display().to_string(),
            });
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .map_err(|e| io(&folder, e))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "batch"))
            .collect();
        files.sort();
        let mut report = ImportReport::default();
        let mut kiosks = std::collections::BTreeSet::new();
        let mut names = Vec::new();
        let mut sealed = Vec::new();
        for f in files {
            let name = f
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            match std::fs::read(&f) {
                Ok(bytes) => {
                    names.push(name);
                    sealed.push(bytes);
                }
                Err(e) => report.refused.push((name, io(&f, e).message())),
            }
        }
        for (name, outcome) in names.into_iter().zip(self.receive_all(&sealed, now)?) {
            if let Some(kiosk) = report.tally(name, outcome) {
                kiosks.insert(kiosk);
            }
        }
        let acks = folder.join("acks");
        if !kiosks.is_empty() {
            std::fs::create_dir_all(&acks).map_err(|e| io(&acks, e))?;
        }
        for k in kiosks {
            let ack = self.ack(&k, now)?;
            durable::write_checked(&acks, &format!("{k}.ack"), &ack, Access::Shared)
                .map_err(|e| io(&acks, e))?;
        }
        Ok(report)
    }

    /// One cheap read of the books, for a health check.
    pub fn ping(&self) -> Result<(), LabError> {
        Ok(self.store.ping()?)
    }

    /// Makes this month's and next month's partitions of the events (by
    /// the lab's clock, in IST) before their first events come: made by
    /// ingest instead, a month's partition waits for every reader of the
    /// events (a long export, a nightly backup), and the uploads and pages
    /// after it wait behind it. Waits only a moment for such a reader;
    /// returns the months it left (ingest makes them when it must, as
    /// before). `serve` calls it when it starts and every hour.
    pub fn make_months_ahead(&mut self, now: Timestamp) -> Result<Vec<String>, LabError> {
        let today = now.to_zoned(dastak_core::domain::time::ist()).date();
        let first = today.first_of_month();
        let next = first
            .checked_add(jiff::Span::new().months(1))
            .unwrap_or(first);
        let months: Vec<String> = [first, next]
            .iter()
            .map(|d| d.strftime("%Y-%m").to_string())
            .collect();
        Ok(self.store.make_months(&months)?)
    }

    pub fn status(&self) -> Result<Vec<KioskStatus>, LabError> {
        Ok(self.store.status()?)
    }
}

/// Decrypts and verifies one sealed batch, finding the sender's key with
/// `key_of`.
fn open_sealed(
    identity: &age::x25519::Identity,
    sealed: &[u8],
    key_of: &dyn Fn(&str) -> Result<Option<VerifyingKey>, LabError>,
) -> Result<Incoming, LabError> {
    if sealed.len() > MAX_BATCH_BYTES {
        return Err(BatchError::Damaged {
            detail: "too large".into(),
        }
        .into());
    }
    let signed = unseal(sealed, identity)?;
    let unverified = read_batch(&signed)?;
    let kiosk = unverified.body.kiosk.clone();
    let key = key_of(&kiosk)?.ok_or_else(|| BatchError::UnknownKiosk {
        kiosk: kiosk.clone(),
    })?;
    let batch = unverified.verify(&key)?;
    let events: Vec<_> = batch
        .body
        .events
        .into_iter()
        .zip(batch.events)
        // The event's bytes move out of the parsed batch as they are.
        .map(|(raw, (e, hash))| Row {
            seq: e.seq,
            hash,
            kind: e.body.kind(),
            operator: e.body.by().to_string(),
            facts: store::Facts::from(e.body),
            prev: e.prev,
            at: e.at,
            canonical: String::from(Box::<str>::from(raw)),
        })
        .collect();
    Ok((kiosk, events))
}

/// Batches stored in one commit by [`Lab::receive_all`]: a transaction's
/// work (and what is redone when one fails) stays bounded on a big stick,
/// and its rollups are written once for many batches. Between commits the
/// workers keep opening batches, so opening the next ones overlaps storing
/// these. A failure between commits leaves the earlier ones stored and no
/// acknowledgement written: the kiosk sends again and they are duplicates.
/// (On PostgreSQL a big commit is two transactions that share no kiosk,
/// and one may be stored when the other fails: every kiosk still keeps
/// the start of its events; see `store/postgres.rs`, `halves`.)
pub const COMMIT_EVERY: usize = 40;

/// The batches of a stick's first commit.
pub const FIRST_COMMIT: usize = 10;

/// How many batches each commit of a stick of `n` stores, in order: a
/// first commit of [`FIRST_COMMIT`], so that storing starts once a few
/// batches are opened rather than a whole commit's worth, then each twice
/// the one before, up to [`COMMIT_EVERY`]. One worker opens a batch in
/// about a third of the time storing it takes, so the next commit's twice
/// as many are open by the time this one is stored. (With every commit
/// of 40, the server waited for the first 40 batches a tenth of a
/// stick's time; `cargo bench -p dastak-lab --bench ingest_pg`, README.)
pub fn commit_sizes(n: usize) -> Vec<usize> {
    let mut sizes = Vec::new();
    let (mut left, mut next) = (n, FIRST_COMMIT);
    while left > 0 {
        let take = next.min(left);
        sizes.push(take);
        left -= take;
        next = (next * 2).min(COMMIT_EVERY);
    }
    sizes
}

/// The opened batches, in the order they were given, as the workers finish
/// them: the good ones are yielded for storing, and every batch's place is
/// kept in `slots` (its kiosk, or why it was refused) so that each answer
/// lines up with its file.
struct InOrder<'a> {
    rx: mpsc::Receiver<(usize, Result<Incoming, LabError>)>,
    early: BTreeMap<usize, Result<Incoming, LabError>>,
    next: usize,
    total: usize,
    slots: Vec<Result<String, LabError>>,
    /// Opens the next batch no thread has taken yet, if one is left: the
    /// storing thread opens batches itself rather than wait idle for the
    /// one it needs (on two cores, waiting was a third of an import).
    help: &'a Open<'a>,
}

/// Takes the next batch no thread has taken and opens it.
type Open<'a> = dyn Fn() -> Option<(usize, Result<Incoming, LabError>)> + Sync + 'a;

impl Iterator for InOrder<'_> {
    type Item = Incoming;

    fn next(&mut self) -> Option<Incoming> {
        while self.next < self.total {
            let i = self.next;
            if !self.early.contains_key(&i) {
                // Whatever the workers finished, then work of its own, and
                // only when none is left, a wait.
                while let Ok((j, r)) = self.rx.try_recv() {
                    self.early.insert(j, r);
                }
                if !self.early.contains_key(&i)
                    && let Some((j, r)) = (self.help)()
                {
                    self.early.insert(j, r);
                    continue;
                }
            }
            let got = match self.early.remove(&i) {
                Some(r) => r,
                None => match self.rx.recv() {
                    Ok((j, r)) if j != i => {
                        self.early.insert(j, r);
                        continue;
                    }
                    Ok((_, r)) => r,
                    // Every worker is gone and this batch never came: one
                    // of them failed on it.
                    Err(_) => Err(LabError::Io {
                        path: "verify".into(),
                        detail: "a verifying thread failed".into(),
                    }),
                },
            };
            self.next += 1;
            match got {
                Ok(incoming) => {
                    self.slots.push(Ok(incoming.0.clone()));
                    return Some(incoming);
                }
                Err(e) => self.slots.push(Err(e)),
            }
        }
        None
    }
}

/// One batch's outcome: the kiosk it came from and what it added, or why
/// it was refused.
pub type Received = Result<(String, Ingested), LabError>;

/// What a stick's import did.
#[derive(Clone, Debug, Default)]
pub struct ImportReport {
    pub files: u64,
    pub new: u64,
    pub duplicate: u64,
    pub quarantined: u64,
    /// Files refused, and why.
    pub refused: Vec<(String, Message)>,
}

impl ImportReport {
    /// Adds one batch's outcome under the name it is reported by; the
    /// kiosk it came from, if it was taken.
    fn tally(&mut self, name: String, outcome: Received) -> Option<String> {
        match outcome {
            Ok((kiosk, got)) => {
                self.files += 1;
                self.new += got.new;
                self.duplicate += got.duplicate;
                self.quarantined += got.quarantined;
                Some(kiosk)
            }
            Err(e) => {
                self.refused.push((name, e.message()));
                None
            }
        }
    }
}

/// Totals by panchayat, scheme and month, from the events themselves.
pub fn report(lab: &Lab) -> Result<Vec<ReportRow>, LabError> {
    Ok(lab.store.report()?)
}

/// The daily rollup by kiosk, village, day and scheme.
pub fn daily(lab: &Lab) -> Result<Vec<store::DailyRow>, LabError> {
    Ok(lab.store.daily()?)
}

/// The daily rollup of days `from` to `to` (YYYY-MM-DD, both included).
pub fn daily_between(lab: &Lab, from: &str, to: &str) -> Result<Vec<store::DailyRow>, LabError> {
    Ok(lab.store.daily_between(from, to)?)
}

/// The monthly rollup of months `from` to `to` (YYYY-MM, both included).
pub fn monthly_between(lab: &Lab, from: &str, to: &str) -> Result<Vec<store::DailyRow>, LabError> {
    Ok(lab.store.monthly_between(from, to)?)
}

/// What each operator recorded each day, of days `from` to `to`.
pub fn operator_days(lab: &Lab, from: &str, to: &str) -> Result<Vec<store::OperatorDay>, LabError> {
    Ok(lab.store.operator_days(from, to)?)
}

/// Where the lab's books are: a long export reads them on a connection of
/// its own (see [`DbUrl::open`]), so that kiosks and officers are served
/// while it runs.
pub fn db_url(lab: &Lab) -> &DbUrl {
    &lab.db
}

/// Every enrolment the lab holds, with her name; one whose member a claim records as
/// dead has left on her date of death (she owes nothing after it, and is
/// no longer expected to pay: see [`Lab::recorded_deaths`]).
pub fn enrolments(lab: &Lab) -> Result<Vec<store::EnrolmentRow>, LabError> {
    let mut rows = lab.store.enrolments()?;
    let deaths = lab.recorded_deaths()?;
    if !deaths.is_empty() {
        for r in &mut rows {
            if let Some(d) = deaths.get(&(r.kiosk.clone(), r.member_id.clone())) {
                let died = d.to_string();
                if r.left_on.as_ref().is_none_or(|l| *l > died) {
                    r.left_on = Some(died);
                }
            }
        }
    }
    Ok(rows)
}

/// Households listed and reached, per kiosk and village.
pub fn coverage(lab: &Lab) -> Result<Vec<store::CoverageRow>, LabError> {
    Ok(lab.store.coverage()?)
}

/// Each kiosk's schemes' dues.
pub fn scheme_dues(lab: &Lab) -> Result<Vec<store::SchemeDues>, LabError> {
    Ok(lab.store.scheme_dues()?)
}

/// Members whose Aadhaar reference is registered at more than one kiosk.
pub fn shared_aadhaar(lab: &Lab) -> Result<Vec<store::SharedAadhaar>, LabError> {
    Ok(lab.store.shared_aadhaar()?)
}

/// Day closes that were short or over, with their reasons, of days from
/// `from` (YYYY-MM-DD; empty: all).
pub fn cash_differences(lab: &Lab, from: &str) -> Result<Vec<store::CashDifference>, LabError> {
    Ok(lab.store.cash_differences(from)?)
}

/// `dastak-lab verify-receipt`: the QR payload against the kiosk's key and
/// the lab's records. Returns the proof and whether the lab holds that
/// receipt as printed (and if it was reversed, the slip).
pub fn verify_receipt(lab: &Lab, text: &str) -> Result<(Proof, bool, Option<String>), LabError> {
    let (claimed, _) = Proof::parse_unverified(text).map_err(|e| BatchError::Damaged {
        detail: e.to_string(),
    })?;
    if claimed.kiosk == dastak_core::domain::proof::LAB_ISSUER {
        // The lab's own paper (a fund statement): its key vouches for the
        // figures, which it made from its books and keeps no copy of.
        let proof =
            Proof::verify(text, &claimed.kiosk, &lab.key.verifying_key()).map_err(|_| {
                BatchError::BadSignature {
                    kiosk: claimed.kiosk.clone(),
                }
            })?;
        return Ok((proof, true, None));
    }
    let key = lab
        .store
        .kiosk_key(&claimed.kiosk)?
        .ok_or_else(|| BatchError::UnknownKiosk {
            kiosk: claimed.kiosk.clone(),
        })?;
    let proof =
        Proof::verify(text, &claimed.kiosk, &key).map_err(|_| BatchError::BadSignature {
            kiosk: claimed.kiosk.clone(),
        })?;
    let held = lab.store.receipt(&proof.kiosk, &proof.document)?;
    let matches = held
        .taken
        .is_some_and(|(m, a)| m == proof.member && a == proof.amount.0);
    Ok((proof, matches, held.reversed_by))
}

/// A logged-in officer's session.
#[derive(Clone, Debug)]
pub struct Session {
    token_hash: String,
    pub officer: String,
    pub role: officers::Role,
    pub district: Option<String>,
    pub lang: Lang,
    /// The token every form of this session carries.
    pub csrf: String,
}

impl Session {
    fn new(row: store::SessionRow, officer: store::Officer) -> Session {
        Session {
            token_hash: row.token_hash,
            officer: officer.name,
            // The database allows no other roles; the least is assumed.
            role: officers::Role::parse(&officer.role).unwrap_or(officers::Role::Viewer),
            district: officer.district,
            lang: Lang::parse(&officer.lang).unwrap_or(Lang::Hi),
            csrf: row.csrf,
        }
    }
}

/// An officer's name as typed: 2 to 32 lower-case English letters, digits,
/// `.`, `-` or `_` (it is typed on a login page and written in the audit
/// log).
fn officer_name(input: &str) -> Result<String, LabError> {
    let name = input.trim().to_ascii_lowercase();
    let ok = (2..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(name)
    } else {
        Err(LabError::BadOfficerName)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sticks_commits_start_small_double_and_take_every_batch() {
        assert_eq!(commit_sizes(0), Vec::<usize>::new());
        assert_eq!(commit_sizes(7), [7]);
        assert_eq!(commit_sizes(60), [10, 20, 30]);
        assert_eq!(commit_sizes(150), [10, 20, 40, 40, 40]);
        for n in 0..500 {
            let sizes = commit_sizes(n);
            assert_eq!(sizes.iter().sum::<usize>(), n);
            assert!(sizes.iter().all(|s| (1..=COMMIT_EVERY).contains(s)));
        }
    }
}
