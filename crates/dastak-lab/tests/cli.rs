//! The `dastak-lab` binary by itself: a lab directory made once, its
//! identity for kiosks, and bad input refused in the clerk's language.

use std::process::Command;

fn lab(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dastak-lab"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("DASTAK_LANG")
        .env_remove("DASTAK_NOW")
        .output()
        .expect("run dastak-lab")
}

#[test]
fn a_lab_is_made_once_and_tells_kiosks_its_two_keys() {
    let d = tempfile::tempdir().expect("dir");
    let made = lab(d.path(), &["--lang", "en", "init"]);
    assert!(made.status.success(), "{made:?}");
    let out = String::from_utf8(made.stdout).expect("utf-8");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[1].starts_with("age1"), "{out}");
    assert_eq!(lines[2].len(), 64, "{out}");

    let id = lab(d.path(), &["identity", "--json"]);
    assert!(id.status.success(), "{id:?}");
    let v: serde_json::Value = serde_json::from_slice(&id.stdout).expect("json");
    assert_eq!(v["recipient"], lines[1]);
    assert_eq!(v["ack_key"], lines[2]);

    let again = lab(d.path(), &["--lang", "en", "init"]);
    assert_eq!(again.status.code(), Some(1));
    let err = String::from_utf8(again.stderr).expect("utf-8");
    assert!(err.contains("is already a lab directory"), "{err}");
}

#[test]
fn a_directory_that_is_not_a_lab_is_named_in_hindi_by_default() {
    let d = tempfile::tempdir().expect("dir");
    let r = lab(d.path(), &["status"]);
    assert_eq!(r.status.code(), Some(1));
    let err = String::from_utf8(r.stderr).expect("utf-8");
    assert!(err.contains(&d.path().display().to_string()), "{err}");
    assert!(
        err.chars().any(|c| ('\u{0900}'..='\u{097F}').contains(&c)),
        "{err}"
    );
    assert!(!d.path().join("district-lab.db").exists(), "nothing made");
}

#[test]
fn an_unknown_language_is_refused_before_anything_is_made() {
    let d = tempfile::tempdir().expect("dir");
    let r = lab(d.path(), &["--lang", "fr", "init"]);
    assert_eq!(r.status.code(), Some(2));
    assert!(!d.path().join("district-lab.identity").exists());
}
