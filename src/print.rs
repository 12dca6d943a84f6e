//! Receipts on the thermal printer: templates, layout, Devanagari shaping and
//! rasterising, ESC/POS encoding, transports, printer status, and the
//! emulator that turns a printer's bytes into pictures of the paper.
//!
//! A document arrives as a [`Document`]: its kind, the values its template
//! may use and, for money documents and enrolment slips, the signed QR
//! payload. The books build documents from the ledger (so a reprint shows
//! exactly what the first copy did); this room knows nothing of SQLite.

pub mod emulate;
pub mod escpos;
pub mod layout;
pub mod paper;
pub mod raster;
pub mod template;
pub mod templates;
pub mod transport;

use std::path::Path;

use crate::i18n::Lang;
use escpos::{Block, Profile};
use raster::Shaper;
use template::{Fields, Schema};
use templates::TemplateError;
use transport::{PrintError, PrinterUrl};

/// The documents a kiosk prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DocKind {
    Contribution,
    Reversal,
    Enrolment,
    Statement,
    DayClose,
    TestPage,
    /// A nominee change (by the event's number).
    Nominee,
    /// A death claim on the fund (by its claim number).
    Claim,
    /// The lab's public notice of a claim, for the panchayat's notice
    /// board (`CLAIM/NOTICE`).
    ClaimNotice,
    /// The lab's rejection of a claim, with its reasons (`CLAIM/REJECTED`).
    ClaimRejection,
    /// The family's slip for a claim the lab paid (`CLAIM/PAID`).
    ClaimPayout,
    /// The fund's statement of a month, made and signed by the lab, for
    /// the notice board (`FUND-2026-11`).
    FundStatement,
}

/// Fields every document has.
const COMMON: [&str; 9] = [
    "panchayat",
    "block",
    "district",
    "kiosk",
    "printed_date",
    "printed_time",
    "duplicate",
    "wide",
    "paper",
];

macro_rules! fields {
    ($($f:literal),* $(,)?) => {{
        const F: &[&str] = &[
            "panchayat", "block", "district", "kiosk", "printed_date", "printed_time",
            "duplicate", "wide", "paper", $($f),*
        ];
        F
    }};
}

impl DocKind {
    pub const ALL: [DocKind; 12] = [
        DocKind::Contribution,
        DocKind::Reversal,
        DocKind::Enrolment,
        DocKind::Statement,
        DocKind::DayClose,
        DocKind::TestPage,
        DocKind::Nominee,
        DocKind::Claim,
        DocKind::ClaimNotice,
        DocKind::ClaimRejection,
        DocKind::ClaimPayout,
        DocKind::FundStatement,
    ];

    /// The name used in template file names and the print queue.
    pub fn name(self) -> &'static str {
        match self {
            DocKind::Contribution => "contribution",
            DocKind::Reversal => "reversal",
            DocKind::Enrolment => "enrolment",
            DocKind::Statement => "statement",
            DocKind::DayClose => "day_close",
            DocKind::TestPage => "test_page",
            DocKind::Nominee => "nominee",
            DocKind::Claim => "death_claim",
            DocKind::ClaimNotice => "claim_notice",
            DocKind::ClaimRejection => "claim_rejection",
            DocKind::ClaimPayout => "claim_payout",
            DocKind::FundStatement => "fund_statement",
        }
    }

    pub fn parse(s: &str) -> Option<DocKind> {
        DocKind::ALL.into_iter().find(|k| k.name() == s)
    }

    /// What a template for this document may use.
    pub fn schema(self) -> Schema {
        match self {
            DocKind::Contribution => Schema {
                fields: fields!(
                    "receipt",
                    "date",
                    "time",
                    "operator",
                    "operator_code",
                    "member_id",
                    "member_name",
                    "relative_name",
                    "village",
                    "scheme",
                    "scheme_code",
                    "amount",
                    "amount_words",
                    "periods",
                    "covers_from",
                    "covers_to",
                    "dues_after",
                    "reversed_by"
                ),
                lists: &[],
                has_qr: true,
            },
            DocKind::Reversal => Schema {
                fields: fields!(
                    "receipt",
                    "original",
                    "date",
                    "time",
                    "supervisor",
                    "supervisor_code",
                    "member_id",
                    "member_name",
                    "scheme",
                    "scheme_code",
                    "amount",
                    "amount_words",
                    "reason"
                ),
                lists: &[],
                has_qr: true,
            },
            DocKind::Enrolment => Schema {
                fields: fields!(
                    "member_id",
                    "member_name",
                    "relative_name",
                    "village",
                    "ration_card",
                    "date",
                    "operator"
                ),
                lists: &[(
                    "schemes",
                    &["scheme", "scheme_code", "group", "nominee", "dues"],
                )],
                has_qr: true,
            },
            DocKind::Statement => Schema {
                fields: fields!(
                    "member_id",
                    "member_name",
                    "relative_name",
                    "village",
                    "date",
                    "has_changes"
                ),
                lists: &[
                    (
                        "enrolments",
                        &["scheme", "scheme_code", "enrolled_on", "dues", "left"],
                    ),
                    (
                        "history",
                        &["date", "receipt", "scheme_code", "amount", "note"],
                    ),
                    ("changes", &["date", "change", "reason", "operator"]),
                ],
                has_qr: false,
            },
            DocKind::DayClose => Schema {
                fields: fields!(
                    "close_date",
                    "date",
                    "time",
                    "operator",
                    "counted",
                    "expected",
                    "variance",
                    "reason",
                    "contributions",
                    "coins"
                ),
                lists: &[("notes", &["note", "count", "total"])],
                has_qr: false,
            },
            DocKind::TestPage => Schema {
                fields: fields!("printer", "date", "time"),
                lists: &[],
                has_qr: false,
            },
            DocKind::Nominee => Schema {
                fields: fields!(
                    "member_id",
                    "member_name",
                    "relative_name",
                    "village",
                    "scheme",
                    "date",
                    "on",
                    "old_nominee",
                    "nominee",
                    "reason",
                    "operator"
                ),
                lists: &[],
                has_qr: false,
            },
            DocKind::Claim => Schema {
                fields: fields!(
                    "claim",
                    "member_id",
                    "member_name",
                    "relative_name",
                    "village",
                    "date",
                    "time",
                    "died_on",
                    "cause",
                    "certificate",
                    "authority",
                    "claimant",
                    "relation",
                    "not_nominee",
                    "reason",
                    "account",
                    "benefit",
                    "payable",
                    "operator",
                    "attester"
                ),
                lists: &[("bars", &["bar"])],
                has_qr: true,
            },
            // The three papers a lab decision prints share their fields:
            // each template uses what its decision says.
            DocKind::ClaimNotice | DocKind::ClaimRejection | DocKind::ClaimPayout => Schema {
                fields: fields!(
                    "claim",
                    "member_id",
                    "member_name",
                    "relative_name",
                    "village",
                    "joined_on",
                    "died_on",
                    "filed_on",
                    "claimant",
                    "relation",
                    "account",
                    "amount",
                    "amount_words",
                    "decided_on",
                    "until",
                    "reasons",
                    "bank_ref",
                    "paid_on",
                    "officer",
                    "lab_entry",
                    "has_shares",
                    "has_transfers"
                ),
                lists: &[
                    ("shares", &["name", "relation", "share", "part"]),
                    ("transfers", &["name", "account", "bank_ref", "part"]),
                ],
                has_qr: true,
            },
            DocKind::FundStatement => Schema {
                fields: fields!(
                    "scheme",
                    "scheme_code",
                    "month",
                    "as_of",
                    "made_on",
                    "members",
                    "good",
                    "grace",
                    "waiting",
                    "lapsed",
                    "died",
                    "opening",
                    "collected",
                    "receipts",
                    "reversals",
                    "payouts",
                    "fees",
                    "closing",
                    "closing_words",
                    "no_claims"
                ),
                lists: &[(
                    "claims",
                    &["claim", "name", "village", "step", "on", "amount"],
                )],
                has_qr: true,
            },
        }
    }
}

