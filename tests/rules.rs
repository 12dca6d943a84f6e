//! The kiosk's rules as a villager and an e-volunteer meet them, through the
//! real binary: eligibility, duplicates, PIN throttling, the lying clock,
//! ration-card import and coverage, and no Aadhaar number at rest.

mod support;

use support::*;

fn shg_woman(k: &Kiosk, name: &str, rc: &str, aadhaar: &str) -> Run {
    k.shg_woman(name, rc, "SHG1", aadhaar)
}

#[test]
fn duplicate_aadhaar_is_refused_naming_the_member_and_the_number_is_never_stored() {
    let k = Kiosk::ready();
    shg_woman(&k, "Kamla Saini", "RJ0002", AADHAAR).ok();
    let dup = shg_woman(&k, "Kamala S", "RJ0003", "2345-6789-0124");
    dup.failed();
    assert!(
        dup.stderr
            .contains("already registered: Kamla Saini (RMP01-00001)"),
        "{}",
        dup.stderr
    );
    assert!(!dup.stderr.contains(AADHAAR));
    // Nothing under the data directory holds the full number, in either
    // script or spaced as on the card.
    let spaced = "2345 6789 0124";
    for entry in std::fs::read_dir(k.dir()).expect("dir") {
        let path = entry.expect("entry").path();
        let bytes = std::fs::read(&path).expect("read");
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(AADHAAR) && !text.contains(spaced),
            "{} holds the Aadhaar number",
            path.display()
        );
    }
    let last4: String = k
        .db()
        .query_row("SELECT aadhaar_last4 FROM members", [], |r| r.get(0))
        .expect("row");
    assert_eq!(last4, "0124");
}

#[test]
fn one_woman_per_household_per_group_and_shg_eligibility() {
    let k = Kiosk::ready();
    shg_woman(&k, "Kamla Saini", "RJ0002", AADHAAR).ok();
    let second = shg_woman(&k, "Asha Saini", "RJ0002", "234567890153");
    second.failed();
    assert!(
        second
            .stderr
            .contains("Kamla Saini (RMP01-00001) of this household is already a member"),
        "{}",
        second.stderr
    );
    let man = k.member_add(
        &[("DASTAK_AADHAAR", "234567890153")],
        &[
            "--name",
            "Gopal Saini",
            "--relative-name",
            "Ram",
            "--gender",
            "M",
            "--age",
            "38",
            "--ration-card",
            "RJ0003",
            "--scheme",
            "SHG",
            "--group",
            "SHG1",
        ],
    );
    man.failed_saying("for women only");
    let old = k.member_add(
        &[("DASTAK_AADHAAR", "234567890153")],
        &[
            "--name",
            "Dadi",
            "--relative-name",
            "Ram",
            "--gender",
            "F",
            "--age",
            "65",
            "--ration-card",
            "RJ0003",
            "--scheme",
            "SHG",
            "--group",
            "SHG1",
        ],
    );
    old.failed_saying("up to age 60; this person is 65");
    let no_nominee = k.member_add(
        &[],
        &[
            "--name",
            "Ram",
            "--relative-name",
            "Shyam",
            "--gender",
            "M",
            "--age",
            "40",
            "--village",
            "रामपुर",
            "--scheme",
            "FUND",
        ],
    );
    no_nominee.failed_saying("needs a nominee");
    assert_eq!(k.count("SELECT COUNT(*) FROM members"), 1);
}

#[test]
fn same_person_twice_is_refused_naming_the_first() {
    let k = Kiosk::ready();
    let id = k.fund_member();
    let again = k.member_add(
        &[],
        &[
            "--name",
            "रामलाल  मीणा",
            "--relative-name",
            "भोलाराम",
            "--gender",
            "M",
            "--age",
            "52",
            "--ration-card",
            "rj0001",
            "--scheme",
            "FUND",
            "--nominee-name",
            "सुनीता देवी",
            "--nominee-relation",
            "पत्नी",
        ],
    );
    again.failed_saying(&format!("रामलाल मीणा ({id})"));
}

