//! Death claims at the lab: the steps an officer takes on a claim a kiosk
//! filed, and the lab's claim log that records them.
//!
//! A claim goes filed → documents verified (an officer) → published (the
//! notice goes up at the panchayat) → objections heard until the window
//! closes → approved (an approver who did not verify it) or rejected with
//! reasons → paid by bank transfer (the claim is then closed). Objections
//! are recorded while the window is open and do not move the claim: the
//! approver reads them before deciding.
//!
//! Every step is an entry of the claim log: one chain over all claims, each
//! entry a [`Decision`] naming the hash of the one before and signed by the
//! lab's acknowledgement key, so a kiosk can check the decisions it is sent
//! and anyone holding the lab's key can check the log was not changed
//! ([`check_log`]). The log is read and checked whole before each step:
//! claims are few, and a step must never be written after a broken log.
//!
//! What a step may do is decided by [`decide`], which does no IO; the
//! `impl Lab` here gathers what it needs (the filing, the log, the rules,
//! the fund's balance) and writes the entry.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

use dastak_core::domain::claim::DeathCause;
use dastak_core::domain::event::{Body, ClaimFiled, Event, GENESIS, hash_hex};
use dastak_core::domain::fund::{FundRules, RuleBook, payout};
use dastak_core::domain::money::Paise;
use dastak_core::domain::text::{self, TextError};
use dastak_core::domain::time::{display_date, format_instant, local_date};
use dastak_core::i18n::{Localized, Message, english};
use dastak_core::wire::{Decision, Step};

use crate::officers::Role;
use crate::store::ClaimMember;
use crate::{Lab, LabError};

/// See [`Lab::recorded_deaths`]; `claims` in the order they were filed, so
/// a member's latest claim is the one that counts.
pub(crate) fn recorded_deaths<'a>(
    claims: impl Iterator<Item = &'a LabClaim>,
) -> std::collections::HashMap<(String, String), Date> {
    let mut out = std::collections::HashMap::new();
    for c in claims.filter(|c| c.state != State::Rejected) {
        out.insert(
            (
                home_kiosk(&c.filing.member_id).to_string(),
                c.filing.member_id.clone(),
            ),
            c.filing.died_on,
        );
    }
    out
}

/// Where a claim is in the pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Filed,
    Verified,
    Published,
    Approved,
    Rejected,
    /// Paid, and so closed.
    Paid,
}

impl State {
    pub fn code(self) -> &'static str {
        match self {
            State::Filed => "filed",
            State::Verified => "verified",
            State::Published => "published",
            State::Approved => "approved",
            State::Rejected => "rejected",
            State::Paid => "paid",
        }
    }

    pub fn message(self) -> Message {
        Message::new(match self {
            State::Filed => "labclaim.state_filed",
            State::Verified => "labclaim.state_verified",
            State::Published => "labclaim.state_published",
            State::Approved => "labclaim.state_approved",
            State::Rejected => "labclaim.state_rejected",
            State::Paid => "labclaim.state_paid",
        })
    }
}

/// A claim as the lab holds it: the kiosk's filing and the lab's steps.
#[derive(Clone, Debug, Serialize)]
pub struct LabClaim {
    pub kiosk: String,
    /// When the kiosk filed it (its clock).
    pub filed_at: String,
    pub filing: ClaimFiled,
    /// The member as the lab's books hold her.
    pub member: Option<ClaimMember>,
    pub steps: Vec<Decision>,
    pub state: State,
    /// What the rules in force on the date of death pay (less the fee).
    pub payable: Paise,
    /// Reasons to look twice (see [`Flag`]).
    pub flags: Vec<Flag>,
}

impl LabClaim {
    pub fn number(&self) -> &str {
        &self.filing.claim
    }

    /// The nominees paid each by her own transfer: every nominee the
    /// claim names, when it names several and each gave an account at the
    /// kiosk. Empty when the benefit goes by one transfer to the claim's
    /// account (one nominee, or a claimant who is not one: the lab weighs
    /// her reason and pays her).
    pub fn payees(&self) -> &[dastak_core::domain::event::NomineeShare] {
        let n = &self.filing.nominees;
        if n.len() > 1 && n.iter().all(|s| s.account.is_some()) {
            n
        } else {
            &[]
        }
    }

    /// The officer who verified the documents.
    pub fn verifier(&self) -> Option<&str> {
        self.steps
            .iter()
            .find(|d| d.step == Step::Verified)
            .map(|d| d.officer.as_str())
    }

    /// The last day objections are heard, once published.
    pub fn objections_until(&self) -> Option<Date> {
        self.steps.iter().find_map(|d| match d.step {
            Step::Published { until } => Some(until),
            _ => None,
        })
    }

    /// The approved amount and the log entry that approved it.
    pub fn approval(&self) -> Option<(Paise, &Decision)> {
        self.steps.iter().find_map(|d| match d.step {
            Step::Approved { amount } => Some((amount, d)),
            _ => None,
        })
    }
}

/// The state the steps leave a claim in (objections move nothing).
pub fn state_of(steps: &[Decision]) -> State {
    steps
        .iter()
        .rev()
        .find_map(|d| match d.step {
            Step::Verified => Some(State::Verified),
            Step::Published { .. } => Some(State::Published),
            Step::Objected { .. } => None,
            Step::Approved { .. } => Some(State::Approved),
            Step::Rejected { .. } => Some(State::Rejected),
            Step::Paid { .. } => Some(State::Paid),
        })
        .unwrap_or(State::Filed)
}

/// What an officer asks to do to a claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Verify,
    Publish,
    Object {
        objection: String,
    },
    Approve,
    Reject {
        reasons: String,
    },
    Pay {
        amount: Paise,
        /// One transfer's reference for each payee (see
        /// [`LabClaim::payees`]), in the order the claim names them; one
        /// when the claim is paid whole.
        bank_refs: Vec<String>,
        on: Date,
    },
}

impl Action {
    fn name(&self) -> &'static str {
        match self {
            Action::Verify => "verify",
            Action::Publish => "publish",
            Action::Object { .. } => "object",
            Action::Approve => "approve",
            Action::Reject { .. } => "reject",
            Action::Pay { .. } => "pay",
        }
    }
}

/// What the fund can pay now, for a payment: the money it holds, and the
/// claim of the same fund approved earliest and not yet paid (payments go
/// in order of approval).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FundNow {
    pub balance: Paise,
    pub first_waiting: Option<String>,
}

/// Why a step on a claim was refused. Nothing was written.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", english(self))]
pub enum ClaimStepError {
    NoSuchClaim {
        claim: String,
    },
    Role {
        need: Role,
    },
    OtherDistrict {
        claim: String,
    },
    /// The claim is not in a state this step follows.
    State {
        claim: String,
        state: State,
        step: &'static str,
    },
    /// The approver (or rejecter) verified the documents herself.
    SameChecker {
        verifier: String,
    },
    WindowOpen {
        until: Date,
    },
    WindowClosed {
        until: Date,
    },
    Objection(TextError),
    Reasons(TextError),
    BankRef,
    /// Each nominee's part is its own transfer: `want` references, not
    /// `got`.
    Transfers {
        want: usize,
        got: usize,
    },
    /// One reference given for two transfers.
    TransferTwice {
        bank_ref: String,
    },
    PaidOn {
        approved: Date,
        today: Date,
    },
    Amount {
        approved: Paise,
    },
    /// An earlier-approved claim waits to be paid first.
    NotInOrder {
        first: String,
    },
    FundShort {
        balance: Paise,
        need: Paise,
    },
    /// Another claim for the same member (filed at another kiosk, or
    /// again) is approved or paid: one death is paid once.
    MemberClaimed {
        other: String,
    },
    /// Another officer's step was written first: read again and retry.
    Raced,
}

