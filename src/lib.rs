//! dastak: the software of a panchayat e-Dastak centre kiosk.
//!
//! Rooms, with arrows pointing one way (see `../shared/DESIGN.md`):
//! [`domain`] (rules, no IO) ← [`store`] (SQLite ledger) ← [`books`] (the
//! kiosk's operations, shared by the CLI and the console) ← [`cli`].
//! [`i18n`] holds every sentence a person reads.

pub mod books;
pub mod cli;
pub mod config;
pub mod print;
pub mod store;
pub mod sync;
pub mod tui;

pub use dastak_core::{domain, i18n};
