//! Field blockers (issue 10) through the real binary: each test is named
//! after what it guards, and each failed before its fix.

mod support;

use support::*;

/// The ledger and what is derived from it, as a short text: equal before
/// and after means a refused command wrote nothing.
fn books(k: &Kiosk) -> String {
    books_of(
        k,
        &[
            "SELECT group_concat(member_id, ',') FROM members",
            "SELECT group_concat(receipt_no, ',') FROM receipts",
        ],
    )
}

/// `households import FILE --json` by `operator`, its report parsed.
fn import_json(k: &Kiosk, file: &std::path::Path, operator: &str, pin: &str) -> serde_json::Value {
    let r = k.run(
        Some(pin),
        &[
            "households",
            "import",
            file.to_str().expect("utf8"),
            "--operator",
            operator,
            "--json",
        ],
    );
    r.ok();
    serde_json::from_str(&r.stdout).expect("json")
}

#[test]
fn the_same_person_in_another_script_or_spelling_is_not_enrolled_twice() {
    let k = Kiosk::ready();
    // Within a household (the same ration card), and across the kiosk
    // (the same name and father's or husband's name).
    let pairs: [(&str, &str, &str, &str, Option<&str>); 4] = [
        ("Savitri", "Mohan", "सावित्री", "मोहन", Some("RJ0001")),
        ("Anita Devi", "Ram", "अनीता देवी", "Ram", Some("RJ0002")),
        ("रक्षा", "Gopal", "र\u{200D}क्षा", "Gopal", Some("RJ0003")),
        (
            "Raamlaal Meena",
            "Bhola Ram",
            "रामलाल मीणा",
            "भोला राम",
            None,
        ),
    ];
    for (first, rel1, second, rel2, card) in pairs {
        let a = k.member_add(&[], &strs(&fund(first, rel1, card)));
        a.ok();
        let id = serde_json::from_str::<serde_json::Value>(
            &k.run(None, &["member", "find", first, "--json"]).stdout,
        )
        .expect("json")[0]["member_id"]
            .as_str()
            .expect("id")
            .to_string();
        let before = books(&k);
        let b = k.member_add(&[], &strs(&fund(second, rel2, card)));
        b.failed();
        assert!(
            b.stderr.contains("this person may already be registered")
                && b.stderr.contains(&id)
                && b.stderr.contains(first),
            "{second} after {first}: {}",
            b.stderr
        );
        assert_eq!(before, books(&k), "{second} changed the books");
    }
    // Ramlal Meena, a third spelling, is caught too.
    k.member_add(&[], &strs(&fund("Ramlal Meena", "Bhola Ram", None)))
        .failed();
    // Another Savitri with another husband, elsewhere, is another person.
    k.member_add(&[], &strs(&fund("Savitri", "Kishan", None)))
        .ok();
}

