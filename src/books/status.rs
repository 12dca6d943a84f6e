//! The kiosk at a glance: what the home screen and `dastak status` show.

use jiff::Timestamp;
use serde::Serialize;

use crate::books::{Books, BooksError};
use crate::domain::money::Paise;
use crate::domain::time::{ClockVerdict, display_instant};
use crate::store::queries;

/// The clock check as shown to people (`ok`, `behind`, `needs_confirmation`
/// in JSON).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockState {
    Ok,
    Behind,
    NeedsConfirmation,
}

impl From<ClockVerdict> for ClockState {
    fn from(v: ClockVerdict) -> ClockState {
        match v {
            ClockVerdict::Believable => ClockState::Ok,
            ClockVerdict::Behind { .. } => ClockState::Behind,
            ClockVerdict::FarAhead { .. } => ClockState::NeedsConfirmation,
        }
    }
}

impl ClockState {
    /// The catalog key of the status line.
    pub fn message_key(self) -> &'static str {
        match self {
            ClockState::Ok => "status.clock_ok",
            ClockState::Behind => "status.clock_behind",
            ClockState::NeedsConfirmation => "status.clock_confirm",
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Status {
    pub kiosk: String,
    pub panchayat: String,
    pub events: u64,
    pub members: u64,
    /// Receipts since the last day close that were not reversed.
    pub today_receipts: u64,
    /// Cash the next day close expects.
    pub today_total: Paise,
    pub clock: ClockState,
    pub last_event_at: Option<String>,
    /// Documents committed but not yet printed.
    pub print_waiting: u64,
    /// Linked to a district lab at all; its upload address, if any.
    pub lab_linked: bool,
    pub lab_url: Option<String>,
    /// Events the lab has not acknowledged holding.
    pub pending_to_lab: u64,
    pub lab_acked_at: Option<String>,
    pub lab_sent_at: Option<String>,
}

impl Books {
    pub fn status(&self, now: Timestamp) -> Result<Status, BooksError> {
        let k = self.kiosk()?;
        let conn = self.store.conn();
        let last = queries::last_event(conn)?;
        // What the next day close will expect (cash taken less reversals
        // paid out since the last close), and the receipts behind it that
        // still stand: the operator's "today" is the drawer's.
        let open = queries::open_cash(conn)?;
        let today_receipts = queries::standing_receipts_since(
            conn,
            open.last_close.as_ref().map_or(0, |c| c.through_seq),
        )?;
        let today_total = open.expected.0;
        let clock = ClockState::from(self.clock_verdict(now)?);
        let link = crate::sync::link_info(&self.store).ok().flatten();
        let events = last.map(|(s, _)| s).unwrap_or(0);
        let when = |t: &Option<String>| {
            t.as_ref()
                .and_then(|t| t.parse::<Timestamp>().ok())
                .map(display_instant)
        };
        Ok(Status {
            lab_linked: link.is_some(),
            lab_url: link.as_ref().and_then(|l| l.url.clone()),
            pending_to_lab: events.saturating_sub(link.as_ref().map_or(0, |l| l.acked_through)),
            lab_acked_at: link.as_ref().and_then(|l| when(&l.acked_at)),
            lab_sent_at: link.as_ref().and_then(|l| when(&l.last_sent_at)),
            kiosk: k.code,
            panchayat: k.panchayat,
            events,
            members: queries::member_count(conn)?,
            today_receipts,
            today_total: Paise(today_total),
            clock,
            last_event_at: last.map(|(_, t)| display_instant(t)),
            print_waiting: crate::store::print_queue::waiting(conn)?,
        })
    }

    /// Everyone, for the search index.
    pub fn search_entries(&self) -> Result<Vec<crate::domain::search::Entry>, BooksError> {
        Ok(queries::search_entries(self.store.conn())?)
    }

    /// Cash expected at the next day close.
    pub fn expected_cash(&self) -> Result<Paise, BooksError> {
        Ok(queries::open_cash(self.store.conn())?.expected)
    }
}

/// The current time: the system clock, or `$DASTAK_NOW` (RFC 3339, or a
/// civil date-time or date read as IST) for training, tests and the demo.
pub fn now() -> Result<Timestamp, BooksError> {
    let Some(s) = std::env::var("DASTAK_NOW")
        .ok()
        .filter(|v| !v.trim().is_empty())
    else {
        return Ok(Timestamp::now());
    };
    crate::domain::time::parse_now(&s).ok_or(BooksError::BadNow)
}
