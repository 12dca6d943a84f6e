//! dastak-core: what the kiosk and the district lab must agree on, and
//! nothing else.
//!
//! - [`domain`]: the rules (money, Aadhaar references, people, schemes,
//!   dues, receipts and their signed proofs, cash counts, time) and the
//!   event format with its canonical bytes and hash chain. No IO.
//! - [`wire`]: what travels between a kiosk and its lab: signed batches,
//!   acknowledgements, link offers, their sealing to the lab's key, and how
//!   they are named and laid out on a USB stick.
//! - [`durable`]: the one way either side writes a file that must survive a
//!   power cut or a pulled stick.
//! - `cli` (feature `cli`): what the two binaries' command lines share.
//! - [`statement`]: the fund statement's arithmetic, from figures its
//!   caller read.
//! - [`i18n`]: the message catalogs, Hindi and English, that both sides
//!   render their sentences from.
//!
//! It depends on no database, terminal, printer or server: the kiosk binary
//! and the lab binary each link it, and neither links the other.

#[cfg(feature = "cli")]
pub mod cli;
pub mod domain;
pub mod durable;
pub mod i18n;
pub mod statement;
pub mod wire;