#[test]
fn a_namesake_goes_on_only_with_a_supervisors_code_pin_and_reason_recorded_as_an_event() {
    let k = Kiosk::ready();
    k.member_add(&[], &strs(&fund("Savitri", "Mohan", Some("RJ0001"))))
        .ok();
    let mut args = fund("सावित्री", "मोहन", Some("RJ0001"));
    args.extend(
        [
            "--supervisor",
            "SUP1",
            "--duplicate-reason",
            "another Savitri, a guest",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    let before = books(&k);
    // A wrong PIN, a volunteer as "supervisor", a reason too short: refused.
    k.member_add(&[("DASTAK_SUPERVISOR_PIN", "0000")], &strs(&args))
        .failed();
    let mut vol = args.clone();
    let at = vol.len() - 3;
    vol[at] = "VOL1".into();
    let v = k.member_add(&[("DASTAK_SUPERVISOR_PIN", VOL_PIN)], &strs(&vol));
    v.failed_saying("only a supervisor or admin");
    let mut short = args.clone();
    let last = short.len() - 1;
    short[last] = "ok".into();
    k.member_add(&[("DASTAK_SUPERVISOR_PIN", SUP_PIN)], &strs(&short))
        .failed();
    assert_eq!(before, books(&k));
    // The supervisor's word lets her through, and it is in the ledger.
    k.member_add(&[("DASTAK_SUPERVISOR_PIN", SUP_PIN)], &strs(&args))
        .ok();
    assert_eq!(
        k.count("SELECT COUNT(*) FROM events WHERE kind = 'duplicate_accepted'"),
        1
    );
    let body: String = k
        .db()
        .query_row(
            "SELECT CAST(canonical AS TEXT) FROM events WHERE kind = 'duplicate_accepted'",
            [],
            |r| r.get(0),
        )
        .expect("event");
    assert!(body.contains("\"supervisor\":\"SUP1\""), "{body}");
    assert!(body.contains("another Savitri, a guest"), "{body}");
    k.run(None, &["verify"]).ok();
}

#[test]
fn a_broken_settings_file_stops_a_payment_before_anything_is_saved() {
    let k = Kiosk::ready();
    let id = k.fund_member();
    std::fs::write(k.dir().join("dastak.toml"), "printer = [broken").expect("toml");
    let before = books(&k);
    for args in [
        vec![
            "pay",
            "--operator",
            "VOL1",
            "--member",
            &id,
            "--scheme",
            "FUND",
        ],
        vec![
            "day-close",
            "--operator",
            "VOL1",
            "--notes",
            "100=1",
            "--coins",
            "0",
        ],
    ] {
        let r = k.run(Some(VOL_PIN), &args);
        r.failed_saying("dastak.toml");
        assert!(!r.stdout.contains("Receipt"), "{}", r.stdout);
    }
    assert_eq!(before, books(&k), "a refused command saved something");
}

#[test]
fn a_committed_payment_exits_zero_and_says_the_money_is_saved_when_printing_fails() {
    let k = Kiosk::ready();
    let id = k.fund_member();
    // A printer that is not there: the payment stands, the receipt waits.
    let r = k.run_env(
        &[
            ("DASTAK_PIN", VOL_PIN),
            ("DASTAK_PRINTER", "tcp://127.0.0.1:9"),
        ],
        &[
            "pay",
            "--operator",
            "VOL1",
            "--member",
            &id,
            "--scheme",
            "FUND",
        ],
    );
    r.ok();
    assert!(r.stdout.contains("Receipt RMP01/2026-27/"), "{}", r.stdout);
    assert!(
        r.stdout.contains("is saved but not printed") && r.stdout.contains("reprint queue"),
        "{}",
        r.stdout
    );
    assert!(!r.stderr.contains("Error"), "{}", r.stderr);
}

#[test]
fn member_find_searches_across_scripts_like_the_console() {
    let k = Kiosk::ready();
    k.fund_member();
    for q in ["ramlal", "Raamlaal", "रामलाल", "bhola", "00001", "RJ0001"] {
        let r = k.run(None, &["member", "find", q]);
        r.ok();
        assert!(r.stdout.contains("RMP01-00001"), "{q}: {}", r.stdout);
    }
    let none = k.run(None, &["member", "find", "zzzz"]);
    none.ok();
    assert!(!none.stdout.contains("RMP01-00001"));
}

#[test]
fn one_woman_per_household_across_all_groups_unless_the_district_relaxes_it() {
    let k = Kiosk::ready();
    k.run(
        Some(SUP_PIN),
        &[
            "group",
            "add",
            "--operator",
            "SUP1",
            "--code",
            "SHG2",
            "--name",
            "दुर्गा समूह",
            "--village",
            "रामपुर",
        ],
    )
    .ok();
    let woman =
        |name: &str, group: &str, aadhaar: &str| k.shg_woman(name, "RJ0002", group, aadhaar);
    woman("Kamla Saini", "SHG1", AADHAAR).ok();
    let second = woman("Asha Saini", "SHG2", "234567890153");
    second.failed();
    assert!(
        second
            .stderr
            .contains("Kamla Saini (RMP01-00001) of this household is already a member"),
        "{}",
        second.stderr
    );
    std::fs::write(
        k.dir().join("dastak.toml"),
        "[rules]\nshg_one_per_household = \"group\"\n",
    )
    .expect("toml");
    woman("Asha Saini", "SHG2", "234567890153").ok();
    std::fs::write(
        k.dir().join("dastak.toml"),
        "[rules]\nshg_one_per_household = \"village\"\n",
    )
    .expect("toml");
    let bad = woman("Gita Saini", "SHG1", "345678901234");
    bad.failed_saying("\"kiosk\" or \"group\"");
}

/// Lines 96 and 99–102 of a CRLF file are bad: they are reported as such.
#[test]
fn csv_line_numbers_count_as_a_spreadsheet_does() {
    let k = Kiosk::ready();
    let mut rows = vec!["ration_card,village,member_name,gender,age,relation".to_string()];
    for i in 2..=110 {
        let bad = i == 96 || (99..=102).contains(&i);
        let age = if bad { "old" } else { "30" };
        rows.push(format!("RX{i:04},रामपुर,Person Name,F,{age},wife"));
    }
    let path = k.dir().join("crlf.csv");
    std::fs::write(&path, rows.join("\r\n") + "\r\n").expect("csv");
    let v = import_json(&k, &path, "VOL1", VOL_PIN);
    let lines: Vec<i64> = v["bad"]
        .as_array()
        .expect("bad")
        .iter()
        .map(|b| b["line"].as_i64().expect("line"))
        .collect();
    assert_eq!(lines, vec![96, 99, 100, 101, 102]);
}

#[test]
fn clear_messages_for_a_read_only_data_directory_a_utf16_list_an_unknown_card_and_a_negative_amount()
 {
    let k = Kiosk::ready();
    // UTF-16, as Excel saves "Unicode text".
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(PDS.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let path = k.dir().join("utf16.csv");
    std::fs::write(&path, utf16).expect("csv");
    let r = k.run(
        Some(VOL_PIN),
        &[
            "households",
            "import",
            path.to_str().expect("utf8"),
            "--operator",
            "VOL1",
        ],
    );
    r.failed_saying("CSV UTF-8");
    // A ration card not in the list, with no village given.
    let r = k.member_add(&[], &strs(&fund("Meera", "Mohan", Some("RJ7777"))));
    r.failed();
    assert!(
        r.stderr
            .contains("ration card RJ7777 is not in the ration-card list"),
        "{}",
        r.stderr
    );
    // --amount -5 reads as an amount, as --amount=-5 does.
    let id = k.fund_member();
    let spaced = k.vol(
        "pay",
        &["--member", &id, "--scheme", "FUND", "--amount", "-5"],
    );
    let joined = k.vol("pay", &["--member", &id, "--scheme", "FUND", "--amount=-5"]);
    spaced.failed();
    joined.failed();
    assert!(
        spaced.stderr.contains("cannot be negative"),
        "{}",
        spaced.stderr
    );
    assert_eq!(spaced.stderr, joined.stderr);
    // The kiosk's disk turns read-only (an SD card does when it wears out).
    let disk = tempfile::tempdir().expect("mount point");
    let mount = |opts: &str| {
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", opts, "tmpfs"])
            .arg(disk.path())
            .status()
            .expect("run mount");
        assert!(ok.success(), "mounting a tmpfs needs root");
    };
    mount("size=16m");
    let data = disk.path().join("kiosk");
    let run = |args: &[&str]| {
        support::run_output(
            std::process::Command::new(bin())
                .arg("--data-dir")
                .arg(&data)
                .args(args)
                .env("DASTAK_PIN", ADMIN_PIN)
                .env("DASTAK_NOW", NOW)
                .env_remove("DASTAK_LANG")
                .output()
                .expect("spawn"),
        )
    };
    run(&[
        "init",
        "--kiosk",
        "RMP02",
        "--panchayat",
        "गाँव",
        "--block",
        "ब्लॉक",
        "--district",
        "ज़िला",
        "--admin",
        "ADMIN",
        "--admin-name",
        "अरुण",
    ])
    .ok();
    let remounted = std::process::Command::new("mount")
        .args(["-o", "remount,ro"])
        .arg(disk.path())
        .status()
        .expect("remount");
    assert!(remounted.success());
    let r = run(&["status"]);
    let _ = std::process::Command::new("umount")
        .arg(disk.path())
        .status();
    r.failed();
    assert!(
        r.stderr.contains(data.to_str().expect("utf8")) && r.stderr.contains("लिखा नहीं जा सकता"),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("unable to open database file"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_printer_url_with_a_bad_port_is_refused_with_the_ways_to_write_one() {
    let k = Kiosk::ready();
    for url in ["tcp://127.0.0.1:19100xyz", "tcp://127.0.0.1:70000"] {
        let r = k.run_env(&[("DASTAK_PRINTER", url)], &["printer", "status"]);
        r.failed();
        assert!(r.stderr.contains("is not a printer"), "{url}: {}", r.stderr);
    }
}

#[test]
fn hindi_output_has_no_english_values_and_hindi_slips_say_duplicate_in_hindi() {
    let k = Kiosk::ready();
    let r = k.run_env(
        &[
            ("DASTAK_PIN", ADMIN_PIN),
            ("DASTAK_NEW_PIN", "5678"),
            ("DASTAK_LANG", "hi"),
        ],
        &[
            "operator",
            "add",
            "--operator",
            "ADMIN",
            "--code",
            "SUP2",
            "--name",
            "रीना",
            "--role",
            "supervisor",
        ],
    );
    r.ok();
    assert!(r.stdout.contains("सुपरवाइज़र"), "{}", r.stdout);
    assert!(!r.stdout.contains("supervisor"), "{}", r.stdout);
    // A copy of a printed Hindi receipt says so in Hindi.
    let id = k.fund_member();
    let receipt = k.pay(&id);
    let books = dastak::books::DataDir {
        root: k.dir().to_path_buf(),
    }
    .open_books()
    .expect("books");
    let now: jiff::Timestamp = NOW.parse().expect("now");
    let doc = books
        .document(
            dastak::print::DocKind::Contribution,
            &receipt,
            dastak::i18n::Lang::Hi,
            now,
        )
        .expect("doc");
    let mut doc = doc;
    doc.fields.set("duplicate", "1");
    let r = renderer_58mm();
    let lines = r.text(&doc).expect("text");
    assert!(lines.iter().any(|l| l == "प्रतिलिपि"), "{lines:?}");
}

/// Every line of every document, in both languages, with real data: no
/// word twice in a row ("बकाया: बकाया:") and no placeholder left unfilled.
#[test]
fn every_template_line_reads_once_with_real_data() {
    let k = Kiosk::ready();
    let id = k.fund_member();
    let receipt = k.pay(&id);
    let second = k.pay(&id);
    let rev = k.reverse_by(("SUP1", SUP_PIN), &second, "wrong member", &["--json"]);
    rev.ok();
    let slip = serde_json::from_str::<serde_json::Value>(&rev.stdout).expect("json")["receipt"]
        .as_str()
        .expect("slip")
        .to_string();
    k.run(
        Some(VOL_PIN),
        &[
            "member",
            "nominee",
            "--member",
            &id,
            "--operator",
            "VOL1",
            "--scheme",
            "FUND",
            "--nominee-name",
            "राजू",
            "--nominee-relation",
            "पुत्र",
            "--reason",
            "wife moved away",
        ],
    )
    .ok();
    k.vol(
        "day-close",
        &[
            "--notes",
            "100=2",
            "--coins",
            "0",
            "--reason",
            "one note short",
        ],
    )
    .ok();
    let l = lab();
    link(&k, &l, None);
    k.run_env(
        &[
            ("DASTAK_PIN", SUP_PIN),
            ("DASTAK_ATTESTER_PIN", ADMIN_PIN),
            ("DASTAK_ACCOUNT", "123456789012"),
        ],
        &[
            "fund",
            "claim",
            "file",
            "--operator",
            "SUP1",
            "--attested-by",
            "ADMIN",
            "--member",
            &id,
            "--died-on",
            "23-11-2026",
            "--cause",
            "illness",
            "--certificate",
            "D-1",
            "--authority",
            "ग्राम पंचायत",
            "--claimant",
            "मोहन",
            "--relation",
            "पुत्र",
            "--phone",
            "9829012345",
            "--ifsc",
            "SBIN0001234",
            "--reason",
            "नामित गाँव से बाहर हैं",
        ],
    )
    .ok();
    let close = k
        .count("SELECT seq FROM day_closes ORDER BY seq DESC LIMIT 1")
        .to_string();
    let nominee = k
        .count("SELECT seq FROM member_changes WHERE what = 'nominee'")
        .to_string();
    use dastak::print::DocKind as D;
    let docs = [
        (D::Contribution, receipt.as_str()),
        (D::Reversal, slip.as_str()),
        (D::Enrolment, id.as_str()),
        (D::Statement, id.as_str()),
        (D::DayClose, close.as_str()),
        (D::TestPage, "tcp://127.0.0.1:9100"),
        (D::Nominee, nominee.as_str()),
        (D::Claim, "RMP01-C0001"),
    ];
    // The papers of the lab's decisions, and its fund statement, need a
    // lab: the claims tests read theirs the same way (tests/claims.rs,
    // `paper` and the statement's test).
    let decided = [
        D::ClaimNotice,
        D::ClaimRejection,
        D::ClaimPayout,
        D::FundStatement,
    ];
    assert_eq!(docs.len() + decided.len(), D::ALL.len());
    for (kind, reference) in docs {
        every_line_reads_once(k.dir(), kind, reference);
    }
}

#[test]
fn the_day_close_report_is_named_by_its_date_and_kiosk() {
    let k = Kiosk::ready();
    let id = k.fund_member();
    k.pay(&id);
    let paper = k.dir().join("paper.bin");
    let printer = format!("file://{}", paper.display());
    let r = k.run_env(
        &[("DASTAK_PIN", VOL_PIN), ("DASTAK_PRINTER", &printer)],
        &[
            "day-close",
            "--operator",
            "VOL1",
            "--notes",
            "100=1",
            "--coins",
            "0",
        ],
    );
    r.ok();
    assert!(
        r.stdout
            .contains("Printed the day-close report of 23-11-2026 (RMP01)"),
        "{}",
        r.stdout
    );
}

#[test]
fn one_spelling_for_every_command_with_the_old_one_kept() {
    let k = Kiosk::ready();
    let id = k.fund_member();
    let receipt = k.pay(&id);
    k.run(None, &["member", "show", "--member", &id]).ok();
    k.run(None, &["member", "show", &id]).ok();
    k.run(None, &["member", "show"]).failed();
    k.run(
        Some(SUP_PIN),
        &[
            "reverse",
            "--receipt",
            &receipt,
            "--operator",
            "SUP1",
            "--reason",
            "wrong member",
        ],
    )
    .ok();
}

#[test]
fn the_readmes_sample_ration_card_list_imports_cleanly() {
    let k = Kiosk::initialised();
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/pds.csv");
    let v = import_json(&k, &sample, "ADMIN", ADMIN_PIN);
    assert_eq!(v["bad"].as_array().expect("bad").len(), 0, "{v}");
    assert!(v["added"].as_i64().expect("added") >= 20, "{v}");
    let readme = include_str!("../README.md");
    assert!(readme.contains("households import samples/pds.csv"));
}

/// The panic hook for the terminal-restore test is behind a cargo feature
/// that only the tests turn on (through the dev-dependency on this
/// package): the default and release builds leave it out.
#[test]
fn a_production_build_carries_no_panic_hook() {
    let manifest = include_str!("../Cargo.toml");
    let features = manifest
        .split("[features]")
        .nth(1)
        .and_then(|s| s.split("\n[").next())
        .expect("a [features] table");
    assert!(!features.contains("default"), "{features}");
    assert!(features.contains("fault-injection = []"), "{features}");
    let tui = include_str!("../src/tui.rs");
    let at = tui.find("DASTAK_INJECT_PANIC\")").expect("the hook");
    assert!(
        tui[at.saturating_sub(200)..at].contains("cfg!(feature = \"fault-injection\")"),
        "the hook is not behind the feature"
    );
}

/// Members change: each change an event, shown on the statement; a FUND
/// member brings her Aadhaar later and can then join an SHG.
#[test]
fn members_change_by_events_and_a_fund_member_can_join_an_shg_once_her_aadhaar_is_added() {
    let k = Kiosk::ready();
    let r = k.member_add(
        &[],
        &strs(&fund("Kamla Saini", "Gopal Saini", Some("RJ0002"))),
    );
    r.ok();
    let id = "RMP01-00001";
    let join = [
        "member",
        "enrol",
        "--member",
        id,
        "--operator",
        "VOL1",
        "--scheme",
        "SHG",
        "--group",
        "SHG1",
    ];
    let before = k.run(Some(VOL_PIN), &join);
    before.failed();
    assert!(
        before.stderr.to_lowercase().contains("aadhaar"),
        "{}",
        before.stderr
    );
    k.run_env(
        &[("DASTAK_PIN", VOL_PIN), ("DASTAK_AADHAAR", AADHAAR)],
        &[
            "member",
            "correct",
            "--member",
            id,
            "--operator",
            "VOL1",
            "--aadhaar",
            "--phone",
            "9876543210",
            "--reason",
            "brought her card",
        ],
    )
    .ok();
    k.run(Some(VOL_PIN), &join).ok();
    // Aadhaar stays reduced: no full number anywhere in the database.
    let db = std::fs::read(k.dir().join("dastak.db")).expect("db");
    assert!(!String::from_utf8_lossy(&db).contains(AADHAAR));
    // A new nominee prints a slip; leaving needs a supervisor and stops dues.
    let paper = k.dir().join("paper.bin");
    let printer = format!("file://{}", paper.display());
    k.run_env(
        &[("DASTAK_PIN", VOL_PIN), ("DASTAK_PRINTER", &printer)],
        &[
            "member",
            "nominee",
            "--member",
            id,
            "--operator",
            "VOL1",
            "--scheme",
            "FUND",
            "--nominee-name",
            "Raju",
            "--nominee-relation",
            "Son",
            "--reason",
            "husband asked",
        ],
    )
    .ok();
    let leave = [
        "member",
        "leave",
        "--member",
        id,
        "--scheme",
        "FUND",
        "--reason",
        "moved to the city",
    ];
    let mut vol = leave.to_vec();
    vol.extend(["--operator", "VOL1"]);
    k.run(Some(VOL_PIN), &vol).failed();
    let mut sup = leave.to_vec();
    sup.extend(["--operator", "SUP1"]);
    k.run(Some(SUP_PIN), &sup).ok();
    let pay = k.vol("pay", &["--member", id, "--scheme", "FUND"]);
    pay.failed_saying("left FUND");
    for kind in ["member_corrected", "nominee_changed", "scheme_left"] {
        assert_eq!(
            k.count(&format!(
                "SELECT COUNT(*) FROM events WHERE kind = '{kind}'"
            )),
            1,
            "{kind}"
        );
    }
    let show = k.run(None, &["member", "show", "--member", id]);
    show.ok();
    for said in [
        "9876543210",
        "XXXX-XXXX-0124",
        "Raju (Son)",
        "husband asked",
        "moved to the city",
    ] {
        assert!(show.stdout.contains(said), "{said}: {}", show.stdout);
    }
    // The registration event is as it was: nothing is overwritten.
    let reg: String = k
        .db()
        .query_row(
            "SELECT CAST(canonical AS TEXT) FROM events WHERE kind = 'member_registered'",
            [],
            |r| r.get(0),
        )
        .expect("reg");
    assert!(reg.contains("\"phone\":null"), "{reg}");
    k.run(None, &["verify"]).ok();
}

/// Regression: `dastak member show ID | head -1` panicked when head went
/// away ("failed printing to stdout"). A reader that is gone ends the
/// output quietly, with success, and the books are as they were.
#[test]
fn a_reader_that_went_away_ends_the_output_without_a_panic() {
    let k = Kiosk::demo(20);
    let before = books(&k);
    for args in [
        &["member", "show", "DEMO01-00001"][..],
        &["member", "find", "a", "--json"],
        &["status"],
        &["identity"],
    ] {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let r = run_output(k.command(args).stdout(writer).output().expect("run"));
        assert!(!r.stderr.contains("panicked"), "{args:?}: {}", r.stderr);
        assert_eq!(r.status, 0, "{args:?}: {}", r.stderr);
    }
    // Output that could not be written for another reason (a full disk,
    // here /dev/full) is not success: status 1, and why.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let r = run_output(
        k.command(&["member", "show", "DEMO01-00001"])
            .stdout(full)
            .output()
            .expect("run"),
    );
    assert_eq!(r.status, 1, "{}", r.stderr);
    assert!(r.stderr.contains("could not use stdout"), "{}", r.stderr);
    assert_eq!(books(&k), before);
}