impl ClaimStepError {
    /// Whether the same step may simply be asked again.
    pub fn is_retryable(&self) -> bool {
        matches!(self, ClaimStepError::Raced)
    }
}

impl Localized for ClaimStepError {
    fn message(&self) -> Message {
        use ClaimStepError as E;
        match self {
            E::NoSuchClaim { claim } => Message::new("labclaim.no_such").arg("claim", claim),
            E::Role { need } => Message::new("labclaim.role").arg("role", need.as_str()),
            E::OtherDistrict { claim } => {
                Message::new("labclaim.other_district").arg("claim", claim)
            }
            E::State { claim, state, step } => Message::new("labclaim.wrong_state")
                .arg("claim", claim)
                .arg_msg("state", state.message())
                .arg("step", step),
            E::SameChecker { verifier } => {
                Message::new("labclaim.same_checker").arg("verifier", verifier)
            }
            E::WindowOpen { until } => {
                Message::new("labclaim.window_open").arg("until", display_date(*until))
            }
            E::WindowClosed { until } => {
                Message::new("labclaim.window_closed").arg("until", display_date(*until))
            }
            E::Objection(e) => Message::new("labclaim.field")
                .arg_msg("field", Message::new("labclaim.field_objection"))
                .arg_msg("why", e.message()),
            E::Reasons(e) => Message::new("labclaim.field")
                .arg_msg("field", Message::new("labclaim.field_reasons"))
                .arg_msg("why", e.message()),
            E::BankRef => Message::new("labclaim.bank_ref"),
            E::Transfers { want, got } => Message::new("labclaim.transfers")
                .arg("want", want)
                .arg("got", got),
            E::TransferTwice { bank_ref } => {
                Message::new("labclaim.transfer_twice").arg("bank_ref", bank_ref)
            }
            E::PaidOn { approved, today } => Message::new("labclaim.paid_on")
                .arg("approved", display_date(*approved))
                .arg("today", display_date(*today)),
            E::Amount { approved } => Message::new("labclaim.amount").arg("approved", approved),
            E::NotInOrder { first } => Message::new("labclaim.not_in_order").arg("first", first),
            E::FundShort { balance, need } => Message::new("labclaim.fund_short")
                .arg("balance", balance)
                .arg("need", need),
            E::MemberClaimed { other } => {
                Message::new("labclaim.member_claimed").arg("other", other)
            }
            E::Raced => Message::new("labclaim.raced"),
        }
    }
}

/// A bank's reference for a transfer (a UTR: 12 digits for IMPS, 16 or
/// 22 letters and digits for NEFT and RTGS): 6 to 35 English letters and
/// digits, kept in capitals.
pub fn bank_ref(input: &str) -> Result<String, ClaimStepError> {
    let s = input.trim().to_ascii_uppercase();
    if (6..=35).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(s)
    } else {
        Err(ClaimStepError::BankRef)
    }
}

/// The step `action` records on `claim`, taken by `officer` (of `role`)
/// on the lab's date `today`; `rules` are the fund's rules in force today
/// (the objection window), `fund` what it holds (a payment).
pub fn decide(
    claim: &LabClaim,
    action: Action,
    officer: &str,
    role: Role,
    today: Date,
    rules: &FundRules,
    fund: &FundNow,
) -> Result<Step, ClaimStepError> {
    use ClaimStepError as E;
    let need = match action {
        Action::Approve | Action::Reject { .. } => Role::Approver,
        _ => Role::Officer,
    };
    if role < need {
        return Err(E::Role { need });
    }
    let state = claim.state;
    let step_name = action.name();
    let wrong = || E::State {
        claim: claim.number().to_string(),
        state,
        step: step_name,
    };
    let checker = || match claim.verifier() {
        Some(v) if v == officer => Err(E::SameChecker {
            verifier: v.to_string(),
        }),
        _ => Ok(()),
    };
    let until = claim.objections_until();
    match action {
        Action::Verify if state == State::Filed => Ok(Step::Verified),
        Action::Publish if state == State::Verified => Ok(Step::Published {
            until: today.saturating_add(jiff::Span::new().days(rules.objection_days)),
        }),
        Action::Object { objection } if state == State::Published => {
            if let Some(until) = until.filter(|u| today > *u) {
                return Err(E::WindowClosed { until });
            }
            let objection = text::free_text(&objection, 5).map_err(E::Objection)?;
            Ok(Step::Objected { objection })
        }
        Action::Approve if state == State::Published => {
            checker()?;
            if let Some(until) = until.filter(|u| today <= *u) {
                return Err(E::WindowOpen { until });
            }
            Ok(Step::Approved {
                amount: claim.payable,
            })
        }
        // A claim may be turned down before its notice goes up (a forged
        // certificate need not be published), but not once approved.
        Action::Reject { reasons }
            if matches!(state, State::Filed | State::Verified | State::Published) =>
        {
            checker()?;
            let reasons = text::free_text(&reasons, 5).map_err(E::Reasons)?;
            Ok(Step::Rejected { reasons })
        }
        Action::Pay {
            amount,
            bank_refs,
            on,
        } if state == State::Approved => {
            let (approved, entry) = claim.approval().ok_or_else(wrong)?;
            let approved_on = entry
                .at
                .parse::<Timestamp>()
                .map(local_date)
                .unwrap_or(today);
            if on < approved_on || on > today {
                return Err(E::PaidOn {
                    approved: approved_on,
                    today,
                });
            }
            if amount != approved {
                return Err(E::Amount { approved });
            }
            let refs = bank_refs
                .iter()
                .map(|r| bank_ref(r))
                .collect::<Result<Vec<String>, _>>()?;
            let payees = claim.payees();
            let want = payees.len().max(1);
            if refs.len() != want {
                return Err(E::Transfers {
                    want,
                    got: refs.len(),
                });
            }
            if let Some(twice) = refs
                .iter()
                .enumerate()
                .find(|(i, r)| refs[..*i].contains(r))
                .map(|(_, r)| r.clone())
            {
                return Err(E::TransferTwice { bank_ref: twice });
            }
            // The paise a split leaves go to the first, as the kiosk's
            // slip and `claims show` split it.
            let shares: Vec<u32> = payees.iter().map(|p| p.share).collect();
            let parts = if payees.is_empty() {
                Vec::new()
            } else {
                let split = dastak_core::domain::fund::parts(amount, &shares)
                    .map_err(|_| E::Amount { approved })?;
                payees
                    .iter()
                    .zip(split)
                    .zip(&refs)
                    .map(|((p, part), r)| dastak_core::wire::PaidPart {
                        name: p.name.clone(),
                        amount: part,
                        bank_ref: r.clone(),
                    })
                    .collect()
            };
            let reference = refs.first().cloned().ok_or(E::BankRef)?;
            if let Some(first) = fund.first_waiting.as_ref().filter(|f| *f != claim.number()) {
                return Err(E::NotInOrder {
                    first: first.clone(),
                });
            }
            if fund.balance < amount {
                return Err(E::FundShort {
                    balance: fund.balance,
                    need: amount,
                });
            }
            Ok(Step::Paid {
                amount,
                bank_ref: reference,
                on,
                parts,
            })
        }
        _ => Err(wrong()),
    }
}

