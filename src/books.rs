//! The kiosk's books: every operation an e-volunteer performs, validated
//! with [`crate::domain`] and committed through [`crate::store`] in one
//! transaction. The CLI and the console both drive these functions, so a
//! rule is enforced the same way whichever one the operator uses.
//!
//! Operations take `now` from the caller (the clock can lie, and tests and
//! `demo` need to set it) and an authenticated operator where one is needed.
//! They never print; they return results and [`BooksError`]s that explain
//! themselves in Hindi or English.

pub mod auth;
pub mod cash;
pub mod changes;
pub mod claims;
pub mod datadir;
pub mod demo;
pub mod households;
pub mod members;
pub mod receipts;
pub mod setup;
pub mod status;
pub mod sync;

use jiff::Timestamp;

use crate::domain::aadhaar::{AadhaarError, DistrictSecret};
use crate::domain::cash::CashError;
use crate::domain::dues::PaymentError;
use crate::domain::money::{MoneyError, Paise};
use crate::domain::operator::PinError;
use crate::domain::person::PersonError;
use crate::domain::scheme::EligibilityError;
use crate::domain::text::TextError;
use crate::domain::time::{ClockVerdict, check_clock, display_instant};
use crate::i18n::{Localized, Message, english};
use crate::store::{Store, StoreError, queries};

/// What the books hand to the CLI and the console: rows as the store reads
/// them (plain data; the store itself stays behind [`Books`]).
pub use crate::store::queries::{
    ContributionRow, GroupRow, KioskInfo, MemberRow, OperatorRow, VillageCoverage,
};
pub use crate::store::verify::Report as VerifyReport;
pub use datadir::DataDir;

/// The field a validation error is about, so the message can name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Kiosk,
    Panchayat,
    Block,
    District,
    OperatorCode,
    OperatorName,
    Name,
    RelativeName,
    Village,
    RationCard,
    Phone,
    Age,
    Dob,
    Gender,
    NomineeName,
    NomineeRelation,
    Scheme,
    Group,
    GroupName,
    Member,
    Receipt,
    Reason,
    Amount,
    Periods,
    Date,
    Relation,
    Role,
    Language,
    DiedOn,
    Certificate,
    Authority,
    Claimant,
    Ifsc,
    Account,
}

