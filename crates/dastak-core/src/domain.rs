//! The kiosk's rules, with no IO: money, words, Aadhaar, people, schemes,
//! dues, receipt numbers, cash counts, time and the event format.
//!
//! Nothing here touches files, sockets, terminals or the clock: callers pass
//! `now` in. That keeps every rule testable by itself and usable by the lab.

pub mod aadhaar;
pub mod cash;
pub mod claim;
pub mod digits;
pub mod dues;
pub mod event;
pub mod fund;
pub mod money;
pub mod operator;
pub mod person;
pub mod proof;
pub mod receipt;
pub mod scheme;
pub mod search;
pub mod text;
pub mod time;
pub mod words;