/// Why the claim log does not hold.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", english(self))]
pub enum LogError {
    /// Entry `n` is not signed by this lab, or does not read.
    Signature { n: u64 },
    /// Entry `n` does not follow the one before it.
    Chain { n: u64 },
}

impl Localized for LogError {
    fn message(&self) -> Message {
        match self {
            LogError::Signature { n } => Message::new("labclaim.log_signature").arg("n", n),
            LogError::Chain { n } => Message::new("labclaim.log_chain").arg("n", n),
        }
    }
}

/// Checks the whole claim log against the lab's key: every entry signed,
/// numbered 1, 2, … and naming the hash of the one before. Returns the
/// entries.
pub fn check_log(
    entries: &[Vec<u8>],
    key: &ed25519_dalek::VerifyingKey,
) -> Result<Vec<Decision>, LogError> {
    let mut prev = GENESIS.to_string();
    let mut out = Vec::with_capacity(entries.len());
    for (bytes, n) in entries.iter().zip(1u64..) {
        let d = Decision::verify(bytes, key).map_err(|_| LogError::Signature { n })?;
        if d.n != n || d.prev != prev {
            return Err(LogError::Chain { n });
        }
        prev = hash_hex(bytes);
        out.push(d);
    }
    Ok(out)
}

/// The claims of the held events, with the steps of the log: each claim's
/// payable amount from its kiosk's rules for its fund.
/// Each kiosk's rules of each fund, as its `fund_rules_set` events
/// recorded them (the standard rules where none were).
pub(crate) fn rule_books(
    events: &[crate::store::HeldEvent],
) -> Result<BTreeMap<(String, String), RuleBook>, LabError> {
    let mut rules: BTreeMap<(String, String), Vec<FundRules>> = BTreeMap::new();
    for e in events {
        if let Body::FundRulesSet(r) = held(e)?.body {
            rules
                .entry((e.kiosk.clone(), r.scheme))
                .or_default()
                .push(r.rules);
        }
    }
    Ok(rules
        .into_iter()
        // The kiosk refused rules that do not check when they were set.
        .map(|(k, v)| {
            (
                k,
                RuleBook::recorded(v).unwrap_or_else(|_| RuleBook::standard()),
            )
        })
        .collect())
}

/// A held event, parsed again.
fn held(e: &crate::store::HeldEvent) -> Result<Event, LabError> {
    // Held events were parsed and verified when they arrived: one that no
    // longer parses is a damaged database, said so.
    Event::from_canonical(&e.canonical).map_err(|err| {
        LabError::Batch(dastak_core::wire::BatchError::Damaged {
            detail: format!("{} event {}: {err}", e.kiosk, e.seq),
        })
    })
}

fn assemble(
    events: &[crate::store::HeldEvent],
    log: Vec<Decision>,
) -> Result<Vec<(LabClaim, RuleBook)>, LabError> {
    let books = rule_books(events)?;
    let mut filed = Vec::new();
    for e in events {
        let event = held(e)?;
        if let Body::ClaimFiled(c) = event.body {
            filed.push((e.kiosk.clone(), event.at, c));
        }
    }
    let mut steps: BTreeMap<String, Vec<Decision>> = BTreeMap::new();
    for d in log {
        steps.entry(d.claim.clone()).or_default().push(d);
    }
    filed
        .into_iter()
        .map(|(kiosk, at, filing)| {
            let book = books
                .get(&(kiosk.clone(), filing.scheme.clone()))
                .cloned()
                .unwrap_or_else(RuleBook::standard);
            let payable = payout(&book, filing.died_on, &[100])
                .map(|p| p.net)
                .unwrap_or_default();
            let steps = steps.remove(&filing.claim).unwrap_or_default();
            let claim = LabClaim {
                kiosk,
                filed_at: at,
                member: None,
                state: state_of(&steps),
                steps,
                payable,
                filing,
                flags: Vec::new(),
            };
            Ok((claim, book))
        })
        .collect()
}