/// A document ready to lay out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub kind: DocKind,
    pub lang: Lang,
    pub fields: Fields,
    /// The signed QR payload (see [`crate::domain::proof`]).
    pub qr: Option<String>,
}

/// A job ready for the printer.
pub struct Job {
    pub bytes: Vec<u8>,
    pub blocks: Vec<Block>,
    /// A template in the folder that was broken; the built-in printed instead.
    pub warning: Option<TemplateError>,
}

/// Renders documents: templates, the font system and the printer profile.
/// Building one parses the fonts; keep it and reuse it.
pub struct Renderer {
    pub shaper: Shaper,
    pub profile: Profile,
    pub folder: Option<std::path::PathBuf>,
}

impl Renderer {
    pub fn new(profile: Profile, folder: Option<&Path>) -> Renderer {
        Renderer {
            shaper: Shaper::new(),
            profile,
            folder: folder.map(Path::to_path_buf),
        }
    }

    /// Lays out and encodes `doc`.
    pub fn render(&mut self, doc: &Document) -> Result<Job, TemplateError> {
        let (loaded, warning) = templates::load(
            self.folder.as_deref(),
            doc.kind,
            doc.lang,
            self.profile.width,
        )?;
        let mut fields = doc.fields.clone();
        let wide = self.profile.width >= 576;
        fields.set("wide", if wide { "80" } else { "" });
        fields.set("paper", if wide { "80" } else { "58" });
        let blocks = layout::layout(
            &loaded.template,
            &fields,
            doc.qr.as_deref(),
            &loaded.logos,
            &self.profile,
            &mut self.shaper,
        );
        let bytes = escpos::encode(&blocks, &self.profile);
        Ok(Job {
            bytes,
            blocks,
            warning,
        })
    }

    /// The lines of text `doc` prints (see [`layout::text_lines`]).
    pub fn text(&self, doc: &Document) -> Result<Vec<String>, TemplateError> {
        let (loaded, _) = templates::load(
            self.folder.as_deref(),
            doc.kind,
            doc.lang,
            self.profile.width,
        )?;
        Ok(layout::text_lines(&loaded.template, &doc.fields))
    }

    /// Renders `doc` and sends it to the printer at `url` (none set: an
    /// error that says so), waiting at most `timeout`: the one way a job
    /// reaches paper, from the CLI and the console's printer desk alike. A
    /// broken template in the folder comes back beside the outcome (the
    /// built-in one printed), for the caller to show.
    pub fn print(
        &mut self,
        url: Option<&PrinterUrl>,
        timeout: std::time::Duration,
        doc: &Document,
    ) -> (Result<(), PrintError>, Option<TemplateError>) {
        let Some(url) = url else {
            return (Err(PrintError::NotSet), None);
        };
        match self.render(doc) {
            Ok(job) => (
                transport::send(url, &job.bytes, timeout).map(|_| ()),
                job.warning,
            ),
            Err(e) => (
                Err(PrintError::Io {
                    detail: e.to_string(),
                }),
                None,
            ),
        }
    }
}

/// The common fields, for the completeness check in tests.
pub fn common_fields() -> &'static [&'static str] {
    &COMMON
}