#[test]
fn wrong_pins_slow_down_the_next_attempt_and_are_logged() {
    let k = Kiosk::ready();
    let id = k.fund_member();
    let pay = |pin: &str, now: &str| {
        k.run_env(
            &[("DASTAK_PIN", pin), ("DASTAK_NOW", now)],
            &[
                "pay",
                "--operator",
                "VOL1",
                "--member",
                &id,
                "--scheme",
                "FUND",
            ],
        )
    };
    for _ in 0..3 {
        let r = pay("0000", NOW);
        r.failed_saying("wrong PIN");
    }
    let blocked = pay(VOL_PIN, "2026-11-23T10:00:03+05:30");
    blocked.failed_saying("wait 2 seconds");
    pay(VOL_PIN, "2026-11-23T10:00:06+05:30").ok();
    assert_eq!(
        k.count("SELECT COUNT(*) FROM auth_log WHERE operator = 'VOL1' AND ok = 0"),
        3
    );
    assert_eq!(
        k.count("SELECT failures FROM operator_pins WHERE code = 'VOL1'"),
        0
    );
    // The PIN hash lives only in the local table, never in the ledger.
    assert_eq!(
        k.count("SELECT COUNT(*) FROM events WHERE CAST(canonical AS TEXT) LIKE '%argon2%'"),
        0
    );
}

#[test]
fn a_clock_behind_the_last_record_or_far_ahead_stops_cash_until_fixed_or_confirmed() {
    let k = Kiosk::ready();
    let id = k.fund_member();
    let pay = |now: &str| {
        k.run_env(
            &[("DASTAK_PIN", VOL_PIN), ("DASTAK_NOW", now)],
            &[
                "pay",
                "--operator",
                "VOL1",
                "--member",
                &id,
                "--scheme",
                "FUND",
            ],
        )
    };
    let behind = pay("2026-11-22T10:00:00+05:30");
    behind.failed_saying("earlier than the last record");
    let far = "2027-01-15T10:00:00+05:30";
    let ahead = pay(far);
    ahead.failed_saying("confirm the date");
    let wrong = k.run_env(
        &[("DASTAK_PIN", VOL_PIN), ("DASTAK_NOW", far)],
        &["confirm-date", "16-01-2027", "--operator", "VOL1"],
    );
    wrong.failed_saying("the clock says 15-01-2027");
    k.run_env(
        &[("DASTAK_PIN", VOL_PIN), ("DASTAK_NOW", far)],
        &["confirm-date", "१५-०१-२०२७", "--operator", "VOL1"],
    )
    .ok();
    pay(far).ok();
    assert_eq!(k.count("SELECT COUNT(*) FROM contributions"), 1);
    k.run(None, &["verify"]).ok();
}

