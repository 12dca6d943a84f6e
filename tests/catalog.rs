//! The message catalogs are complete: every key the code uses exists in
//! Hindi and English, both catalogs have the same keys, and a translation
//! keeps every placeholder of the English text.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use dastak::i18n::{Lang, catalog};

fn rust_files(dir: &Path, out: &mut Vec<String>) {
    for e in std::fs::read_dir(dir).expect("read_dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(std::fs::read_to_string(&p).expect("read"));
        }
    }
}

/// String literals in the source that look like catalog keys
/// (`"area.name"`), for areas that the catalogs use.
fn keys_in_source() -> BTreeSet<String> {
    let areas: BTreeSet<&str> = catalog(Lang::En)
        .keys()
        .filter_map(|k| k.split('.').next())
        .collect();
    let mut files = Vec::new();
    // The kiosk, and the crates beside it (the shared format, the lab).
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    rust_files(&root.join("src"), &mut files);
    rust_files(&root.join("crates"), &mut files);
    let mut keys = BTreeSet::new();
    for f in files {
        for piece in f.split('"').skip(1).step_by(2) {
            let Some((area, rest)) = piece.split_once('.') else {
                continue;
            };
            let looks_like_key = !rest.is_empty()
                && areas.contains(area)
                && piece
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
            if looks_like_key {
                keys.insert(piece.to_string());
            }
        }
    }
    keys
}

fn placeholders(s: &str) -> BTreeSet<String> {
    s.split('{')
        .skip(1)
        .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_string()))
        .collect()
}

#[test]
fn every_key_used_in_code_is_in_both_catalogs() {
    let used = keys_in_source();
    assert!(
        used.len() > 100,
        "the scan found too few keys ({}); is it working?",
        used.len()
    );
    for lang in Lang::ALL {
        let missing: Vec<&String> = used
            .iter()
            .filter(|k| !catalog(lang).contains_key(k.as_str()))
            .collect();
        assert!(missing.is_empty(), "{lang} catalog lacks {missing:?}");
    }
}

#[test]
fn both_catalogs_have_the_same_keys_and_placeholders() {
    let hi: &HashMap<&str, &str> = catalog(Lang::Hi);
    let en: &HashMap<&str, &str> = catalog(Lang::En);
    let hk: BTreeSet<_> = hi.keys().collect();
    let ek: BTreeSet<_> = en.keys().collect();
    assert_eq!(hk, ek, "catalog keys differ");
    for (k, e) in en {
        assert!(
            !e.trim().is_empty() && !hi[k].trim().is_empty(),
            "{k} is empty"
        );
        assert_eq!(
            placeholders(e),
            placeholders(hi[k]),
            "{k}: placeholders differ"
        );
    }
}

#[test]
fn hindi_catalog_is_in_hindi() {
    // Most Hindi messages must contain Devanagari: an untranslated copy of
    // the English text would pass the key checks above.
    let hi = catalog(Lang::Hi);
    let en = catalog(Lang::En);
    let copied: Vec<&&str> = hi
        .keys()
        .filter(|k| hi[*k] == en[*k] && !hi[*k].starts_with('{'))
        .filter(|k| hi[*k].chars().any(|c| c.is_ascii_alphabetic()))
        .collect();
    assert!(copied.is_empty(), "untranslated: {copied:?}");
}

/// Screens (and the CLI's record views) print only catalog text: a string literal in the console code
/// with letters in it (outside `{placeholders}`) must be a catalog key, a
/// message argument's name, or one of the few marks that are not words.
#[test]
fn console_screens_print_no_literal_text() {
    // Not words in any language: the product name in the header, and the
    // device named in a terminal IO error.
    // The message of the panic injected by the terminal-restore test is for
    // developers' logs, never on a screen.
    // And where the kiosk image mounts a USB stick: a path, not words.
    let allowed = [
        "dastak",
        "terminal",
        "injected panic (DASTAK_INJECT_PANIC)",
        "/media/usb",
        // The cargo feature that carries that panic hook: a name, not words.
        "fault-injection",
        // The kiosk's own screen (tui/screen.rs): a reference rendering's
        // file extension and PPM header, and the letter whose baseline all
        // words share; none is shown.
        "ppm",
        "P6\\n{} {}\\n255\\n",
        "क",
    ];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![
        std::fs::read_to_string(dir.join("tui.rs")).expect("tui.rs"),
        std::fs::read_to_string(dir.join("cli/show.rs")).expect("cli/show.rs"),
    ];
    rust_files(&dir.join("tui"), &mut files);
    let keys: BTreeSet<&str> = catalog(Lang::En).keys().copied().collect();
    let mut offenders = Vec::new();
    for f in files {
        let code: String = f
            .split("#[cfg(test)]")
            .next()
            .unwrap_or("")
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let mut rest = code.as_str();
        while let Some(open) = rest.find('"') {
            let before = &rest[..open];
            let after = &rest[open + 1..];
            // Skip char literals like '"'.
            if before.ends_with('\'') {
                rest = &after[1.min(after.len())..];
                continue;
            }
            let mut end = 0;
            let bytes = after.as_bytes();
            while end < bytes.len() && bytes[end] != b'"' {
                end += if bytes[end] == b'\\' { 2 } else { 1 };
            }
            let literal = &after[..end.min(after.len())];
            rest = &after[(end + 1).min(after.len())..];
            let mut words = String::new();
            let mut depth = 0;
            for c in literal.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    c if depth == 0 => words.push(c),
                    _ => {}
                }
            }
            let has_letters = words.chars().any(|c| c.is_alphabetic());
            let is_arg_name =
                before.trim_end().ends_with(".arg(") || before.trim_end().ends_with(".arg_msg(");
            // Environment variable names are identifiers, not text.
            let is_env_name = literal.chars().all(|c| c.is_ascii_uppercase() || c == '_');
            if has_letters
                && !keys.contains(literal)
                && !is_arg_name
                && !is_env_name
                && !allowed.contains(&literal)
            {
                offenders.push(literal.to_string());
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "screens print literal text instead of catalog messages: {offenders:?}"
    );
}