/// What a claim log entry decided, in words.
pub fn step_message(step: &Step) -> Message {
    use dastak_core::domain::time::display_date;
    match step {
        Step::Verified => Message::new("labclaim.step_verified"),
        Step::Published { until } => {
            Message::new("labclaim.step_published").arg("until", display_date(*until))
        }
        Step::Objected { objection } => {
            Message::new("labclaim.step_objected").arg("objection", objection)
        }
        Step::Approved { amount } => Message::new("labclaim.step_approved").arg("amount", amount),
        Step::Rejected { reasons } => {
            Message::new("labclaim.step_rejected").arg("reasons", reasons)
        }
        Step::Paid {
            amount,
            bank_ref,
            on,
            parts,
        } => {
            let refs = if parts.is_empty() {
                bank_ref.clone()
            } else {
                parts
                    .iter()
                    .map(|p| format!("{} {} ({})", p.name, p.amount, p.bank_ref))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            Message::new("labclaim.step_paid")
                .arg("amount", amount)
                .arg("bank_ref", refs)
                .arg("on", display_date(*on))
        }
    }
}

/// A reason to look twice at a claim before approving it. Flags decide
/// nothing: the approver reads them with the claim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "flag", rename_all = "snake_case")]
pub enum Flag {
    /// Died inside the waiting period, which ended on `until`.
    DiedWaiting { until: Date },
    /// `periods` months paid at once on `on`, within [`LUMP_DAYS`] before
    /// the death.
    LumpBeforeDeath { on: Date, periods: u32 },
    /// Money taken for her on `on`, after the death.
    PaidAfterDeath { on: Date },
    /// The same bank account as claim `other`.
    SameAccount { other: String },
    /// The same claimant (name or phone) as claim `other`, of another member.
    SameClaimant { other: String },
    /// Another claim, `other`, for the same member.
    SameMember { other: String },
    /// Her Aadhaar reference is registered at kiosk `kiosk` too.
    SharedAadhaar { kiosk: String },
    /// `operator` of her kiosk enrolled `share` of its `claims` claimants.
    Enroller {
        operator: String,
        share: u32,
        claims: u32,
    },
    /// Filed at a kiosk other than hers, `home`.
    OtherKiosk { home: String },
    /// The claimant is not the recorded nominee (the claim says why).
    NotNominee,
}

impl Flag {
    pub fn message(&self) -> Message {
        match self {
            Flag::DiedWaiting { until } => {
                Message::new("labclaim.flag_waiting").arg("until", display_date(*until))
            }
            Flag::LumpBeforeDeath { on, periods } => Message::new("labclaim.flag_lump")
                .arg("on", display_date(*on))
                .arg("periods", periods),
            Flag::PaidAfterDeath { on } => {
                Message::new("labclaim.flag_after").arg("on", display_date(*on))
            }
            Flag::SameAccount { other } => {
                Message::new("labclaim.flag_account").arg("other", other)
            }
            Flag::SameClaimant { other } => {
                Message::new("labclaim.flag_claimant").arg("other", other)
            }
            Flag::SameMember { other } => Message::new("labclaim.flag_member").arg("other", other),
            Flag::SharedAadhaar { kiosk } => {
                Message::new("labclaim.flag_aadhaar").arg("kiosk", kiosk)
            }
            Flag::Enroller {
                operator,
                share,
                claims,
            } => Message::new("labclaim.flag_enroller")
                .arg("operator", operator)
                .arg("share", share)
                .arg("claims", claims),
            Flag::OtherKiosk { home } => {
                Message::new("labclaim.flag_other_kiosk").arg("home", home)
            }
            Flag::NotNominee => Message::new("labclaim.flag_not_nominee"),
        }
    }
}

/// How close before a death a payment of many months at once is flagged.
pub const LUMP_DAYS: i64 = 30;
/// How many months at once is a lump: the months that lapse the cover.
pub const LUMP_MONTHS: u32 = 3;
/// An operator is flagged once she enrolled this many of her kiosk's
/// claimants and more than half of them.
pub const ENROLLER_MIN: u32 = 3;

/// What the lab's books say of a claim's member, for its flags.
#[derive(Clone, Debug, Default)]
pub struct MemberFacts {
    pub enrolled_on: Option<Date>,
    /// Her contributions to the claim's fund not reversed: the day each
    /// was taken and the months it paid.
    pub paid: Vec<(Date, u32)>,
    /// The operator who enrolled her in the fund.
    pub enroller: Option<String>,
    /// The whole account numbers the claim pays into, as the lab opens
    /// them: the claim's, and each nominee's own.
    pub accounts: Vec<String>,
    /// Other kiosks where her Aadhaar reference is registered.
    pub aadhaar_elsewhere: Vec<String>,
}

impl MemberFacts {
    /// From her events at her kiosk (contributions less the reversed ones,
    /// and who enrolled her in `fund`).
    pub fn of(events: &[crate::store::MemberEvent], fund: &str) -> MemberFacts {
        let reversed: std::collections::HashSet<&str> = events
            .iter()
            .filter(|e| e.kind == "contribution_reversed")
            .filter_map(|e| e.original.as_deref())
            .collect();
        let day = |at: &str| at.parse::<Timestamp>().ok().map(local_date);
        let of_fund = |e: &&crate::store::MemberEvent| e.scheme.as_deref() == Some(fund);
        MemberFacts {
            paid: events
                .iter()
                .filter(of_fund)
                .filter(|e| e.kind == "contribution_taken")
                .filter(|e| !e.receipt.as_deref().is_some_and(|r| reversed.contains(r)))
                .filter_map(|e| {
                    let periods = u32::try_from(e.periods.unwrap_or(0)).unwrap_or(0);
                    Some((day(&e.at)?, periods))
                })
                .collect(),
            enroller: events
                .iter()
                .filter(of_fund)
                .rfind(|e| e.kind == "enrolled")
                .map(|e| e.operator.clone()),
            ..MemberFacts::default()
        }
    }
}

/// Every claim's flags, in the order of `claims`: each claim judged by its
/// kiosk's rules and its member's facts, and against the other claims.
pub fn flags(claims: &[(LabClaim, RuleBook, MemberFacts)]) -> Vec<Vec<Flag>> {
    use dastak_core::domain::fund::{Paid, Standing, standing};
    use dastak_core::domain::search::identity_key;
    // Claimants each operator enrolled, per kiosk.
    let mut enrolled_by: BTreeMap<(&str, &str), u32> = BTreeMap::new();
    let mut per_kiosk: BTreeMap<&str, u32> = BTreeMap::new();
    for (c, _, f) in claims {
        *per_kiosk.entry(c.kiosk.as_str()).or_default() += 1;
        if let Some(op) = &f.enroller {
            *enrolled_by
                .entry((c.kiosk.as_str(), op.as_str()))
                .or_default() += 1;
        }
    }
    claims
        .iter()
        .map(|(c, book, f)| {
            let died = c.filing.died_on;
            let mut out = Vec::new();
            if let Some(enrolled) = f.enrolled_on {
                let paid: Vec<Paid> = f
                    .paid
                    .iter()
                    .map(|&(on, periods)| Paid { on, periods })
                    .collect();
                if let Standing::Waiting { until } = standing(book, enrolled, &paid, died) {
                    out.push(Flag::DiedWaiting { until });
                }
            }
            let lump_from = died.saturating_sub(jiff::Span::new().days(LUMP_DAYS));
            if let Some(&(on, periods)) = f
                .paid
                .iter()
                .find(|(on, periods)| *on >= lump_from && *on <= died && *periods >= LUMP_MONTHS)
            {
                out.push(Flag::LumpBeforeDeath { on, periods });
            }
            if let Some(&(on, _)) = f.paid.iter().find(|(on, _)| *on > died) {
                out.push(Flag::PaidAfterDeath { on });
            }
            let me_claimant = identity_key(&c.filing.claimant.name);
            for (o, _, of) in claims {
                if o.number() == c.number() {
                    continue;
                }
                if o.filing.member_id == c.filing.member_id {
                    out.push(Flag::SameMember {
                        other: o.number().to_string(),
                    });
                    continue;
                }
                if f.accounts.iter().any(|a| of.accounts.contains(a)) {
                    out.push(Flag::SameAccount {
                        other: o.number().to_string(),
                    });
                }
                if identity_key(&o.filing.claimant.name) == me_claimant
                    || o.filing.claimant.phone == c.filing.claimant.phone
                {
                    out.push(Flag::SameClaimant {
                        other: o.number().to_string(),
                    });
                }
            }
            for kiosk in &f.aadhaar_elsewhere {
                out.push(Flag::SharedAadhaar {
                    kiosk: kiosk.clone(),
                });
            }
            if let Some(op) = &f.enroller {
                let share = enrolled_by
                    .get(&(c.kiosk.as_str(), op.as_str()))
                    .copied()
                    .unwrap_or(0);
                let all = per_kiosk.get(c.kiosk.as_str()).copied().unwrap_or(0);
                if share >= ENROLLER_MIN && share * 2 > all {
                    out.push(Flag::Enroller {
                        operator: op.clone(),
                        share,
                        claims: all,
                    });
                }
            }
            let home = home_kiosk(&c.filing.member_id);
            if home != c.kiosk {
                out.push(Flag::OtherKiosk {
                    home: home.to_string(),
                });
            }
            if !c.filing.claimant.nominee {
                out.push(Flag::NotNominee);
            }
            out
        })
        .collect()
}

/// The kiosk a member was registered at: her number's prefix
/// (`RMP01-00001`).
pub(crate) fn home_kiosk(member_id: &str) -> &str {
    member_id.rsplit_once('-').map_or(member_id, |(k, _)| k)
}

/// A claim's line in `claims list`.
#[derive(Clone, Debug, Serialize)]
pub struct ClaimLine {
    pub claim: String,
    pub kiosk: String,
    pub member_id: String,
    pub member: String,
    pub village: String,
    pub died_on: Date,
    pub cause: DeathCause,
    pub state: State,
    pub payable: Paise,
    /// Approved and not payable yet from what the fund holds: waits, in
    /// order of approval.
    pub waiting_for_money: bool,
    /// The kiosk found it not payable under the rules (its reasons are in
    /// `claims show`).
    pub barred: bool,
    /// Its flags (what they are is in `claims show`).
    pub flags: usize,
}

impl Lab {
    /// Every claim held, with its steps (`log`, the claim log's entries,
    /// checked against the lab's key), its member and its fund's rules;
    /// not yet flagged (a step needs no flags, and flagging opens every
    /// sealed account).
    pub(crate) fn held_claims(
        &self,
        log: &[Vec<u8>],
    ) -> Result<Vec<(LabClaim, RuleBook)>, LabError> {
        let log = check_log(log, &self.key.verifying_key())?;
        let mut all = assemble(&self.store.fund_events()?, log)?;
        for (c, _) in &mut all {
            let home = home_kiosk(&c.filing.member_id);
            c.member = self
                .store
                .claim_member(home, &c.filing.member_id, &c.filing.scheme)?;
        }
        Ok(all)
    }

    /// `all` with their risk flags, from what the books hold of each member.
    fn flagged(&self, all: Vec<(LabClaim, RuleBook)>) -> Result<Vec<LabClaim>, LabError> {
        let shared = self.store.shared_aadhaar()?;
        let mut judged = Vec::with_capacity(all.len());
        for (c, book) in all {
            let home = home_kiosk(&c.filing.member_id);
            let mut facts = MemberFacts::of(
                &self.store.member_events(home, &c.filing.member_id)?,
                &c.filing.scheme,
            );
            facts.enrolled_on = c
                .member
                .as_ref()
                .and_then(|m| m.enrolled_on.as_deref())
                .and_then(|d| d.parse().ok());
            facts.accounts = std::iter::once(&c.filing.account)
                .chain(c.filing.nominees.iter().filter_map(|n| n.account.as_ref()))
                .filter_map(|a| self.open_account(a).ok())
                .collect();
            let groups: Vec<&str> = shared
                .iter()
                .filter(|s| s.kiosk == home && s.member_id == c.filing.member_id)
                .map(|s| s.group.as_str())
                .collect();
            facts.aadhaar_elsewhere = shared
                .iter()
                .filter(|s| groups.contains(&s.group.as_str()) && s.kiosk != home)
                .map(|s| s.kiosk.clone())
                .collect();
            judged.push((c, book, facts));
        }
        let flags = flags(&judged);
        Ok(judged
            .into_iter()
            .zip(flags)
            .map(|((mut c, _, _), f)| {
                c.flags = f;
                c
            })
            .collect())
    }

    /// Every claim held, oldest filed first.
    /// The deaths the claims record, by (home kiosk, member): the date of
    /// death of each member's latest claim that was not rejected (a
    /// rejected one may have been a death that was not), as the kiosk
    /// reckons it. Nothing falls due after it, in any scheme.
    pub fn recorded_deaths(
        &self,
    ) -> Result<std::collections::HashMap<(String, String), Date>, LabError> {
        // Only the filings and their steps: not the member lookups that
        // `held_claims` makes for each claim (every dashboard page asks).
        let log = check_log(&self.store.claim_log()?, &self.key.verifying_key())?;
        let held = assemble(&self.store.fund_events()?, log)?;
        Ok(recorded_deaths(held.iter().map(|(c, _)| c)))
    }

    pub fn claims(&self) -> Result<Vec<LabClaim>, LabError> {
        let mut all = self.flagged(self.held_claims(&self.store.claim_log()?)?)?;
        all.sort_by(|a, b| a.filed_at.cmp(&b.filed_at).then(a.number().cmp(b.number())));
        Ok(all)
    }

    /// One claim, by its number (any case).
    pub fn claim(&self, number: &str) -> Result<LabClaim, LabError> {
        let number = number.trim().to_ascii_uppercase();
        self.claims()?
            .into_iter()
            .find(|c| c.number() == number)
            .ok_or_else(|| ClaimStepError::NoSuchClaim { claim: number }.into())
    }

    /// What the fund of `scheme` holds: its contributions less reversals at
    /// every kiosk (the monthly rollup), less what the log says was paid.
    pub fn fund_balance(&self, scheme: &str, claims: &[LabClaim]) -> Result<Paise, LabError> {
        let took: i64 = self
            .store
            .monthly_between("0000-00", "9999-99")?
            .iter()
            .filter(|r| r.scheme == scheme)
            .map(|r| r.amount.0 - r.reversed.0)
            .sum();
        let paid: i64 = claims
            .iter()
            .filter(|c| c.filing.scheme == scheme)
            .flat_map(|c| &c.steps)
            .filter_map(|d| match d.step {
                Step::Paid { amount, .. } => Some(amount.0),
                _ => None,
            })
            .sum();
        Ok(Paise(took - paid))
    }

    /// `claims list`: every claim with its member and state; approved
    /// claims the fund cannot pay yet are marked, in order of approval.
    pub fn claim_lines(&self) -> Result<Vec<ClaimLine>, LabError> {
        let claims = self.claims()?;
        let mut waiting = std::collections::HashSet::new();
        let funds: std::collections::BTreeSet<&str> =
            claims.iter().map(|c| c.filing.scheme.as_str()).collect();
        for fund in funds {
            let mut left = self.fund_balance(fund, &claims)?;
            for c in approved_unpaid(&claims, fund) {
                if left < c.payable {
                    waiting.insert(c.number().to_string());
                } else {
                    left = Paise(left.0 - c.payable.0);
                }
            }
        }
        Ok(claims
            .iter()
            .map(|c| {
                let m = c.member.clone().unwrap_or_default();
                ClaimLine {
                    claim: c.number().to_string(),
                    kiosk: c.kiosk.clone(),
                    member_id: c.filing.member_id.clone(),
                    member: m.name,
                    village: m.village,
                    died_on: c.filing.died_on,
                    cause: c.filing.cause,
                    state: c.state,
                    payable: c.payable,
                    waiting_for_money: waiting.contains(c.number()),
                    barred: !c.filing.bars.is_empty(),
                    flags: c.flags.len(),
                }
            })
            .collect())
    }

    /// Takes one step on a claim as `officer`, whose password is checked
    /// first: the step is decided, signed and appended to the claim log,
    /// and the officer's action is audited. Returns the entry.
    pub fn claim_step(
        &mut self,
        officer: &str,
        password: &str,
        number: &str,
        action: Action,
        now: Timestamp,
    ) -> Result<Decision, LabError> {
        let who = self.authenticate(officer, password, now)?;
        self.claim_step_by(&who, number, action, now)
    }

    /// [`Lab::claim_step`] by an officer already known to be `who` (the
    /// demo's officers, whose steps it takes for them).
    pub(crate) fn claim_step_by(
        &mut self,
        who: &crate::store::Officer,
        number: &str,
        action: Action,
        now: Timestamp,
    ) -> Result<Decision, LabError> {
        // The books allow no other roles; the least is assumed.
        let role = Role::parse(&who.role).unwrap_or(Role::Viewer);
        let number = number.trim().to_ascii_uppercase();
        let log = self.store.claim_log()?;
        let prev = log
            .last()
            .map_or_else(|| GENESIS.to_string(), |b| hash_hex(b));
        let n = log.len() as u64 + 1;
        let all = self.held_claims(&log)?;
        let (claim, book) = all.iter().find(|c| c.0.number() == number).ok_or_else(|| {
            ClaimStepError::NoSuchClaim {
                claim: number.clone(),
            }
        })?;
        let claims: Vec<LabClaim> = all.iter().map(|c| c.0.clone()).collect();
        if let Some(d) = &who.district {
            let place = self.kiosk_places()?.get(&claim.kiosk).cloned();
            if place.is_none_or(|p| &p.district != d) {
                return Err(ClaimStepError::OtherDistrict { claim: number }.into());
            }
        }
        let today = local_date(now);
        let fund = FundNow {
            balance: self.fund_balance(&claim.filing.scheme, &claims)?,
            first_waiting: approved_unpaid(&claims, &claim.filing.scheme)
                .next()
                .map(|c| c.number().to_string()),
        };
        let step_name = action.name();
        // Two kiosks may each file for one death (the family went to both):
        // both are heard and flagged, but only one is ever approved.
        if matches!(action, Action::Approve)
            && let Some(other) = claims.iter().find(|c| {
                c.number() != claim.number()
                    && c.filing.member_id == claim.filing.member_id
                    && c.filing.scheme == claim.filing.scheme
                    && matches!(c.state, State::Approved | State::Paid)
            })
        {
            return Err(ClaimStepError::MemberClaimed {
                other: other.number().to_string(),
            }
            .into());
        }
        let step = decide(
            claim,
            action,
            &who.name,
            role,
            today,
            book.in_force(today),
            &fund,
        )?;
        // The one order of steps a kiosk also takes decisions by.
        let before: Vec<Step> = claim.steps.iter().map(|d| d.step.clone()).collect();
        if !step.may_follow(&before) {
            return Err(ClaimStepError::State {
                claim: number,
                state: claim.state,
                step: step_name,
            }
            .into());
        }
        let entry = Decision {
            v: Decision::VERSION,
            n,
            prev,
            kiosk: claim.kiosk.clone(),
            claim: number.clone(),
            officer: who.name.clone(),
            at: format_instant(now),
            step,
        };
        let signed = entry.sign(&self.key);
        if !self
            .store
            .append_claim_log(n, &claim.kiosk, &number, &signed)?
        {
            return Err(ClaimStepError::Raced.into());
        }
        self.audit(
            &who.name,
            "claim",
            &format!("{number} {}", entry.step.code()),
            now,
        )?;
        Ok(entry)
    }

    /// The transfers an approved claim is paid by, each with its whole
    /// account number, for the officer who makes them (by password,
    /// audited): the lab reads the numbers only when the money is to go.
    /// One transfer to the claim's account, or one for each nominee's
    /// part (see [`LabClaim::payees`]), in the order `claims pay` takes
    /// their references.
    pub fn claim_account(
        &mut self,
        officer: &str,
        password: &str,
        number: &str,
        now: Timestamp,
    ) -> Result<(LabClaim, Vec<Transfer>), LabError> {
        let who = self.authenticate(officer, password, now)?;
        if Role::parse(&who.role).unwrap_or(Role::Viewer) < Role::Officer {
            return Err(ClaimStepError::Role {
                need: Role::Officer,
            }
            .into());
        }
        let claim = self.claim(number)?;
        if claim.state != State::Approved {
            return Err(ClaimStepError::State {
                claim: claim.number().to_string(),
                state: claim.state,
                step: "account",
            }
            .into());
        }
        let payees = claim.payees();
        let transfers = if payees.is_empty() {
            vec![Transfer {
                name: claim.filing.claimant.name.clone(),
                ifsc: claim.filing.account.ifsc.as_str().to_string(),
                number: self.open_account(&claim.filing.account)?,
                amount: claim.payable,
            }]
        } else {
            let shares: Vec<u32> = payees.iter().map(|p| p.share).collect();
            let parts = dastak_core::domain::fund::parts(claim.payable, &shares).map_err(|_| {
                LabError::Batch(dastak_core::wire::BatchError::Damaged {
                    detail: "nominee shares".into(),
                })
            })?;
            let mut out = Vec::new();
            for (p, amount) in payees.iter().zip(parts) {
                // `payees` holds only nominees with an account.
                if let Some(a) = &p.account {
                    out.push(Transfer {
                        name: p.name.clone(),
                        ifsc: a.ifsc.as_str().to_string(),
                        number: self.open_account(a)?,
                        amount,
                    });
                }
            }
            out
        };
        self.audit(&who.name, "claim_account", claim.number(), now)?;
        Ok((claim, transfers))
    }

    /// `claims check`: the whole log checked; the number of entries.
    pub fn check_claim_log(&self) -> Result<usize, LabError> {
        Ok(check_log(&self.store.claim_log()?, &self.key.verifying_key())?.len())
    }
}

/// One bank transfer to make for a claim: to whom, where, how much.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transfer {
    pub name: String,
    pub ifsc: String,
    /// The whole account number.
    pub number: String,
    pub amount: Paise,
}

