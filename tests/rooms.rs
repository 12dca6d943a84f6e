//! The rooms of the kiosk crate import only downwards (README, "Rooms"):
//! the compiler keeps the walls between crates (dastak-core, the kiosk,
//! dastak-lab); this test keeps the ones inside the kiosk, by reading which
//! rooms each room's files name (`crate::room`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each room and the rooms it may name. `domain` and `i18n` are
/// dastak-core's, re-exported.
const MAY_IMPORT: &[(&str, &[&str])] = &[
    ("store", &["domain", "i18n"]),
    ("print", &["domain", "i18n"]),
    ("sync", &["store", "domain", "i18n"]),
    ("books", &["store", "print", "sync", "domain", "i18n"]),
    ("config", &["books", "print", "domain", "i18n"]),
    ("tui", &["books", "config", "print", "domain", "i18n"]),
    (
        "cli",
        &["books", "config", "print", "tui", "domain", "i18n"],
    ),
];

const ROOMS: &[&str] = &[
    "store", "print", "sync", "books", "config", "tui", "cli", "domain", "i18n",
];

fn sources(room: &str) -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    let file = src.join(format!("{room}.rs"));
    if let Ok(text) = std::fs::read_to_string(&file) {
        out.push((file.display().to_string(), text));
    }
    let mut dirs = vec![src.join(room)];
    while let Some(d) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let p = e.expect("entry").path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).expect("read");
                out.push((p.display().to_string(), text));
            }
        }
    }
    assert!(!out.is_empty(), "no sources for room {room}");
    out
}

/// The rooms a file names, outside comments.
fn named_rooms(text: &str) -> BTreeSet<&'static str> {
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    ROOMS
        .iter()
        .copied()
        .filter(|r| {
            let needle = format!("crate::{r}");
            code.match_indices(&needle).any(|(i, _)| {
                !code[i + needle.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
            })
        })
        .collect()
}

#[test]
fn no_room_of_the_kiosk_imports_a_room_above_it() {
    let mut wrong: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for (room, allowed) in MAY_IMPORT {
        for (file, text) in sources(room) {
            for named in named_rooms(&text) {
                if named != *room && !allowed.contains(&named) {
                    wrong.entry(file.clone()).or_default().push(named);
                }
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the rooms: {wrong:#?}");
}

#[test]
fn the_console_and_the_cli_reach_the_store_and_sync_only_through_the_books() {
    for room in ["tui", "cli"] {
        for (file, text) in sources(room) {
            let named = named_rooms(&text);
            assert!(
                !named.contains("store") && !named.contains("sync"),
                "{file} names {named:?}"
            );
        }
    }
}

#[test]
fn the_room_check_sees_an_import_where_there_is_one() {
    // The check itself must be able to fail.
    let text = "use crate::store::queries;\n// crate::cli in a comment\nlet x = crate::books_x;";
    assert_eq!(named_rooms(text), BTreeSet::from(["store"]));
}
