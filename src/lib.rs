//! dastak: the software of a panchayat e-Dastak centre kiosk.
//!
//! The kiosk's rooms, each importing only the ones below it (README,
//! "Rooms"; `tests/rooms.rs` keeps it so):
//!
//! | room | may import | what it is |
//! | --- | --- | --- |
//! | [`domain`], [`i18n`] | — | dastak-core's rules, event format and catalogs, re-exported |
//! | [`store`] | core | SQLite: the ledger, derived tables, every SQL statement of the kiosk |
//! | [`print`] | core | receipts on paper: ESC/POS, shaping, templates, transports |
//! | [`sync`] | store, core | batches to the lab and its acknowledgements |
//! | [`books`] | store, print, sync, core | every use case the CLI and the console perform |
//! | [`config`] | books, print, core | `dastak.toml`, raw then resolved |
//! | [`tui`] | books, config, print, core | the operator console |
//! | [`cli`] | books, config, print, tui, core | the `dastak` command line |
//!
//! The district lab is another crate (`dastak-lab`) that depends on
//! dastak-core alone; this one links no server.

pub mod books;
pub mod cli;
pub mod config;
pub mod print;
pub mod store;
pub mod sync;
pub mod tui;

pub use dastak_core::{domain, i18n};