#[test]
fn reimporting_the_ration_card_list_changes_nothing_and_bad_rows_name_their_line() {
    let k = Kiosk::ready();
    let csv = k.dir().join("pds.csv");
    let before = k.snapshot();
    let again = k.run(
        Some(VOL_PIN),
        &[
            "households",
            "import",
            csv.to_str().expect("p"),
            "--operator",
            "VOL1",
            "--json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&again.ok().stdout).expect("json");
    assert_eq!(v["added"], 0);
    assert_eq!(v["already_present"], 5);
    let changed: Vec<String> = before
        .split("## ")
        .zip(k.snapshot().split("## "))
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a.lines().next().unwrap_or("").to_string())
        .collect();
    assert!(
        changed.iter().all(|t| t == "auth_log"),
        "re-import changed {changed:?}"
    );

    let mixed = k.dir().join("mixed.csv");
    std::fs::write(
        &mixed,
        "ration_card,village,member_name,gender,age,relation\n\
         RJ0100,सीतापुर,मीना देवी,F,33,मुखिया\n\
         RJ0101,सीतापुर,Bad Gender,Q,33,head\n\
         RJ0102,सीतापुर,Too Old,M,130,head\n\
         RJ0103,सीतापुर,Short,M,30\n\
         RJ0001,सीतापुर,Wrong Village,M,30,son\n\
         RJ0104,सीतापुर,रमेश जाट,M,40,मुखिया\n",
    )
    .expect("write");
    let r = k.run(
        Some(VOL_PIN),
        &[
            "households",
            "import",
            mixed.to_str().expect("p"),
            "--operator",
            "VOL1",
        ],
    );
    r.ok();
    for needle in [
        "line 3: Gender",
        "line 4: Age",
        "line 5: expected 6 columns",
        "line 6: ration card RJ0001 is already listed in village रामपुर",
    ] {
        assert!(
            r.stderr.contains(needle),
            "missing {needle:?} in {}",
            r.stderr
        );
    }
    assert!(r.stdout.contains("2 added"), "{}", r.stdout);
    assert_eq!(k.count("SELECT COUNT(*) FROM households"), 5);
}

#[test]
fn coverage_counts_households_with_an_enrolled_member() {
    let k = Kiosk::ready();
    k.fund_member();
    let r = k.run(None, &["coverage", "--list"]);
    r.ok();
    assert!(
        r.stdout.contains("रामपुर: 1 of 2 households reached"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("सीतापुर: 0 of 1 households reached"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("RJ0002  Gopal Saini"), "{}", r.stdout);
    assert!(
        r.stdout.contains("In all: 1 of 3 households reached"),
        "{}",
        r.stdout
    );
    let json = k.run(None, &["coverage", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json.ok().stdout).expect("json");
    assert_eq!(v[0]["households"], 2);
}

#[test]
fn messages_follow_the_operators_language_hindi_by_default() {
    let k = Kiosk::ready();
    let mut c = k.command(&[
        "pay",
        "--operator",
        "VOL1",
        "--member",
        "RMP01-09999",
        "--scheme",
        "FUND",
    ]);
    c.env_remove("DASTAK_LANG").env("DASTAK_PIN", VOL_PIN);
    let r = run_output(c.output().expect("spawn"));
    r.failed();
    assert_eq!(r.stderr.trim(), "त्रुटि: RMP01-09999 नाम का कोई सदस्य नहीं है।");
    let mut c = k.command(&["member", "find", "nobody"]);
    c.env_remove("DASTAK_LANG");
    let r = run_output(c.output().expect("spawn"));
    assert_eq!(r.stdout.trim(), "कोई सदस्य नहीं मिला।");
}

#[test]
fn a_receipt_is_reversed_once_and_a_reversal_slip_cannot_be_reversed() {
    let k = Kiosk::ready();
    let id = k.fund_member();
    k.vol("pay", &["--member", &id, "--scheme", "FUND"]).ok();
    k.reverse_by(("SUP1", SUP_PIN), "RMP01/2026-27/1", "wrong member", &[])
        .ok();
    let twice = k.reverse_by(
        ("SUP1", SUP_PIN),
        "RMP01/2026-27/000001",
        "again please",
        &[],
    );
    twice.failed();
    assert!(
        twice
            .stderr
            .contains("already reversed by RMP01/2026-27/000002"),
        "{}",
        twice.stderr
    );
    let slip = k.reverse_by(
        ("SUP1", SUP_PIN),
        "RMP01/2026-27/000002",
        "undo the undo",
        &[],
    );
    slip.failed_saying("reversal slip");
    let own = k.run_env(
        &[("DASTAK_PIN", ADMIN_PIN)],
        &[
            "pay",
            "--operator",
            "ADMIN",
            "--member",
            &id,
            "--scheme",
            "FUND",
            "--json",
        ],
    );
    let receipt =
        serde_json::from_str::<serde_json::Value>(&own.ok().stdout).expect("json")["receipt"]
            .as_str()
            .expect("r")
            .to_string();
    let r = k.reverse_by(("ADMIN", ADMIN_PIN), &receipt, "my own mistake", &[]);
    r.failed_saying("another supervisor must reverse it");
}

#[test]
fn the_database_runs_in_wal_mode_with_full_sync() {
    let k = Kiosk::ready();
    let mode: String = k
        .db()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("mode");
    assert_eq!(mode, "wal");
    // synchronous is per connection; the store sets FULL on every open.
    let store = dastak::store::Store::open(&k.dir().join("dastak.db")).expect("open");
    let sync: i64 = store
        .conn()
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .expect("sync");
    assert_eq!(sync, 2, "synchronous=FULL");
}