/// The approved, unpaid claims of `fund`, in order of approval.
fn approved_unpaid<'c>(
    claims: &'c [LabClaim],
    fund: &'c str,
) -> impl Iterator<Item = &'c LabClaim> {
    let mut out: Vec<(u64, &LabClaim)> = claims
        .iter()
        .filter(|c| c.filing.scheme == fund && c.state == State::Approved)
        .filter_map(|c| c.approval().map(|(_, d)| (d.n, c)))
        .collect();
    out.sort_by_key(|(n, _)| *n);
    out.into_iter().map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dastak_core::domain::claim::{AccountNumber, Claimant, Ifsc, SealedAccount};

    fn claim(steps: Vec<Step>) -> LabClaim {
        let steps: Vec<Decision> = steps
            .into_iter()
            .zip(1u64..)
            .map(|(step, n)| Decision {
                v: 1,
                n,
                prev: GENESIS.into(),
                kiosk: "RMP01".into(),
                claim: "RMP01-C0001".into(),
                officer: if n == 1 { "vera" } else { "arun" }.into(),
                at: "2026-12-01T10:00:00+05:30".into(),
                step,
            })
            .collect();
        let number = AccountNumber::parse("123456789012").expect("number");
        LabClaim {
            kiosk: "RMP01".into(),
            filed_at: "2026-11-30T10:00:00+05:30".into(),
            filing: ClaimFiled {
                claim: "RMP01-C0001".into(),
                member_id: "RMP01-00001".into(),
                scheme: "FUND".into(),
                died_on: jiff::civil::date(2026, 11, 20),
                cause: DeathCause::Natural,
                certificate: "D-1".into(),
                authority: "पंचायत".into(),
                claimant: Claimant {
                    name: "सुनीता".into(),
                    relation: "पत्नी".into(),
                    phone: "9829012345".into(),
                    nominee: true,
                    reason: None,
                },
                account: SealedAccount::new(
                    Ifsc::parse("SBIN0001234").expect("ifsc"),
                    &number,
                    b"x",
                ),
                bars: vec![],
                attested_by: "ADMIN".into(),
                by: "SUP1".into(),
                nominees: Vec::new(),
            },
            member: None,
            state: state_of(&steps),
            steps,
            payable: Paise::from_rupees(100_000),
            flags: vec![],
        }
    }

    fn today() -> Date {
        jiff::civil::date(2026, 12, 1)
    }

    fn act(c: &LabClaim, a: Action, who: &str, role: Role) -> Result<Step, ClaimStepError> {
        let rules = FundRules::standard(jiff::civil::date(2000, 1, 1));
        decide(c, a, who, role, today(), &rules, &FundNow::default())
    }

    #[test]
    fn objections_do_not_move_a_claim() {
        let c = claim(vec![
            Step::Verified,
            Step::Published {
                until: jiff::civil::date(2026, 12, 8),
            },
            Step::Objected {
                objection: "x".into(),
            },
        ]);
        assert_eq!(c.state, State::Published);
        assert_eq!(state_of(&[]), State::Filed);
    }

    #[test]
    fn a_forged_certificate_is_rejected_before_any_notice_and_not_by_its_verifier() {
        let filed = claim(vec![]);
        let reasons = || Action::Reject {
            reasons: "प्रमाणपत्र जाली है".into(),
        };
        assert!(matches!(
            act(&filed, reasons(), "asha", Role::Approver),
            Ok(Step::Rejected { .. })
        ));
        let verified = claim(vec![Step::Verified]);
        assert_eq!(
            act(&verified, reasons(), "vera", Role::Approver),
            Err(ClaimStepError::SameChecker {
                verifier: "vera".into()
            })
        );
        assert!(matches!(
            act(
                &verified,
                Action::Reject {
                    reasons: "  ".into()
                },
                "asha",
                Role::Approver
            ),
            Err(ClaimStepError::Reasons(_))
        ));
        // Nothing is approved unpublished, and nothing decided twice.
        assert!(matches!(
            act(&verified, Action::Approve, "asha", Role::Admin),
            Err(ClaimStepError::State { .. })
        ));
        let rejected = claim(vec![Step::Rejected {
            reasons: "x".into(),
        }]);
        assert!(matches!(
            act(&rejected, Action::Verify, "asha", Role::Admin),
            Err(ClaimStepError::State { .. })
        ));
    }

    #[test]
    fn the_window_is_the_rules_days_from_publishing() {
        let c = claim(vec![Step::Verified]);
        assert_eq!(
            act(&c, Action::Publish, "arun", Role::Officer),
            Ok(Step::Published {
                until: jiff::civil::date(2026, 12, 8)
            })
        );
    }

    /// Nominees who each gave an account are each paid by a transfer of
    /// her own: one reference per nominee, none twice, the parts split as
    /// the shares say (paise left to the first); a claim whose nominees
    /// did not all give one is paid whole, by one reference.
    #[test]
    fn each_nominees_part_is_paid_by_its_own_transfer() {
        use dastak_core::domain::event::NomineeShare;
        let approved = |accounts: bool| {
            let mut c = claim(vec![
                Step::Verified,
                Step::Published {
                    until: jiff::civil::date(2026, 11, 30),
                },
                Step::Approved {
                    amount: Paise(10_000_001),
                },
            ]);
            c.payable = Paise(10_000_001);
            let account = |n: &str| {
                accounts.then(|| {
                    SealedAccount::new(
                        Ifsc::parse("SBIN0001234").expect("ifsc"),
                        &AccountNumber::parse(n).expect("number"),
                        b"x",
                    )
                })
            };
            c.filing.nominees = vec![
                NomineeShare {
                    name: "सुनीता".into(),
                    relation: "पत्नी".into(),
                    share: 60,
                    account: account("123456789012"),
                },
                NomineeShare {
                    name: "मोहन".into(),
                    relation: "पुत्र".into(),
                    share: 40,
                    account: account("555566667777"),
                },
            ];
            c
        };
        let pay = |c: &LabClaim, refs: &[&str]| {
            let rules = FundRules::standard(jiff::civil::date(2000, 1, 1));
            let fund = FundNow {
                balance: Paise::from_rupees(1_000_000),
                first_waiting: None,
            };
            decide(
                c,
                Action::Pay {
                    amount: Paise(10_000_001),
                    bank_refs: refs.iter().map(|r| r.to_string()).collect(),
                    on: today(),
                },
                "vera",
                Role::Officer,
                today(),
                &rules,
                &fund,
            )
        };
        let two = approved(true);
        assert_eq!(two.payees().len(), 2);
        assert_eq!(
            pay(&two, &["UTR000111"]),
            Err(ClaimStepError::Transfers { want: 2, got: 1 })
        );
        assert_eq!(
            pay(&two, &["UTR000111", "utr000111"]),
            Err(ClaimStepError::TransferTwice {
                bank_ref: "UTR000111".into()
            })
        );
        assert_eq!(pay(&two, &["UTR000111", "x"]), Err(ClaimStepError::BankRef));
        assert_eq!(
            pay(&two, &["UTR000111", "UTR000222"]),
            Ok(Step::Paid {
                amount: Paise(10_000_001),
                bank_ref: "UTR000111".into(),
                on: today(),
                parts: vec![
                    dastak_core::wire::PaidPart {
                        name: "सुनीता".into(),
                        amount: Paise(6_000_001),
                        bank_ref: "UTR000111".into(),
                    },
                    dastak_core::wire::PaidPart {
                        name: "मोहन".into(),
                        amount: Paise(4_000_000),
                        bank_ref: "UTR000222".into(),
                    },
                ],
            })
        );
        let whole = approved(false);
        assert!(whole.payees().is_empty());
        assert_eq!(
            pay(&whole, &["UTR000111", "UTR000222"]),
            Err(ClaimStepError::Transfers { want: 1, got: 2 })
        );
        assert!(matches!(
            pay(&whole, &["UTR000111"]),
            Ok(Step::Paid { parts, .. }) if parts.is_empty()
        ));
    }

    #[test]
    fn bank_references_are_letters_and_digits() {
        assert_eq!(bank_ref(" utr0012345 "), Ok("UTR0012345".into()));
        for bad in [
            "",
            "12345",
            "UTR-001234",
            "UTR 001234",
            &"9".repeat(36),
            "यूटीआर१२३४५६",
        ] {
            assert_eq!(bank_ref(bad), Err(ClaimStepError::BankRef), "{bad}");
        }
    }

    #[test]
    fn an_empty_log_holds_and_an_entry_signed_by_another_key_does_not() {
        let lab = ed25519_dalek::SigningKey::from_bytes(&[1; 32]);
        let other = ed25519_dalek::SigningKey::from_bytes(&[2; 32]);
        assert_eq!(check_log(&[], &lab.verifying_key()), Ok(vec![]));
        let d = &claim(vec![Step::Verified]).steps[0];
        assert!(check_log(&[d.sign(&lab)], &lab.verifying_key()).is_ok());
        assert_eq!(
            check_log(&[d.sign(&other)], &lab.verifying_key()),
            Err(LogError::Signature { n: 1 })
        );
    }

    /// A claim `n` (`RMP01-C000n`) for `member`, claimed by `claimant`
    /// whose phone is `phone`.
    fn claim_of(n: u32, kiosk: &str, member: &str, claimant: &str, phone: &str) -> LabClaim {
        let mut c = claim(vec![]);
        c.kiosk = kiosk.into();
        c.filing.claim = format!("{kiosk}-C{n:04}");
        c.filing.member_id = member.into();
        c.filing.claimant.name = claimant.into();
        c.filing.claimant.phone = phone.into();
        c
    }

    fn facts(enrolled: Date, paid: &[(Date, u32)]) -> MemberFacts {
        MemberFacts {
            enrolled_on: Some(enrolled),
            paid: paid.to_vec(),
            ..MemberFacts::default()
        }
    }

    fn flags_of(claims: Vec<(LabClaim, MemberFacts)>) -> Vec<Vec<Flag>> {
        let judged: Vec<_> = claims
            .into_iter()
            .map(|(c, f)| (c, RuleBook::standard(), f))
            .collect();
        flags(&judged)
    }

    fn d(y: i16, m: i8, day: i8) -> Date {
        jiff::civil::date(y, m, day)
    }

    /// Died 20-11-2026: a member of two years who paid every month is
    /// clean; each flag is raised by what it names, and only by it.
    #[test]
    fn each_risk_flag_is_raised_by_what_it_names() {
        let monthly: Vec<(Date, u32)> = (0..24)
            .map(|i| {
                (
                    d(2024, 11, 10).saturating_add(jiff::Span::new().months(i)),
                    1,
                )
            })
            .collect();
        let clean = || facts(d(2024, 11, 10), &monthly);
        let one = |c: LabClaim, f: MemberFacts| flags_of(vec![(c, f)]).remove(0);
        let c = || claim_of(1, "RMP01", "RMP01-00001", "सुनीता देवी", "9829012345");
        assert_eq!(one(c(), clean()), vec![]);

        // Joined 100 days before: inside the 180 days' wait.
        let recent = facts(d(2026, 8, 12), &[(d(2026, 8, 12), 4)]);
        assert_eq!(
            one(c(), recent),
            vec![Flag::DiedWaiting {
                until: d(2027, 2, 8)
            }]
        );
        // Four months owed paid at once, 10 days before the death.
        let mut lump = monthly[..20].to_vec();
        lump.push((d(2026, 11, 10), 4));
        assert_eq!(
            one(c(), facts(d(2024, 11, 10), &lump)),
            vec![Flag::LumpBeforeDeath {
                on: d(2026, 11, 10),
                periods: 4
            }]
        );
        // A payment after the death.
        let mut after = monthly.clone();
        after.push((d(2026, 11, 25), 1));
        assert_eq!(
            one(c(), facts(d(2024, 11, 10), &after)),
            vec![Flag::PaidAfterDeath {
                on: d(2026, 11, 25)
            }]
        );
        // Her Aadhaar reference registered at another kiosk.
        let mut twice = clean();
        twice.aadhaar_elsewhere = vec!["SIM00009".into()];
        assert_eq!(
            one(c(), twice),
            vec![Flag::SharedAadhaar {
                kiosk: "SIM00009".into()
            }]
        );
        // Filed at a kiosk that is not hers.
        let elsewhere = claim_of(1, "KTP02", "RMP01-00001", "सुनीता देवी", "9829012345");
        assert_eq!(
            one(elsewhere, clean()),
            vec![Flag::OtherKiosk {
                home: "RMP01".into()
            }]
        );
        // Not the nominee.
        let mut other = c();
        other.filing.claimant.nominee = false;
        assert_eq!(one(other, clean()), vec![Flag::NotNominee]);

        // Between claims: the same member at two kiosks; the same account;
        // the same claimant by name (either script) or by phone.
        let pair = flags_of(vec![
            (c(), clean()),
            (
                claim_of(1, "KTP02", "RMP01-00001", "Kamla", "9000000001"),
                clean(),
            ),
        ]);
        assert_eq!(
            pair[0],
            vec![Flag::SameMember {
                other: "KTP02-C0001".into()
            }]
        );
        let account = |n: &str| {
            let mut f = clean();
            f.accounts = vec![n.into()];
            f
        };
        let shared = flags_of(vec![
            (c(), account("123456789012")),
            (
                claim_of(2, "RMP01", "RMP01-00002", "Kamla", "9000000001"),
                account("123456789012"),
            ),
            (
                claim_of(3, "RMP01", "RMP01-00003", "Sunita Devi", "9000000002"),
                account("999999999999"),
            ),
            (
                claim_of(4, "RMP01", "RMP01-00004", "Gita", "9829012345"),
                account("888888888888"),
            ),
            // A nominee's own account (after the claim's) that another
            // claim pays into.
            (
                claim_of(5, "RMP01", "RMP01-00005", "Radha", "9000000005"),
                {
                    let mut f = account("777777777777");
                    f.accounts.push("999999999999".into());
                    f
                },
            ),
        ]);
        assert_eq!(
            shared[1],
            vec![Flag::SameAccount {
                other: "RMP01-C0001".into()
            }]
        );
        assert_eq!(
            shared[2],
            vec![
                Flag::SameClaimant {
                    other: "RMP01-C0001".into()
                },
                Flag::SameAccount {
                    other: "RMP01-C0005".into()
                }
            ],
            "सुनीता देवी typed in English letters; her account is a nominee's on C0005"
        );
        assert_eq!(
            shared[4],
            vec![Flag::SameAccount {
                other: "RMP01-C0003".into()
            }],
            "a nominee's own account is compared too"
        );
        assert_eq!(
            shared[3],
            vec![Flag::SameClaimant {
                other: "RMP01-C0001".into()
            }],
            "the same phone"
        );
    }

    #[test]
    fn an_operator_who_enrolled_most_of_a_kiosks_claimants_is_flagged_from_the_third() {
        let by = |op: &str| MemberFacts {
            enroller: Some(op.into()),
            ..MemberFacts::default()
        };
        let claims = |ops: &[&str]| {
            flags_of(
                ops.iter()
                    .zip(1u32..)
                    .map(|(op, n)| {
                        let member = format!("RMP01-{n:05}");
                        let phone = format!("90000000{n:02}");
                        (
                            claim_of(n, "RMP01", &member, &format!("N{n}"), &phone),
                            by(op),
                        )
                    })
                    .collect(),
            )
        };
        // Two of two: too few to say.
        assert!(claims(&["VOL1", "VOL1"]).iter().all(Vec::is_empty));
        // Three of four: VOL1's three are flagged, VOL2's one is not.
        let f = claims(&["VOL1", "VOL1", "VOL2", "VOL1"]);
        let flagged = Flag::Enroller {
            operator: "VOL1".into(),
            share: 3,
            claims: 4,
        };
        assert_eq!(f[0], vec![flagged.clone()]);
        assert_eq!(f[2], vec![]);
        assert_eq!(f[3], vec![flagged]);
        // Three of six: not more than half.
        assert!(
            claims(&["VOL1", "VOL1", "VOL1", "VOL2", "VOL3", "VOL4"])
                .iter()
                .all(Vec::is_empty)
        );
    }
}