impl Field {
    pub fn message(self) -> Message {
        Message::new(match self {
            Field::Kiosk => "field.kiosk",
            Field::Panchayat => "field.panchayat",
            Field::Block => "field.block",
            Field::District => "field.district",
            Field::OperatorCode => "field.operator_code",
            Field::OperatorName => "field.operator_name",
            Field::Name => "field.name",
            Field::RelativeName => "field.relative_name",
            Field::Village => "field.village",
            Field::RationCard => "field.ration_card",
            Field::Phone => "field.phone",
            Field::Age => "field.age",
            Field::Dob => "field.dob",
            Field::Gender => "field.gender",
            Field::NomineeName => "field.nominee_name",
            Field::NomineeRelation => "field.nominee_relation",
            Field::Scheme => "field.scheme",
            Field::Group => "field.group",
            Field::GroupName => "field.group_name",
            Field::Member => "field.member",
            Field::Receipt => "field.receipt",
            Field::Reason => "field.reason",
            Field::Amount => "field.amount",
            Field::Periods => "field.periods",
            Field::Date => "field.date",
            Field::Relation => "field.relation",
            Field::Role => "field.role",
            Field::Language => "field.language",
            Field::DiedOn => "field.died_on",
            Field::Certificate => "field.certificate",
            Field::Authority => "field.authority",
            Field::Claimant => "field.claimant",
            Field::Ifsc => "field.ifsc",
            Field::Account => "field.account",
        })
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{}", english(self))]
pub enum BooksError {
    Store(#[from] StoreError),
    Text(Field, TextError),
    Money(Field, MoneyError),
    Aadhaar(#[from] AadhaarError),
    Person(Field, PersonError),
    Pin(#[from] PinError),
    Eligibility(#[from] EligibilityError),
    Payment(#[from] PaymentError),
    Cash(#[from] CashError),
    BadDate(Field),
    BadNumber(Field),
    BadRole,
    BadLanguage,
    AlreadyInitialised,
    NotInitialised,
    NoDistrictSecret,
    NoKioskKey,
    UnknownOperator {
        code: String,
    },
    OperatorExists {
        code: String,
    },
    WrongPin {
        wait_seconds: i64,
    },
    TooSoon {
        wait_seconds: i64,
    },
    NeedsSupervisor,
    NeedsAdmin,
    /// A nominee not written as name, relation, share.
    NomineeEntry {
        got: String,
    },
    /// Not 1 to 5 nominees, or shares that are not whole percent adding
    /// up to 100.
    NomineeShares {
        total: u64,
    },
    NomineeTwice {
        name: String,
    },
    /// A nominee's account not written as name, IFSC.
    PayeeEntry {
        got: String,
    },
    /// Not one account number for each `--payee`.
    PayeeAccounts {
        payees: usize,
        accounts: usize,
    },
    /// An account given for someone who was not a nominee on the day.
    PayeeNotNominee {
        name: String,
    },
    /// Two accounts given for one nominee.
    PayeeTwice {
        name: String,
    },
    /// The claimant is one of several nominees and `name`'s part has no
    /// account to go to.
    PayeeMissing {
        name: String,
    },
    UnknownScheme {
        code: String,
    },
    UnknownGroup {
        code: String,
    },
    GroupExists {
        code: String,
    },
    GroupOfOtherScheme {
        group: String,
        scheme: String,
    },
    UnknownMember {
        id: String,
    },
    DuplicateAadhaar {
        id: String,
        name: String,
        village: String,
    },
    DuplicatePerson {
        id: String,
        name: String,
        relative: String,
        village: String,
    },
    AlreadyEnrolled {
        id: String,
        scheme: String,
    },
    NotEnrolled {
        id: String,
        scheme: String,
    },
    LeftScheme {
        id: String,
        scheme: String,
        on: String,
    },
    /// A claim records her death: nothing more is taken for her.
    Died {
        id: String,
        on: String,
    },
    NothingToChange,
    Utf16,
    UnknownRationCard {
        card: String,
    },
    DataDirReadOnly {
        dir: String,
        detail: String,
    },
    NoScheme,
    UnknownReceipt {
        receipt: String,
    },
    /// No statement of the fund for the month is held (month: YYYY-MM, or
    /// empty when none at all).
    NoStatementHeld {
        scheme: String,
        month: String,
    },
    NotAContribution {
        receipt: String,
    },
    AlreadyReversed {
        receipt: String,
        by: String,
    },
    OwnReceipt {
        receipt: String,
    },
    ClockBehind {
        last: Timestamp,
        now: Timestamp,
    },
    ClockUnconfirmed {
        last: Timestamp,
        now: Timestamp,
    },
    ConfirmedDateWrong {
        typed: String,
        clock: String,
    },
    VarianceNeedsReason {
        variance: Paise,
    },
    Io {
        path: String,
        detail: String,
    },
    Csv {
        detail: String,
    },
    NotACsv,
    BadHeader {
        expected: String,
    },
    BadNow,
    /// Linking, exporting or uploading to the lab.
    Sync(#[from] crate::sync::SyncError),
    /// A claim's bank details that are not right.
    Claim(Field, crate::domain::claim::ClaimError),
    /// The fund's recorded rules do not make sense.
    Fund(crate::domain::fund::FundError),
    /// Fund rules dated before today.
    RulesRetroactive {
        today: jiff::civil::Date,
    },
    BadCause,
    AttesterIsFiler,
    AttesterEnrolled {
        code: String,
    },
    OpenClaim {
        claim: String,
    },
    /// A refusal about one member of a group meeting.
    ForMember {
        id: String,
        name: String,
        reason: Box<BooksError>,
    },
}

impl BooksError {
    /// Worth trying again as it is (another process held the database).
    pub fn is_retryable(&self) -> bool {
        match self {
            BooksError::Store(e) => e.is_retryable(),
            BooksError::Sync(e) => e.is_retryable(),
            _ => false,
        }
    }
}

fn field(f: Field, reason: Message) -> Message {
    Message::new("error.field")
        .arg_msg("field", f.message())
        .arg_msg("reason", reason)
}

impl Localized for BooksError {
    fn message(&self) -> Message {
        use BooksError as E;
        match self {
            E::Store(e) => e.message(),
            E::Sync(e) => e.message(),
            E::Text(f, e) => field(*f, e.message()),
            E::Money(f, e) => field(*f, e.message()),
            E::Aadhaar(e) => field_aadhaar(e.message()),
            E::Person(f, e) => field(*f, e.message()),
            E::Pin(e) => e.message(),
            E::Eligibility(e) => e.message(),
            E::Payment(e) => e.message(),
            E::Cash(e) => e.message(),
            E::BadDate(f) => field(*f, Message::new("date.bad")),
            E::BadNumber(f) => field(*f, Message::new("number.bad")),
            E::BadRole => Message::new("operator.bad_role"),
            E::BadLanguage => Message::new("operator.bad_language"),
            E::AlreadyInitialised => Message::new("init.already"),
            E::NotInitialised => Message::new("store.not_initialised"),
            E::NoDistrictSecret => Message::new("init.no_secret"),
            E::NoKioskKey => Message::new("init.no_key"),
            E::UnknownOperator { code } => Message::new("auth.unknown").arg("code", code),
            E::OperatorExists { code } => Message::new("operator.exists").arg("code", code),
            E::WrongPin { wait_seconds } if *wait_seconds > 0 => {
                Message::new("auth.wrong_wait").arg("seconds", wait_seconds)
            }
            E::WrongPin { .. } => Message::new("auth.wrong"),
            E::TooSoon { wait_seconds } => {
                Message::new("auth.too_soon").arg("seconds", wait_seconds)
            }
            E::NeedsSupervisor => Message::new("auth.needs_supervisor"),
            E::NeedsAdmin => Message::new("auth.needs_admin"),
            E::NomineeEntry { got } => Message::new("member.nominee_entry").arg("got", got),
            E::NomineeShares { total } => Message::new("member.nominee_shares").arg("total", total),
            E::NomineeTwice { name } => Message::new("member.nominee_twice").arg("name", name),
            E::PayeeEntry { got } => Message::new("claim.payee_entry").arg("got", got),
            E::PayeeAccounts { payees, accounts } => Message::new("claim.payee_accounts")
                .arg("payees", payees)
                .arg("accounts", accounts),
            E::PayeeNotNominee { name } => {
                Message::new("claim.payee_not_nominee").arg("name", name)
            }
            E::PayeeTwice { name } => Message::new("claim.payee_twice").arg("name", name),
            E::PayeeMissing { name } => Message::new("claim.payee_missing").arg("name", name),
            E::UnknownScheme { code } => Message::new("scheme.unknown").arg("code", code),
            E::UnknownGroup { code } => Message::new("group.unknown").arg("code", code),
            E::GroupExists { code } => Message::new("group.exists").arg("code", code),
            E::GroupOfOtherScheme { group, scheme } => Message::new("group.other_scheme")
                .arg("group", group)
                .arg("scheme", scheme),
            E::UnknownMember { id } => Message::new("member.unknown").arg("id", id),
            E::DuplicateAadhaar { id, name, village } => Message::new("member.dup_aadhaar")
                .arg("id", id)
                .arg("name", name)
                .arg("village", village),
            E::DuplicatePerson {
                id,
                name,
                relative,
                village,
            } => Message::new("member.dup_person")
                .arg("id", id)
                .arg("name", name)
                .arg("relative", relative)
                .arg("village", village),
            E::AlreadyEnrolled { id, scheme } => Message::new("member.already")
                .arg("id", id)
                .arg("scheme", scheme),
            E::NotEnrolled { id, scheme } => Message::new("member.not_enrolled")
                .arg("id", id)
                .arg("scheme", scheme),
            E::NoScheme => Message::new("member.no_scheme"),
            E::Utf16 => Message::new("import.utf16"),
            E::LeftScheme { id, scheme, on } => Message::new("member.left_scheme")
                .arg("id", id)
                .arg("scheme", scheme)
                .arg("on", on),
            E::Died { id, on } => Message::new("member.died").arg("id", id).arg("on", on),
            E::NothingToChange => Message::new("member.nothing_to_change"),
            E::Claim(f, e) => field(*f, e.message()),
            E::Fund(e) => e.message(),
            E::RulesRetroactive { today } => Message::new("fund.rules_retroactive")
                .arg("today", crate::domain::time::display_date(*today)),
            E::BadCause => Message::new("claim.bad_cause"),
            E::AttesterIsFiler => Message::new("claim.attester_is_filer"),
            E::AttesterEnrolled { code } => {
                Message::new("claim.attester_enrolled").arg("code", code)
            }
            E::OpenClaim { claim } => Message::new("claim.open").arg("claim", claim),
            E::UnknownRationCard { card } => Message::new("member.unknown_card").arg("card", card),
            E::DataDirReadOnly { dir, detail } => Message::new("datadir.read_only")
                .arg("dir", dir)
                .arg("detail", detail),
            E::UnknownReceipt { receipt } => {
                Message::new("receipt.unknown").arg("receipt", receipt)
            }
            E::NoStatementHeld { scheme, month } if month.is_empty() => {
                Message::new("fund.no_statement").arg("scheme", scheme)
            }
            E::NoStatementHeld { scheme, month } => Message::new("fund.no_statement_month")
                .arg("scheme", scheme)
                .arg("month", month),
            E::NotAContribution { receipt } => {
                Message::new("receipt.not_contribution").arg("receipt", receipt)
            }
            E::AlreadyReversed { receipt, by } => Message::new("receipt.already_reversed")
                .arg("receipt", receipt)
                .arg("by", by),
            E::OwnReceipt { receipt } => Message::new("receipt.own").arg("receipt", receipt),
            E::ClockBehind { last, now } => Message::new("clock.behind")
                .arg("last", display_instant(*last))
                .arg("now", display_instant(*now)),
            E::ClockUnconfirmed { last, now } => Message::new("clock.unconfirmed")
                .arg("last", display_instant(*last))
                .arg("now", display_instant(*now)),
            E::ConfirmedDateWrong { typed, clock } => Message::new("clock.confirm_mismatch")
                .arg("typed", typed)
                .arg("clock", clock),
            E::VarianceNeedsReason { variance } => {
                Message::new("close.needs_reason").arg("variance", variance)
            }
            E::Io { path, detail } => Message::new("io.error")
                .arg("path", path)
                .arg("detail", detail),
            E::Csv { detail } => Message::new("import.csv").arg("detail", detail),
            E::NotACsv => Message::new("import.not_csv"),
            E::BadHeader { expected } => Message::new("import.header").arg("expected", expected),
            E::BadNow => Message::new("clock.bad_now"),
            E::ForMember { id, name, reason } => Message::new("meeting.member")
                .arg("name", name)
                .arg("id", id)
                .arg_msg("reason", reason.message()),
        }
    }
}

fn field_aadhaar(reason: Message) -> Message {
    Message::new("error.field")
        .arg_msg("field", Message::new("field.aadhaar"))
        .arg_msg("reason", reason)
}

/// An open data directory's books.
/// Rules a district sets in `dastak.toml` (read by the CLI and console,
/// which hand them to the books).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rules {
    pub shg_household: HouseholdScope,
}

/// Where "one woman per household" applies for a group scheme.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HouseholdScope {
    /// Across every group of the scheme at this kiosk.
    #[default]
    Kiosk,
    /// Within each group only.
    Group,
}

/// The one rule for what only an admin may do (operators, the lab's link),
/// wherever it is asked: the CLI, the console, the books.
pub fn require_admin(by: &crate::store::queries::OperatorRow) -> Result<(), BooksError> {
    if by.role == crate::domain::operator::Role::Admin {
        Ok(())
    } else {
        Err(BooksError::NeedsAdmin)
    }
}

pub struct Books {
    store: Store,
    pub rules: Rules,
    secret: Option<DistrictSecret>,
    /// The kiosk's signing key, for the QR code on receipts.
    pub key: Option<ed25519_dalek::SigningKey>,
}

impl Books {
    pub fn new(store: Store, secret: Option<DistrictSecret>) -> Books {
        Books {
            store,
            rules: Rules::default(),
            secret,
            key: None,
        }
    }

    pub fn kiosk(&self) -> Result<queries::KioskInfo, BooksError> {
        queries::kiosk(self.store.conn())?.ok_or(BooksError::NotInitialised)
    }

    /// An operator by code, without a PIN: for showing who did what (and
    /// for tests and benches); a person is let in by `authenticate`.
    pub fn operator(&self, code: &str) -> Result<Option<OperatorRow>, BooksError> {
        Ok(queries::operator(self.store.conn(), code)?)
    }

    /// The store behind the books, for tests and benches that check what
    /// was written (the `test-support` feature; a kiosk's binary has no
    /// such door).
    #[cfg(feature = "test-support")]
    #[doc(hidden)]
    pub fn store(&self) -> &Store {
        &self.store
    }

    #[cfg(feature = "test-support")]
    #[doc(hidden)]
    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    /// The kiosk's self-help groups.
    pub fn groups(&self) -> Result<Vec<GroupRow>, BooksError> {
        Ok(queries::groups(self.store.conn())?)
    }

    /// A contribution by its receipt number, if this kiosk took it.
    pub fn contribution(&self, receipt: &str) -> Result<Option<ContributionRow>, BooksError> {
        Ok(queries::contribution(self.store.conn(), receipt)?)
    }

    /// Checks the database against its ledger (`dastak verify`).
    pub fn verify(&self) -> Result<VerifyReport, BooksError> {
        Ok(crate::store::verify::verify(&self.store)?)
    }

    pub(crate) fn secret(&self) -> Result<&DistrictSecret, BooksError> {
        self.secret.as_ref().ok_or(BooksError::NoDistrictSecret)
    }

    /// When the last event was recorded, by the kiosk's clock then.
    pub fn last_event_time(&self) -> Result<Option<Timestamp>, BooksError> {
        Ok(queries::last_event(self.store.conn())?.map(|(_, t)| t))
    }

    /// What the clock check says now.
    pub fn clock_verdict(&self, now: Timestamp) -> Result<ClockVerdict, BooksError> {
        Ok(check_clock(now, self.last_event_time()?))
    }

    /// Refuses to take or give cash when the clock cannot be believed.
    pub(crate) fn require_believable_clock(&self, now: Timestamp) -> Result<(), BooksError> {
        match self.clock_verdict(now)? {
            ClockVerdict::Believable => Ok(()),
            ClockVerdict::Behind { last } => Err(BooksError::ClockBehind { last, now }),
            ClockVerdict::FarAhead { last } => Err(BooksError::ClockUnconfirmed { last, now }),
        }
    }
}
