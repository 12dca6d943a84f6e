//! Death claims on the fund (issue 14), filed through the real binary: a
//! supervisor files, another operator attests, the account is sealed to
//! the lab's key, and every refusal changes nothing.

mod support;

use support::*;

const ACCOUNT: &str = "1234 5678 9012";
const ATTESTER: (&str, &str) = ("ADMIN", ADMIN_PIN);

/// A kiosk linked to a new lab, with रामलाल in the fund (enrolled by VOL1,
/// his wife सुनीता देवी his nominee).
fn kiosk() -> (Kiosk, Kiosk, String) {
    let k = Kiosk::ready();
    let l = lab();
    link(&k, &l, None);
    let id = k.fund_member();
    (k, l, id)
}

/// `fund claim file` by `by` (code, PIN), attested by `attester`, with the
/// account `account` (None: not given), the other fields as `args` change
/// them from a good claim for सुनीता देवी; run to its end.
fn file(
    k: &Kiosk,
    by: (&str, &str),
    attester: (&str, &str),
    account: Option<&str>,
    args: &[(&str, &str)],
) -> Run {
    run_output(
        file_command(k, by, attester, account, args)
            .output()
            .expect("spawn dastak"),
    )
}

/// The command [`file`] runs, not started.
fn file_command(
    k: &Kiosk,
    by: (&str, &str),
    attester: (&str, &str),
    account: Option<&str>,
    args: &[(&str, &str)],
) -> std::process::Command {
    let mut fields: Vec<(&str, &str)> = vec![
        ("--member", "RMP01-00001"),
        ("--died-on", "23-11-2026"),
        ("--cause", "illness"),
        ("--certificate", "D-2026-000123"),
        ("--authority", "ग्राम पंचायत रामपुर"),
        ("--claimant", "सुनीता देवी"),
        ("--relation", "पत्नी"),
        ("--phone", "9829012345"),
        ("--ifsc", "sbin0001234"),
    ];
    for (flag, value) in args {
        match fields.iter_mut().find(|(f, _)| f == flag) {
            Some(f) => f.1 = value,
            None => fields.push((flag, value)),
        }
    }
    let mut a = vec![
        "fund",
        "claim",
        "file",
        "--operator",
        by.0,
        "--attested-by",
        attester.0,
        "--json",
    ];
    for (f, v) in &fields {
        a.extend([*f, *v]);
    }
    let mut c = k.command(&a);
    c.env("DASTAK_PIN", by.1)
        .env("DASTAK_ATTESTER_PIN", attester.1);
    if let Some(n) = account {
        c.env("DASTAK_ACCOUNT", n);
    }
    c
}

/// The ledger and the claims, as text: equal before and after means a
/// refused command wrote nothing.
fn books(k: &Kiosk) -> String {
    books_of(k, &["SELECT group_concat(claim, ',') FROM claims"])
}

#[test]
fn a_claim_is_filed_attested_and_sealed_and_the_kiosk_keeps_only_four_digits() {
    let (k, l, id) = kiosk();
    let r = file(&k, ("SUP1", SUP_PIN), ATTESTER, Some(ACCOUNT), &[]);
    r.ok();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(v["claim"], "RMP01-C0001");
    assert_eq!(v["member_id"], id.as_str());
    assert_eq!(v["account"], "SBIN0001234 ····9012");
    assert_eq!(v["nominee"], true);
    // Enrolled today and died today: inside the 180 days' wait. Filed all
    // the same, with its reason.
    assert_eq!(v["bars"][0]["bar"], "waiting", "{v}");
    assert_eq!(v["bars"][0]["until"], "2027-05-22");

    // The member card shows it, in words, with its reason.
    let card = k.run(None, &["member", "show", "--member", &id]);
    card.ok();
    assert!(
        card.stdout
            .contains("Claim RMP01-C0001 (filed, waiting for the lab)"),
        "{}",
        card.stdout
    );
    assert!(
        card.stdout
            .contains("waiting period, which ended on 22-05-2027"),
        "{}",
        card.stdout
    );
    let hindi = k.run_env(
        &[("DASTAK_LANG", "hi")],
        &["member", "show", "--member", &id],
    );
    hindi.ok();
    assert!(
        hindi
            .stdout
            .contains("दावा RMP01-C0001 (दर्ज, लैब के निर्णय की प्रतीक्षा)"),
        "{}",
        hindi.stdout
    );

    // The database is what its ledger says.
    k.run(None, &["verify"]).ok();

    // No whole account number anywhere in the kiosk's files.
    let digits = ACCOUNT.replace(' ', "");
    let mut scanned = Vec::new();
    for entry in std::fs::read_dir(k.dir()).expect("ls").flatten() {
        if entry.path().is_file() {
            scanned.push(entry.file_name());
            let bytes = std::fs::read(entry.path()).expect("read");
            assert!(
                !bytes.windows(digits.len()).any(|w| w == digits.as_bytes()),
                "the account number is in {}",
                entry.path().display()
            );
        }
    }
    assert!(
        scanned.iter().any(|f| f == "dastak.db"),
        "the books were among the files read: {scanned:?}"
    );

    // The lab opens the sealed number.
    let (ifsc, last4, sealed): (String, String, String) = k
        .db()
        .query_row(
            "SELECT ifsc, account_last4, account_sealed FROM claims",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("claim");
    let account = dastak::domain::claim::SealedAccount {
        ifsc: dastak::domain::claim::Ifsc::parse(&ifsc).expect("ifsc"),
        last4,
        sealed,
    };
    let opened = dastak_lab::Lab::open(l.dir()).expect("lab");
    assert_eq!(opened.open_account(&account).expect("opens"), digits);
    // Another lab's key does not.
    let other = lab();
    assert!(
        dastak_lab::Lab::open(other.dir())
            .expect("lab")
            .open_account(&account)
            .is_err()
    );

    // A second claim for her is not filed beside the first.
    let before = books(&k);
    file(&k, ("SUP1", SUP_PIN), ATTESTER, Some(ACCOUNT), &[])
        .failed_saying("already has claim RMP01-C0001");
    assert_eq!(books(&k), before);
}

#[test]
fn refused_claims_say_why_and_change_nothing() {
    let (k, _l, _) = kiosk();
    let sup = ("SUP1", SUP_PIN);
    let before = books(&k);
    let cases: Vec<(Run, &str)> = vec![
        (
            file(&k, ("VOL1", VOL_PIN), ATTESTER, Some(ACCOUNT), &[]),
            "supervisor",
        ),
        (
            file(&k, sup, sup, Some(ACCOUNT), &[]),
            "attested by another operator",
        ),
        (
            file(&k, sup, ("VOL1", VOL_PIN), Some(ACCOUNT), &[]),
            "VOL1 enrolled this member",
        ),
        (
            file(
                &k,
                sup,
                ATTESTER,
                Some(ACCOUNT),
                &[("--died-on", "24-11-2026")],
            ),
            "Date of death",
        ),
        (
            file(
                &k,
                sup,
                ATTESTER,
                Some(ACCOUNT),
                &[("--died-on", "22-11-2026")],
            ),
            "Date of death",
        ),
        (
            file(
                &k,
                sup,
                ATTESTER,
                Some(ACCOUNT),
                &[("--died-on", "31-02-2026")],
            ),
            "Date of death",
        ),
        (
            file(&k, sup, ATTESTER, Some(ACCOUNT), &[("--cause", "unknown")]),
            "natural, accident or illness",
        ),
        (
            file(
                &k,
                sup,
                ATTESTER,
                Some(ACCOUNT),
                &[("--ifsc", "SBIN1001234")],
            ),
            "IFSC",
        ),
        (
            file(&k, sup, ATTESTER, Some("12345"), &[]),
            "9 to 18 digits",
        ),
        (
            file(&k, sup, ATTESTER, Some("1234567890123456789"), &[]),
            "9 to 18 digits",
        ),
        (file(&k, sup, ATTESTER, None, &[]), "DASTAK_ACCOUNT"),
        (
            file(&k, sup, ATTESTER, Some(ACCOUNT), &[("--phone", "12345")]),
            "Mobile number",
        ),
        (
            file(&k, sup, ATTESTER, Some(ACCOUNT), &[("--authority", " ")]),
            "Issued by",
        ),
        (
            file(
                &k,
                sup,
                ATTESTER,
                Some(ACCOUNT),
                &[("--claimant", "<script>")],
            ),
            "Claimant's name",
        ),
        (
            file(
                &k,
                sup,
                ATTESTER,
                Some(ACCOUNT),
                &[("--relation", "x\u{7}y")],
            ),
            "Relation",
        ),
        (
            file(
                &k,
                sup,
                ATTESTER,
                Some(ACCOUNT),
                &[("--certificate", "D-1\u{7}")],
            ),
            "Death certificate number",
        ),
        (
            file(
                &k,
                sup,
                ATTESTER,
                Some(ACCOUNT),
                &[("--claimant", "मोहन"), ("--relation", "पुत्र")],
            ),
            "Reason",
        ),
    ];
    for (r, says) in &cases {
        r.failed_saying(says);
    }
    assert_eq!(books(&k), before, "a refused claim wrote nothing");

    // Someone other than the nominee claims with a reason: filed, and the
    // claim says she is not the nominee.
    let r = file(
        &k,
        sup,
        ATTESTER,
        Some(ACCOUNT),
        &[
            ("--claimant", "मोहन"),
            ("--relation", "पुत्र"),
            ("--reason", "माँ का भी देहांत हो गया"),
        ],
    );
    r.ok();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(v["nominee"], false);
}

/// The nominee's name typed in the other script is still the nominee's.
#[test]
fn the_nominee_typed_in_latin_letters_is_the_nominee() {
    let (k, _l, _) = kiosk();
    let r = file(
        &k,
        ("SUP1", SUP_PIN),
        ATTESTER,
        Some(ACCOUNT),
        &[("--claimant", "Sunita Devi")],
    );
    r.ok();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(v["nominee"], true, "{v}");
}

#[test]
fn a_kiosk_not_linked_to_its_lab_cannot_seal_an_account_and_files_nothing() {
    let k = Kiosk::ready();
    k.fund_member();
    let before = books(&k);
    file(&k, ("SUP1", SUP_PIN), ATTESTER, Some(ACCOUNT), &[]).failed_saying("link");
    assert_eq!(books(&k), before);
}

/// Power cut while filing: `fund claim file` killed at random moments,
/// each time for another member. Every claim a child reported is in the
/// books, the numbers run without a gap, no member has two, and `verify`
/// passes.
#[test]
fn kill_nine_while_filing_loses_no_reported_claim_and_files_none_twice() {
    let (k, _l, _) = kiosk();
    let mut members = Vec::new();
    for name in [
        "Kamla", "Shanti", "Geeta", "Radha", "Meena", "Lata", "Pushpa", "Kiran",
    ] {
        for relative in ["Mohan Lal", "Sohan Lal", "Ramesh Kumar"] {
            let mut a = fund(name, relative, None);
            a.push("--json".into());
            let r = k.member_add(&[], &strs(&a));
            r.ok();
            let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
            members.push(v["member_id"].as_str().expect("id").to_string());
        }
    }
    // Each claimed by her nominee, Mohan.
    let run = |id: &str| {
        let mut c = file_command(
            &k,
            ("SUP1", SUP_PIN),
            ATTESTER,
            Some(ACCOUNT),
            &[
                ("--member", id),
                ("--cause", "natural"),
                ("--claimant", "Mohan"),
                ("--relation", "पति"),
            ],
        );
        c.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        c
    };
    // How long one filing takes, so kills land across the whole of it.
    let t = std::time::Instant::now();
    let out = run(&members[0]).output().expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let full = t.elapsed();
    let mut reported = vec!["RMP01-C0001".to_string()];
    let mut rng = Lcg::from_clock();
    eprintln!("kill9 claims seed {}, one filing {full:?}", rng.0);
    let span = (full.as_micros() as u64 * 6 / 5).max(1);
    let mut killed = 0;
    for id in &members[1..] {
        let mut child = run(id).spawn().expect("spawn");
        std::thread::sleep(std::time::Duration::from_micros(rng.next() % span));
        if child.try_wait().expect("try_wait").is_none() {
            child.kill().expect("SIGKILL");
            killed += 1;
        }
        let out = child.wait_with_output().expect("wait");
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&out.stdout)
            && let Some(c) = v["claim"].as_str()
        {
            reported.push(c.to_string());
        }
    }
    eprintln!(
        "killed {killed} of {}, reported {}",
        members.len() - 1,
        reported.len()
    );
    assert!(killed > 5, "too few rounds were interrupted ({killed})");
    let db = k.db();
    let held: Vec<String> = db
        .prepare("SELECT claim FROM claims ORDER BY claim")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    for r in &reported {
        assert!(held.contains(r), "reported claim {r} is not in the books");
    }
    for (i, c) in held.iter().enumerate() {
        assert_eq!(c, &format!("RMP01-C{:04}", i + 1), "a gap before {c}");
    }
    let twice: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM (SELECT member_id FROM claims GROUP BY member_id HAVING COUNT(*) > 1)",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(twice, 0, "a member with two claims");
    k.run(None, &["verify"]).ok();
}

/// The claim slip, rendered as the printer prints it: tesseract reads its
/// Hindi, its QR code scans and `receipt check` calls it genuine with the
/// kiosk's key, and a changed amount on it is caught.
#[test]
fn the_claim_slip_reads_in_hindi_and_its_qr_code_verifies() {
    let (k, _l, _) = kiosk();
    file(&k, ("SUP1", SUP_PIN), ATTESTER, Some(ACCOUNT), &[]).ok();
    let png = k.dir().join("claim.png");
    k.run(
        None,
        &[
            "receipt",
            "render",
            "RMP01-C0001",
            "--png",
            png.to_str().expect("utf8"),
            "--doc-lang",
            "hi",
        ],
    )
    .ok();
    let out = std::process::Command::new("tesseract")
        .arg(&png)
        .args(["-", "-l", "hin+eng"])
        .output()
        .expect("tesseract (Debian: tesseract-ocr tesseract-ocr-hin) must be installed");
    let text = String::from_utf8_lossy(&out.stdout);
    // Hindi is what a villager reads; the numbers are checked through the
    // QR code below (tesseract's Hindi model misreads Latin digits).
    for word in ["दावा", "दावेदार", "सहायता"] {
        assert!(text.contains(word), "{word} not read in:\n{text}");
    }

    let paper =
        dastak::print::raster::Bitmap::from_png(&std::fs::read(&png).expect("png")).expect("png");
    let codes = qr_codes(&paper);
    assert_eq!(codes.len(), 1, "one QR code on the slip");
    let payload = codes[0].clone();
    assert!(
        payload.starts_with("DASTAK1 D RMP01 RMP01-C0001 RMP01-00001 10000000 "),
        "{payload}"
    );
    let genuine = k.run(None, &["receipt", "check", &payload]);
    genuine.ok();
    assert!(
        genuine
            .stdout
            .contains("GENUINE death claim slip RMP01-C0001"),
        "{}",
        genuine.stdout
    );
    let forged = payload.replace(" 10000000 ", " 90000000 ");
    let r = k.run(None, &["receipt", "check", &forged]);
    r.failed();
    assert!(r.stderr.contains("NOT GENUINE"), "{}", r.stderr);
}

const LAB_PASSWORD: (&str, &str) = ("DASTAK_LAB_PASSWORD", "a long password");

/// A kiosk's claim filed and carried by stick to its lab, where the
/// officers vera and asha (an approver) work: the kiosk, the lab, the
/// member and the stick.
fn claimed_at_the_lab() -> (Kiosk, Kiosk, String, tempfile::TempDir) {
    let (k, l, id) = kiosk();
    register(&l, &k);
    file(&k, ("SUP1", SUP_PIN), ATTESTER, Some(ACCOUNT), &[]).ok();
    let stick = tempfile::tempdir().expect("stick");
    let s = stick.path().to_str().expect("utf8");
    k.run(None, &["export", "--to", s]).ok();
    l.run(None, &["lab", "import", s]).ok();
    for (name, role) in [("vera", "officer"), ("asha", "approver")] {
        l.run_env(
            &[LAB_PASSWORD],
            &["lab", "officer", "add", name, "--role", role],
        )
        .ok();
    }
    (k, l, id, stick)
}

/// The lab's side through the real binaries: the claim goes by stick, the
/// lab lists and shows it (the account's last four digits only, the
/// kiosk's reasons), officers take its steps by their passwords, the
/// objection window holds the approval back, an empty fund keeps it
/// waiting, and the signed log checks.
#[test]
fn a_claim_goes_by_stick_to_the_lab_and_through_its_steps() {
    let (_k, l, _id, _stick) = claimed_at_the_lab();
    let pw = LAB_PASSWORD;
    let list = l.run(None, &["lab", "claims", "list"]);
    list.ok();
    assert!(
        list.stdout
            .contains("RMP01-C0001  रामलाल मीणा (RMP01-00001)")
            && list.stdout.contains("filed  ₹1,00,000.00"),
        "{}",
        list.stdout
    );
    let json = l.run(None, &["lab", "claims", "list", "--json"]);
    json.ok();
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(v[0]["claim"], "RMP01-C0001");
    assert_eq!(v[0]["state"], "filed");
    assert_eq!(v[0]["barred"], true);
    let show = l.run(None, &["lab", "claims", "show", "rmp01-c0001"]);
    show.ok();
    for line in [
        "Claim RMP01-C0001: filed",
        "Claimant: सुनीता देवी (पत्नी), phone 9829012345, the recorded nominee",
        "Bank account: IFSC SBIN0001234, number ending 9012",
        "The kiosk found it not payable: the death fell in the waiting period",
        "⚑ Look into: Died inside the waiting period, which ended on 22-05-2027.",
        "attested by ADMIN",
    ] {
        assert!(show.stdout.contains(line), "{line}\n{}", show.stdout);
    }
    assert!(!show.stdout.contains("123456789012"), "{}", show.stdout);

    let step = |now: &str, who: &str, args: &[&str]| {
        let mut a = vec!["lab", "claims"];
        a.extend(args);
        a.extend(["--as", who]);
        l.run_env(&[pw, ("DASTAK_NOW", now)], &a)
    };
    let day1 = "2026-11-24T11:00:00+05:30";
    step(day1, "vera", &["verify", "RMP01-C0001"])
        .ok()
        .stdout
        .contains("documents verified (claim log entry 1)")
        .then_some(())
        .expect("said what it recorded");
    step(day1, "vera", &["publish", "RMP01-C0001"]).ok();
    step(day1, "asha", &["approve", "RMP01-C0001"])
        .failed_saying("Objections are heard until 01-12-2026");
    step(day1, "vera", &["approve", "RMP01-C0001"]).failed_saying("role approver or above");
    l.run_env(
        &[("DASTAK_LAB_PASSWORD", "not her password")],
        &["lab", "claims", "verify", "RMP01-C0001", "--as", "vera"],
    )
    .failed();
    let later = "2026-12-02T11:00:00+05:30";
    step(later, "asha", &["approve", "RMP01-C0001"]).ok();
    // The whole number, only now and only for an officer's password.
    let account = step(later, "vera", &["account", "RMP01-C0001"]);
    account.ok();
    assert!(
        account
            .stdout
            .contains("IFSC SBIN0001234, account 123456789012"),
        "{}",
        account.stdout
    );
    // Garbage in the pay step's fields, typed at the real binary: each
    // refused with its reason, nothing logged (the log keeps its three
    // entries, checked at the end).
    let pay = |lang: &str, amount: &str, bank_ref: &str, on: Option<&str>| {
        let mut a = vec![
            "lab",
            "claims",
            "pay",
            "RMP01-C0001",
            "--as",
            "vera",
            "--amount",
            amount,
            "--bank-ref",
            bank_ref,
        ];
        if let Some(on) = on {
            a.extend(["--on", on]);
        }
        l.run_env(&[pw, ("DASTAK_NOW", later), ("DASTAK_LANG", lang)], &a)
    };
    let utr = "UTR000111222";
    for (amount, bank_ref, on, says) in [
        ("abc", utr, None, "The amount is in rupees, e.g. 50000"),
        ("-100000", utr, None, "The amount is in rupees"),
        ("1e5", utr, None, "The amount is in rupees"),
        (
            "99999999999999999999999999",
            utr,
            None,
            "The amount is in rupees",
        ),
        ("", utr, None, "The amount is in rupees"),
        ("50000", utr, None, "The amount approved is ₹1,00,000.00"),
        (
            "100000",
            "UTR'; DROP TABLE claim_log;--",
            None,
            "6 to 35 English letters and digits",
        ),
        ("100000", "", None, "6 to 35 English letters and digits"),
        (
            "100000",
            "UTR\u{7}00011122",
            None,
            "6 to 35 English letters",
        ),
        ("100000", "यूटीआर000111222", None, "6 to 35 English letters"),
        (
            "100000",
            utr,
            Some("31-02-2026"),
            "\"31-02-2026\" is not a date",
        ),
        ("100000", utr, Some("2026-13-01"), "is not a date"),
        ("100000", utr, Some("कल"), "is not a date"),
        (
            "100000",
            utr,
            Some("01-12-2026"),
            "between the approval (02-12-2026) and today (02-12-2026)",
        ),
        ("100000", utr, Some("03-12-2026"), "between the approval"),
    ] {
        pay("en", amount, bank_ref, on).failed_saying(says);
    }
    pay("hi", "100000", "-UTR1", None).failed_saying("6 से 35 अंग्रेज़ी अक्षर");
    pay("hi", "100000", utr, Some("32-12-2026")).failed_saying("तारीख़ नहीं है");
    // The kiosk collected nothing: the approved claim waits for the fund.
    step(
        later,
        "vera",
        &[
            "pay",
            "RMP01-C0001",
            "--amount",
            "100000",
            "--bank-ref",
            "UTR000111222",
        ],
    )
    .failed_saying("The fund holds ₹0.00; this claim needs ₹1,00,000.00");
    let list = l.run(None, &["lab", "claims", "list"]);
    assert!(
        list.stdout
            .contains("approved  ₹1,00,000.00  ⚑ 1  — waits for the fund"),
        "{}",
        list.stdout
    );
    let hindi = l.run_env(
        &[("DASTAK_LANG", "hi")],
        &["lab", "claims", "show", "RMP01-C0001"],
    );
    hindi.ok();
    assert!(
        hindi.stdout.contains("दावा RMP01-C0001: स्वीकृत")
            && hindi.stdout.contains("₹1,00,000.00 के लिए स्वीकृत"),
        "{}",
        hindi.stdout
    );
    l.run(None, &["lab", "claims", "check"])
        .ok()
        .stdout
        .contains("3 entries")
        .then_some(())
        .expect("the log's three entries hold");
}

/// The console's member card shows the claim under a heading of its own,
/// with the kiosk's reason, in the real binary in a pseudo-terminal.
#[test]
fn the_console_member_card_shows_the_claim_and_its_reason() {
    let (k, _l, _id) = kiosk();
    file(&k, ("SUP1", SUP_PIN), ATTESTER, Some(ACCOUNT), &[]).ok();
    // The kiosk's language, Hindi, for an operator who chose none.
    let mut t = support::pty::Pty::spawn(k.dir());
    t.wait_for("लॉग इन");
    t.keys("VOL1\r");
    t.keys(&format!("{VOL_PIN}\r"));
    // Home, once the PIN is checked (a slow hash): its help line.
    t.wait_for("F खोजें");
    t.keys("f");
    t.keys("रामलाल");
    t.wait_for("रामलाल मीणा");
    t.keys("\r");
    let card = t.wait_for("RMP01-C0001");
    for line in [
        "मृत्यु दावे:",
        "दावा RMP01-C0001 (दर्ज, लैब के निर्णय की प्रतीक्षा)",
        "मृत्यु प्रतीक्षा अवधि में हुई, जो 22-05-2027",
        "· देहांत के दिन,",
    ] {
        assert!(card.contains(line), "{line}:\n{card}");
    }
    // `P` on the card of one whose death is recorded says so at once,
    // instead of opening the contribution form.
    t.keys("p");
    let said = t.wait_for("कोई अंशदान");
    assert!(said.contains("देहांत 23-11-2026 को हुआ"), "{said}");
    assert!(!said.contains("अभी बकाया"), "the form opened:\n{said}");
}

/// `fund rules set` records a version of the rules from today or later,
/// by an admin; a date in the past, rules that do not make sense, a
/// volunteer, or an amount that is not one change nothing.
#[test]
fn fund_rules_are_recorded_from_today_on_and_never_back_dated() {
    let k = Kiosk::ready();
    let show = k.run(None, &["fund", "rules", "show"]);
    show.ok();
    assert!(
        show.stdout
            .contains("From 01-01-2000: benefit ₹1,00,000.00; covered 180 days"),
        "{}",
        show.stdout
    );
    let set = |pin: &str, who: &str, args: &[&str]| {
        let mut a = vec!["fund", "rules", "set", "--operator", who];
        a.extend(args);
        k.run(Some(pin), &a)
    };
    let before = books_of(&k, &["SELECT group_concat(rules, ';') FROM fund_rules"]);
    set(VOL_PIN, "VOL1", &["--benefit", "50000"]).failed_saying("admin");
    set(
        ADMIN_PIN,
        "ADMIN",
        &["--from", "22-11-2026", "--benefit", "50000"],
    )
    .failed_saying("today (23-11-2026) or later");
    set(ADMIN_PIN, "ADMIN", &["--fee-percent", "150"]).failed();
    set(ADMIN_PIN, "ADMIN", &["--benefit", "पचास"]).failed();
    set(ADMIN_PIN, "ADMIN", &["--from", "31-02-2027"]).failed();
    assert_eq!(
        books_of(&k, &["SELECT group_concat(rules, ';') FROM fund_rules"]),
        before
    );

    let r = set(
        ADMIN_PIN,
        "ADMIN",
        &[
            "--from",
            "01-12-2026",
            "--benefit",
            "50000",
            "--waiting-days",
            "90",
        ],
    );
    r.ok();
    assert!(
        r.stdout.contains(
            "From 01-12-2026: benefit ₹50,000.00; covered 90 days after joining; may owe 2 months"
        ),
        "{}",
        r.stdout
    );
    let json = k.run(None, &["fund", "rules", "show", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    // The standard rules stay in force before it: never retroactive.
    assert_eq!(v.as_array().expect("versions").len(), 2, "{v}");
    assert_eq!(v[0]["benefit"], 10_000_000);
    assert_eq!(v[1]["benefit"], 5_000_000);
    assert_eq!(v[1]["from"], "2026-12-01");
    // The ledger holds it, and the books are what the ledger says.
    assert_eq!(
        k.count("SELECT COUNT(*) FROM events WHERE kind = 'fund_rules_set'"),
        1
    );
    k.run(None, &["verify"]).ok();
}

/// The lab's decisions come back on the stick in its acknowledgement: the
/// kiosk records them once (the same acknowledgement read again adds
/// nothing), the member card shows where the claim stands, and an
/// acknowledgement carrying a decision that is not the lab's, not on this
/// kiosk's claims, or out of a claim's order is refused whole.
#[test]
fn decisions_come_back_on_the_stick_once_and_forged_or_disordered_ones_are_refused() {
    use dastak::domain::event::hash_hex;
    use dastak_core::wire::{Ack, Decision, Step};
    use ed25519_dalek::SigningKey;

    let (k, l, id, stick) = claimed_at_the_lab();
    let s = stick.path().to_str().expect("utf8");
    let pw = LAB_PASSWORD;
    let step = |now: &str, who: &str, args: &[&str]| {
        let mut a = vec!["lab", "claims"];
        a.extend(args);
        a.extend(["--as", who]);
        l.run_env(&[pw, ("DASTAK_NOW", now)], &a).ok();
    };
    step(
        "2026-11-24T11:00:00+05:30",
        "vera",
        &["verify", "RMP01-C0001"],
    );
    step(
        "2026-11-24T11:00:00+05:30",
        "vera",
        &["publish", "RMP01-C0001"],
    );
    step(
        "2026-12-02T11:00:00+05:30",
        "asha",
        &["approve", "RMP01-C0001"],
    );
    // The lab writes its acknowledgement, decisions and all, on the stick.
    l.run(None, &["lab", "import", s]).ok();
    let decided = "SELECT COUNT(*) FROM events WHERE kind = 'claim_decided'";
    let export = k.run(None, &["export", "--to", s]);
    export.ok();
    assert_eq!(k.count(decided), 3);
    // No printer here: the notice the publication prints waits for one.
    assert!(
        export
            .stdout
            .contains("The lab's decisions on death claims recorded: 3."),
        "{}",
        export.stdout
    );
    assert_eq!(
        books_of(
            &k,
            &[
                "SELECT group_concat(doc || ' ' || ref) FROM print_jobs WHERE printed_at IS NULL AND doc LIKE 'claim_%'"
            ]
        ),
        books_of(&k, &["SELECT 'claim_notice RMP01-C0001/NOTICE'"]),
    );
    let (text, payload) = paper(&k, "RMP01-C0001/NOTICE", "hi");
    for word in ["सार्वजनिक", "सूचना", "आपत्ति", "दावेदार"]
    {
        assert!(text.contains(word), "{word} not read in:\n{text}");
    }
    // The amount the rules give, and the last day to object.
    assert!(
        payload.starts_with("DASTAK1 N RMP01 RMP01-C0001/NOTICE RMP01-00001 10000000 2026-12-01 "),
        "{payload}"
    );
    genuine(
        &k,
        &payload,
        "public notice of a death claim RMP01-C0001/NOTICE",
    );
    let card = k.run(None, &["member", "show", "--member", &id]);
    assert!(
        card.stdout
            .contains("Claim RMP01-C0001 (approved, to be paid by bank transfer)"),
        "{}",
        card.stdout
    );
    // Read again: nothing new. The books are what the ledger says.
    k.run(None, &["export", "--to", s]).ok();
    assert_eq!(k.count(decided), 3);
    k.run(None, &["verify"]).ok();

    // Acknowledgements a lab's key signed, carrying what it should not:
    // the tests hold the lab's key, as a thief of it would.
    let seed: [u8; 32] = hex::decode(
        std::fs::read_to_string(l.dir().join(dastak_lab::KEY_FILE))
            .expect("key")
            .trim(),
    )
    .expect("hex")
    .try_into()
    .expect("32 bytes");
    let lab = SigningKey::from_bytes(&seed);
    let ack_path = stick.path().join("dastak/acks/RMP01.ack");
    let real = Ack::verify(
        &std::fs::read(&ack_path).expect("ack"),
        &lab.verifying_key(),
    )
    .expect("the lab's");
    let last = real.decisions.last().expect("three").clone();
    let decision = |n: u64, claim: &str, kiosk: &str, step: Step, key: &SigningKey| {
        let d = Decision {
            v: 1,
            n,
            prev: hash_hex(last.as_bytes()),
            kiosk: kiosk.into(),
            claim: claim.into(),
            officer: "asha".into(),
            at: "2026-12-03T11:00:00+05:30".into(),
            step,
        };
        String::from_utf8(d.sign(key)).expect("utf8")
    };
    let paid = || Step::Paid {
        amount: dastak::domain::money::Paise::from_rupees(100_000),
        bank_ref: "UTR000111222".into(),
        on: jiff::civil::date(2026, 12, 3),
        parts: Vec::new(),
    };
    let other_key = SigningKey::from_bytes(&[9; 32]);
    let cases = [
        (
            "signed by another key",
            decision(4, "RMP01-C0001", "RMP01", paid(), &other_key),
        ),
        (
            "another kiosk's claim",
            decision(4, "KTP02-C0001", "KTP02", paid(), &lab),
        ),
        (
            "verified again after approval",
            decision(4, "RMP01-C0001", "RMP01", Step::Verified, &lab),
        ),
        (
            "a claim this kiosk never filed",
            decision(4, "RMP01-C0009", "RMP01", Step::Verified, &lab),
        ),
    ];
    let before = books_of(&k, &["SELECT group_concat(n, ',') FROM claim_decisions"]);
    for (what, bad) in cases {
        let mut forged = real.clone();
        forged.decisions.push(bad);
        std::fs::write(&ack_path, forged.sign(&lab)).expect("write ack");
        let r = k.run(None, &["export", "--to", s]);
        assert!(
            r.stderr.contains("not in order") || r.stdout.contains("not in order"),
            "{what}: {} {}",
            r.stdout,
            r.stderr
        );
        assert_eq!(
            books_of(&k, &["SELECT group_concat(n, ',') FROM claim_decisions"]),
            before,
            "{what}"
        );
    }
    // The genuine next decision, in order, is taken.
    let mut next = real.clone();
    next.decisions
        .push(decision(4, "RMP01-C0001", "RMP01", paid(), &lab));
    std::fs::write(&ack_path, next.sign(&lab)).expect("write ack");
    k.run(None, &["export", "--to", s]).ok();
    assert_eq!(k.count(decided), 4);
    // The family's slip: the amount, the bank's reference, a line to sign.
    let (text, payload) = paper(&k, "rmp01-c0001/paid", "en");
    for words in ["PAYOUT SLIP", "Bank reference", "thumb"] {
        assert!(text.contains(words), "{words} not read in:\n{text}");
    }
    assert!(
        payload.starts_with("DASTAK1 P RMP01 RMP01-C0001/PAID RMP01-00001 10000000 2026-12-03 "),
        "{payload}"
    );
    genuine(
        &k,
        &payload,
        "payout slip of a death claim RMP01-C0001/PAID",
    );
}

/// The lab's statement of the month goes to the kiosk on a stick and is
/// printed for the notice board: what it says is what the kiosk's books
/// say, its QR code is the lab's and checks, and a statement changed on
/// the stick, or none at all, is refused with nothing kept.
#[test]
fn the_funds_monthly_statement_comes_from_the_lab_and_reads_as_the_books_say() {
    let (k, l, id) = kiosk();
    register(&l, &k);
    // Before any statement: a clear word, not a crash.
    k.run(None, &["fund", "statement"])
        .failed_saying("No statement of the fund FUND is held yet");
    k.pay(&id);
    k.pay(&id);
    file(&k, ("SUP1", SUP_PIN), ATTESTER, Some(ACCOUNT), &[]).ok();
    let stick = tempfile::tempdir().expect("stick");
    let s = stick.path().to_str().expect("utf8");
    k.run(None, &["export", "--to", s]).ok();
    l.run(None, &["lab", "import", s]).ok();
    let made = l.run(
        None,
        &[
            "lab",
            "fund",
            "statement",
            "--month",
            "2026-11",
            "--to",
            s,
            "--json",
        ],
    );
    made.ok();
    let v: serde_json::Value = serde_json::from_str(&made.stdout).expect("json");
    let took = k.count("SELECT SUM(amount) FROM contributions WHERE scheme = 'FUND'");
    assert!(took > 0);
    assert_eq!(v["collected"], took);
    assert_eq!(v["opening"], 0);
    assert_eq!(v["payouts"], 0);
    assert_eq!(v["closing"], took);
    assert_eq!(v["members"]["died"], 1);
    assert_eq!(v["claims"][0]["claim"], "RMP01-C0001");
    assert_eq!(v["claims"][0]["step"], "filed");
    assert_eq!(v["claims"][0]["name"], "रामलाल मी.");
    let file = stick.path().join("dastak/statement-FUND-2026-11.txt");
    assert!(file.is_file());

    // Changed on the stick: refused, nothing kept.
    let genuine_bytes = std::fs::read(&file).expect("read");
    let changed = String::from_utf8(genuine_bytes.clone())
        .expect("utf8")
        .replacen(&format!("\"collected\":{took}"), "\"collected\":1", 1);
    assert_ne!(changed.as_bytes(), genuine_bytes.as_slice());
    std::fs::write(&file, &changed).expect("write");
    k.run(None, &["fund", "statement", "--from", s])
        .failed_saying("was not signed by the lab this kiosk is linked to; nothing was kept");
    assert_eq!(k.count("SELECT COUNT(*) FROM fund_statements"), 0);
    k.run(None, &["fund", "statement", "--month", "13-2026"])
        .failed_saying("is not a month");
    std::fs::write(&file, &genuine_bytes).expect("write");

    let taken = k.run(None, &["fund", "statement", "--from", s]);
    taken.ok();
    assert!(
        taken
            .stdout
            .contains("1 statements were on the stick; 1 new or newer were kept"),
        "{}",
        taken.stdout
    );
    // Taken again: held already, nothing new.
    k.run(None, &["fund", "statement", "--from", s])
        .ok()
        .stdout
        .contains("0 new or newer")
        .then_some(())
        .expect("kept once");
    assert_eq!(k.count("SELECT COUNT(*) FROM fund_statements"), 1);

    every_line_reads_once(
        k.dir(),
        dastak::print::DocKind::FundStatement,
        "FUND-2026-11",
    );
    // The kiosk's language is Hindi: the paper is.
    let png = k.dir().join("fund-statement.hi.png");
    k.run(
        None,
        &[
            "fund",
            "statement",
            "--month",
            "11-2026",
            "--png",
            png.to_str().expect("utf8"),
        ],
    )
    .ok();
    let keep = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("claim-papers");
    std::fs::create_dir_all(&keep).expect("folder");
    std::fs::copy(&png, keep.join("fund-statement.hi.png")).expect("copy");
    let (text, payload) = read_paper(&png);
    for word in ["कोष", "विवरण", "शेष", "दावे"] {
        assert!(text.contains(word), "{word} not read in:\n{text}");
    }
    assert!(
        payload.starts_with(&format!(
            "DASTAK1 F LAB FUND-2026-11 FUND {took} 2026-11-23 "
        )),
        "{payload}"
    );
    genuine(&k, &payload, "monthly statement of the fund FUND-2026-11");
    // The lab checks its own paper with its own key.
    let at_lab = l.run(None, &["lab", "verify-receipt", &payload]);
    at_lab.ok();
    assert!(at_lab.stdout.contains("GENUINE"), "{}", at_lab.stdout);
    let mut fields: Vec<&str> = payload.split(' ').collect();
    fields[5] = "1";
    l.run(None, &["lab", "verify-receipt", &fields.join(" ")])
        .failed();
}

/// The paper `reference` rendered as the printer would print it in `lang`:
/// what tesseract reads off it, and its one QR code.
fn paper(k: &Kiosk, reference: &str, lang: &str) -> (String, String) {
    // As typed (the command takes lower case too), as stored.
    let stored = reference.to_uppercase();
    let kind = dastak::print::DocKind::ALL
        .into_iter()
        .find(|&d| dastak::books::claims::decision_of_paper(d, &stored).is_some())
        .expect("a decision's paper");
    every_line_reads_once(k.dir(), kind, &stored);
    let png = k
        .dir()
        .join(format!("{}.{lang}.png", reference.replace('/', "-")));
    k.run(
        None,
        &[
            "receipt",
            "render",
            reference,
            "--png",
            png.to_str().expect("utf8"),
            "--doc-lang",
            lang,
        ],
    )
    .ok();
    // Kept where a person can look at it after the run.
    let keep = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("claim-papers");
    std::fs::create_dir_all(&keep).expect("folder");
    std::fs::copy(&png, keep.join(png.file_name().expect("name"))).expect("copy");
    read_paper(&png)
}

/// What tesseract reads off a picture of paper, and its one QR code.
fn read_paper(png: &std::path::Path) -> (String, String) {
    let out = std::process::Command::new("tesseract")
        .arg(png)
        .args(["-", "-l", "hin+eng"])
        .output()
        .expect("tesseract (Debian: tesseract-ocr tesseract-ocr-hin) must be installed");
    let bitmap =
        dastak::print::raster::Bitmap::from_png(&std::fs::read(png).expect("png")).expect("png");
    let codes = qr_codes(&bitmap);
    assert_eq!(codes.len(), 1, "one QR code on the paper");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        codes[0].clone(),
    )
}

/// `receipt check` says the scanned code is genuine and names `what`; the
/// same code with its amount changed is not.
fn genuine(k: &Kiosk, payload: &str, what: &str) {
    let r = k.run(None, &["receipt", "check", payload]);
    r.ok();
    assert!(
        r.stdout.contains(&format!("GENUINE {what}")),
        "{}",
        r.stdout
    );
    let mut fields: Vec<&str> = payload.split(' ').collect();
    fields[5] = "1";
    let r = k.run(None, &["receipt", "check", &fields.join(" ")]);
    r.failed();
    assert!(r.stderr.contains("NOT GENUINE"), "{}", r.stderr);
}

/// Over the network too: the acknowledgement the lab serves carries its
/// decisions, and the kiosk's `sync` records them.
#[test]
fn decisions_come_back_over_the_network() {
    let k = Kiosk::ready();
    let l = lab();
    register(&l, &k);
    let mut server = LabServer::start(l.dir());
    link(&k, &l, Some(&server.url));
    k.fund_member();
    file(&k, ("SUP1", SUP_PIN), ATTESTER, Some(ACCOUNT), &[]).ok();
    k.run(None, &["sync"]).ok();
    // The papers the decisions print go to a real (emulated) printer.
    let out = tempfile::tempdir().expect("out");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let printer = format!("tcp://{}", listener.local_addr().expect("addr"));
    let emu = dastak::print::emulate::Emulator::new(out.path(), 384, false).spawn(listener);
    std::fs::write(
        k.dir().join("dastak.toml"),
        format!("[printer]\nurl = \"{printer}\"\npaper = 58\ntimeout_seconds = 5\n"),
    )
    .expect("config");
    let pw = ("DASTAK_LAB_PASSWORD", "a long password");
    for (name, role) in [("vera", "officer"), ("asha", "approver")] {
        l.run_env(&[pw], &["lab", "officer", "add", name, "--role", role])
            .ok();
    }
    let step = |who: &str, args: &[&str]| {
        let mut a = vec!["lab", "claims"];
        a.extend(args);
        a.extend(["RMP01-C0001", "--as", who]);
        l.run_env(&[pw, ("DASTAK_NOW", "2026-11-24T11:00:00+05:30")], &a)
            .ok();
    };
    step("vera", &["verify"]);
    step("vera", &["publish"]);
    let sync = k.run(None, &["sync"]);
    sync.ok();
    assert_eq!(
        k.count("SELECT COUNT(*) FROM claim_decisions"),
        2,
        "both decisions recorded"
    );
    let card = k.run(None, &["member", "show", "--member", "RMP01-00001"]);
    assert!(
        card.stdout
            .contains("Claim RMP01-C0001 (notice published, objections heard)"),
        "{}",
        card.stdout
    );
    // The notice came off the printer as the sync recorded it.
    assert!(
        sync.stdout.contains("Printed RMP01-C0001/NOTICE"),
        "{}",
        sync.stdout
    );
    assert_eq!(emu.emulator.jobs(), 1);
    let (text, payload) = read_paper(&out.path().join("job-0001.png"));
    assert!(text.contains("सार्वजनिक सूचना"), "{text}");
    assert!(
        payload.starts_with("DASTAK1 N RMP01 RMP01-C0001/NOTICE "),
        "{payload}"
    );
    genuine(
        &k,
        &payload,
        "public notice of a death claim RMP01-C0001/NOTICE",
    );

    // While the claim stands, her death is recorded: no money is taken.
    k.vol("pay", &["--member", "RMP01-00001", "--scheme", "FUND"])
        .failed_saying("died on 23-11-2026");

    // Rejected before approval: the family's letter, with the reasons.
    step("asha", &["reject", "--reasons", "प्रमाण पत्र जाली पाया गया"]);
    let sync = k.run(None, &["sync"]);
    sync.ok();
    assert!(
        sync.stdout.contains("Printed RMP01-C0001/REJECTED"),
        "{}",
        sync.stdout
    );
    assert_eq!(emu.emulator.jobs(), 2);
    every_line_reads_once(
        k.dir(),
        dastak::print::DocKind::ClaimRejection,
        "RMP01-C0001/REJECTED",
    );
    let (text, payload) = read_paper(&out.path().join("job-0002.png"));
    for word in ["अस्वीकृत", "जाली"] {
        assert!(text.contains(word), "{word} not read in:\n{text}");
    }
    assert!(
        payload.starts_with("DASTAK1 J RMP01 RMP01-C0001/REJECTED RMP01-00001 0 2026-11-24 "),
        "{payload}"
    );
    genuine(
        &k,
        &payload,
        "rejection letter of a death claim RMP01-C0001/REJECTED",
    );
    // Synced again: nothing new is recorded, nothing prints twice.
    k.run(None, &["sync"]).ok();
    assert_eq!(emu.emulator.jobs(), 2);
    let card = k.run(None, &["member", "show", "--member", "RMP01-00001"]);
    assert!(card.stdout.contains("(rejected"), "{}", card.stdout);
    // A rejected claim records no death (this certificate was forged):
    // her dues are taken again.
    k.pay("RMP01-00001");
    server.stop();
}

/// The demo (the README's first command) shows claims at work: one paid
/// through every step, one whose notice is up and whose objections are
/// still heard, both covered. The made-up lab that decided them is not
/// left linked. A recorded death ends the member's dues on that day, and
/// no contribution is taken for her after it.
#[test]
fn the_demo_has_a_paid_claim_and_one_in_its_objection_window_and_nothing_falls_due_after_a_death() {
    let k = Kiosk::demo(40);
    let conn = k.db();
    let claims: Vec<(String, String, String, String, String)> = conn
        .prepare("SELECT claim, member_id, state, died_on, bars FROM claims ORDER BY claim")
        .expect("prepare")
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(claims.len(), 2, "{claims:?}");
    let (paid, open) = (&claims[0], &claims[1]);
    // Made the morning of 23-11-2026: deaths 25 and 6 days before its last day.
    assert_eq!(
        (
            paid.0.as_str(),
            paid.2.as_str(),
            paid.3.as_str(),
            paid.4.as_str()
        ),
        ("DEMO01-C0001", "paid", "2026-10-28", "[]")
    );
    assert_eq!(
        (
            open.0.as_str(),
            open.2.as_str(),
            open.3.as_str(),
            open.4.as_str()
        ),
        ("DEMO01-C0002", "published", "2026-11-16", "[]")
    );
    let steps = |claim: &str| -> Vec<String> {
        conn.prepare("SELECT step FROM claim_decisions WHERE claim = ?1 ORDER BY n")
            .expect("prepare")
            .query_map([claim], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    };
    assert_eq!(
        steps(&paid.0),
        ["verified", "published", "approved", "paid"]
    );
    assert_eq!(steps(&open.0), ["verified", "published"]);
    // Objections are heard through 27-11, after the demo was made.
    let notice: String = conn
        .query_row(
            "SELECT decision FROM claim_decisions WHERE claim = ?1 AND step = 'published'",
            [&open.0],
            |r| r.get(0),
        )
        .expect("notice");
    assert!(notice.contains(r#""until":"2026-11-27""#), "{notice}");
    assert_eq!(k.count("SELECT COUNT(*) FROM lab_link"), 0);
    assert_eq!(
        k.count("SELECT COUNT(*) FROM print_jobs WHERE printed_at IS NULL"),
        0
    );
    k.run(None, &["verify"]).ok();

    let card = k.run(None, &["member", "show", "--member", &paid.1]);
    card.ok();
    for want in [
        "Claim DEMO01-C0001 (paid by bank transfer): died 28-10-2026",
        "on the day of death, 28-10-2026: ",
    ] {
        assert!(card.stdout.contains(want), "{want}:\n{}", card.stdout);
    }
    let card = k.run(None, &["member", "show", "--member", &open.1]);
    assert!(
        card.stdout
            .contains("Claim DEMO01-C0002 (notice published, objections heard)"),
        "{}",
        card.stdout
    );

    // Three months on, the dead owe what they owed the day they died.
    let dues = |now: &str| -> serde_json::Value {
        let r = k.run_env(
            &[("DASTAK_NOW", now)],
            &["member", "show", "--member", &paid.1, "--json"],
        );
        r.ok();
        let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
        v["enrolments"][0]["dues"].clone()
    };
    let today = dues(NOW);
    assert_eq!(today, dues("2027-02-23T10:00:00+05:30"));
    assert!(today["arrears_periods"].as_i64().is_some(), "{today}");
    // And no contribution is taken for him: refused, nothing written (the
    // sign-in is logged apart, on purpose).
    let books = || {
        books_of(
            &k,
            &[
                "SELECT group_concat(receipt_no) FROM contributions",
                "SELECT group_concat(ref) FROM print_jobs",
            ],
        )
    };
    let before = books();
    k.vol("pay", &["--member", &paid.1, "--scheme", "FUND"])
        .failed_saying("died on 28-10-2026");
    assert_eq!(before, books());
}

/// The README's demo holds the made-up lab's fund statements of its last
/// two months, so a new user prints one: it reads in Hindi, its totals are
/// the sums in the kiosk's books, its QR code verifies although the demo
/// kiosk is linked to no lab (the key it was kept with is kept beside it),
/// and a real lab that takes the demo kiosk's books counts the same money
/// and the same members.
#[test]
fn the_demos_fund_statement_adds_up_to_its_books_reads_in_hindi_and_verifies_unlinked() {
    let k = Kiosk::demo(40);
    // Made the morning of 23-11-2026: the story ends on 22-11.
    assert_eq!(
        k.count("SELECT COUNT(*) FROM fund_statements WHERE month IN ('2026-10', '2026-11')"),
        2
    );
    assert_eq!(k.count("SELECT COUNT(*) FROM lab_link"), 0);
    let held: String = k
        .db()
        .query_row(
            "SELECT statement FROM fund_statements WHERE month = '2026-11'",
            [],
            |r| r.get(0),
        )
        .expect("held");
    let s = dastak_core::wire::FundStatement::read_recorded(held.as_bytes()).expect("statement");

    // The sums in the books: November's takings less its reversals (kept
    // with the kiosk's offset, +05:30), everything ever taken less the
    // payout the lab recorded.
    let sum = |sql: &str| k.count(sql);
    let took_nov = sum("SELECT COALESCE(SUM(amount), 0) FROM contributions
         WHERE scheme = 'FUND' AND substr(at, 1, 7) = '2026-11'")
        - sum("SELECT COALESCE(SUM(amount), 0) FROM reversals
         WHERE scheme = 'FUND' AND substr(at, 1, 7) = '2026-11'");
    let took_all = sum("SELECT SUM(amount) FROM contributions WHERE scheme = 'FUND'")
        - sum("SELECT COALESCE(SUM(amount), 0) FROM reversals WHERE scheme = 'FUND'");
    let paid: String = k
        .db()
        .query_row(
            "SELECT decision FROM claim_decisions WHERE step = 'paid'",
            [],
            |r| r.get(0),
        )
        .expect("paid");
    let paid = dastak_core::wire::Decision::read_recorded(paid.as_bytes()).expect("decision");
    let dastak_core::wire::Step::Paid { amount, .. } = paid.step else {
        panic!("{paid:?}")
    };
    // The demo's benefit for 40 households, ₹6,000, less its 2 % fee.
    assert_eq!(amount.0, 588_000);
    assert!(took_all > amount.0, "the fund held what it paid");
    assert_eq!(s.collected.0, took_nov);
    assert_eq!(s.closing.0, took_all - amount.0);
    assert_eq!(s.opening.0 + s.collected.0 - s.payouts.0, s.closing.0);
    assert_eq!((s.payouts.0, s.fees.0), (amount.0, 12_000));
    assert_eq!(
        s.receipts as i64,
        sum(
            "SELECT COUNT(*) FROM contributions WHERE scheme = 'FUND' AND substr(at, 1, 7) = '2026-11'"
        )
    );
    assert_eq!(s.members.died, 2);
    let enrolled = sum("SELECT COUNT(*) FROM enrolments WHERE scheme = 'FUND'");
    let m = &s.members;
    assert_eq!(
        (m.good + m.grace + m.waiting + m.lapsed + m.died) as i64,
        enrolled
    );
    let steps: Vec<(&str, &str)> = s
        .claims
        .iter()
        .map(|c| (c.claim.as_str(), c.step.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            ("DEMO01-C0001", "filed"),
            ("DEMO01-C0001", "approved"),
            ("DEMO01-C0001", "paid"),
            ("DEMO01-C0002", "filed"),
        ]
    );

    // Printed as the README says (the latest held), read back.
    let png = k.dir().join("demo-fund-statement.hi.png");
    k.run(
        None,
        &["fund", "statement", "--png", png.to_str().expect("utf8")],
    )
    .ok();
    let keep = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("claim-papers");
    std::fs::create_dir_all(&keep).expect("folder");
    std::fs::copy(&png, keep.join("demo-fund-statement.hi.png")).expect("copy");
    let (text, payload) = read_paper(&png);
    for word in ["कोष", "विवरण", "शेष", "दावे"] {
        assert!(text.contains(word), "{word} not read in:\n{text}");
    }
    assert!(
        payload.starts_with(&format!(
            "DASTAK1 F LAB FUND-2026-11 FUND {} 2026-11-22 ",
            s.closing.0
        )),
        "{payload}"
    );
    genuine(&k, &payload, "monthly statement of the fund FUND-2026-11");
    let said = k.run(None, &["receipt", "check", &payload]);
    assert!(
        said.stdout
            .contains("signed by the district lab: closing balance ₹")
            && said.stdout.contains(" on 22-11-2026."),
        "{}",
        said.stdout
    );

    // A real lab given the demo kiosk's books: the same money and members
    // (its claim log has none of the made-up lab's decisions, so no payout).
    let l = lab();
    register(&l, &k);
    link_as(&k, &l, None, "1234");
    let stick = tempfile::tempdir().expect("stick");
    let st = stick.path().to_str().expect("utf8");
    k.run(None, &["export", "--to", st]).ok();
    l.run(None, &["lab", "import", st]).ok();
    let at_lab = l.run_env(
        &[("DASTAK_NOW", NOW)],
        &["lab", "fund", "statement", "--month", "2026-11", "--json"],
    );
    at_lab.ok();
    let v: serde_json::Value = serde_json::from_str(&at_lab.stdout).expect("json");
    assert_eq!(v["collected"], s.collected.0);
    assert_eq!(v["receipts"], s.receipts);
    assert_eq!(v["reversals"], s.reversals);
    assert_eq!(v["opening"], s.opening.0);
    assert_eq!(v["closing"], s.closing.0 + amount.0);
    assert_eq!(
        v["members"],
        serde_json::to_value(&s.members).expect("members")
    );
}

/// A kiosk linked anew to another lab (the demo's kiosk to a real one, or
/// a district's lab replaced) takes that lab's decisions although their
/// places in its claim log are numbers the first lab's decisions took:
/// each lab's log is its own. Before, the new lab's first entries were
/// passed over as "already recorded", and its decisions never arrived.
#[test]
fn a_kiosk_linked_to_another_lab_records_its_decisions_numbered_as_the_first_labs_were() {
    let k = Kiosk::demo(40);
    let decided = "SELECT COUNT(*) FROM events WHERE kind = 'claim_decided'";
    let from_demo = k.count(decided);
    assert!(from_demo >= 6, "the demo lab's decisions: {from_demo}");
    let l = lab();
    register(&l, &k);
    link_as(&k, &l, None, "1234");
    let member: String = k
        .db()
        .query_row(
            "SELECT member_id FROM enrolments WHERE scheme = 'FUND'
             AND member_id NOT IN (SELECT member_id FROM claims) ORDER BY member_id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("a living member");
    let filed = file(
        &k,
        ("SUP1", SUP_PIN),
        ("ADMIN", "1234"),
        Some(ACCOUNT),
        &[
            ("--member", &member),
            ("--died-on", "20-11-2026"),
            ("--reason", "नामित व्यक्ति की भी मृत्यु हो चुकी है"),
        ],
    );
    filed.ok();
    let v: serde_json::Value = serde_json::from_str(&filed.stdout).expect("json");
    let claim = v["claim"].as_str().expect("claim").to_string();
    assert_eq!(claim, "DEMO01-C0003");

    let stick = tempfile::tempdir().expect("stick");
    let s = stick.path().to_str().expect("utf8");
    k.run(None, &["export", "--to", s]).ok();
    l.run(None, &["lab", "import", s]).ok();
    l.run_env(
        &[LAB_PASSWORD],
        &["lab", "officer", "add", "vera", "--role", "officer"],
    )
    .ok();
    for action in ["verify", "publish"] {
        l.run_env(
            &[LAB_PASSWORD],
            &["lab", "claims", action, &claim, "--as", "vera"],
        )
        .ok();
    }
    // The new lab's log: entries 1 and 2, numbers the demo lab used too.
    l.run(None, &["lab", "import", s]).ok();
    let export = k.run(None, &["export", "--to", s]);
    export.ok();
    assert!(
        export
            .stdout
            .contains("The lab's decisions on death claims recorded: 2."),
        "{}",
        export.stdout
    );
    assert_eq!(k.count(decided), from_demo + 2);
    let state: String = k
        .db()
        .query_row("SELECT state FROM claims WHERE claim = ?1", [&claim], |r| {
            r.get(0)
        })
        .expect("state");
    assert_eq!(state, "published");
    assert_eq!(
        k.count(&format!(
            "SELECT COUNT(*) FROM print_jobs WHERE ref = '{claim}/NOTICE' AND printed_at IS NULL"
        )),
        1
    );
    // Read again: nothing new. The demo's claims keep their states.
    k.run(None, &["export", "--to", s]).ok();
    assert_eq!(k.count(decided), from_demo + 2);
    assert_eq!(
        k.count("SELECT COUNT(*) FROM claims WHERE state = 'paid' OR state = 'published'"),
        3
    );
    k.run(None, &["verify"]).ok();
}

/// `member nominees` records a member's nominees with their shares (an
/// event, a slip that reads in Hindi), refuses garbage with its reason
/// and writes nothing, and a claim asks who were nominees on the day of
/// death: a nominee with a share claims as a nominee; one named after the
/// death does not, and must say why.
#[test]
fn nominees_with_shares_get_a_slip_and_those_in_force_on_the_day_of_death_are_the_nominees() {
    let (k, l, id) = kiosk();
    register(&l, &k);
    // A benefit of ₹100 from today, and her ₹100 taken: the fund holds
    // what the lab pays her family.
    k.run_env(
        &[("DASTAK_PIN", ADMIN_PIN)],
        &[
            "fund",
            "rules",
            "set",
            "--operator",
            "ADMIN",
            "--benefit",
            "100",
        ],
    )
    .ok();
    k.pay(&id);
    let set = |now: &str, nominees: &[&str]| {
        let mut a = vec![
            "member",
            "nominees",
            "--member",
            &id,
            "--operator",
            "VOL1",
            "--scheme",
            "FUND",
            "--reason",
            "बेटी और बेटा दोनों",
        ];
        for n in nominees {
            a.extend(["--nominee", n]);
        }
        k.run_env(&[("DASTAK_PIN", VOL_PIN), ("DASTAK_NOW", now)], &a)
    };
    let nov = NOW;
    let before = books_of(&k, &["SELECT group_concat(ref) FROM print_jobs"]);
    for (nominees, says) in [
        (
            &["सीता देवी,पुत्री,60"][..],
            "add up to 100 (these add up to 60)",
        ),
        (
            &["सीता देवी,पुत्री"][..],
            "is not a nominee: write name, relation and share",
        ),
        (
            &["सीता देवी,पुत्री,0", "मोहन लाल,पुत्र,100"][..],
            "is not a nominee",
        ),
        (
            &["सीता देवी,पुत्री,साठ", "मोहन लाल,पुत्र,40"][..],
            "is not a nominee",
        ),
        (
            &["सीता देवी,पुत्री,-60", "मोहन लाल,पुत्र,160"][..],
            "is not a nominee",
        ),
        (
            &["सीता देवी,पुत्री,50", "Sita Devi,daughter,50"][..],
            "is named twice",
        ),
        (&["सीता\u{7} देवी,पुत्री,100"][..], "Nominee"),
        (
            &[
                "राम,पुत्र,20",
                "श्याम,पुत्र,20",
                "गीता,पुत्री,20",
                "मीना,पुत्री,20",
                "रवि,पोता,10",
                "सोनू,पोता,10",
            ][..],
            "Name 1 to 5 nominees",
        ),
    ] {
        set(nov, nominees).failed_saying(says);
    }
    k.run(
        None,
        &[
            "member",
            "nominees",
            "--member",
            &id,
            "--scheme",
            "FUND",
            "--operator",
            "VOL1",
            "--reason",
            "x",
        ],
    )
    .failed();
    assert_eq!(
        books_of(&k, &["SELECT group_concat(ref) FROM print_jobs"]),
        before,
        "a refused set writes nothing"
    );

    let r = set(nov, &["सीता देवी,पुत्री,60%", "मोहन लाल,पुत्र,40"]);
    r.ok();
    assert!(
        r.stdout
            .contains("2 nominees for FUND recorded with their shares, from today"),
        "{}",
        r.stdout
    );
    assert_eq!(
        k.count("SELECT COUNT(*) FROM nominee_shares WHERE member_id = 'RMP01-00001'"),
        2
    );
    let seq = k.count("SELECT MAX(seq) FROM events WHERE kind = 'nominees_set'");
    every_line_reads_once(k.dir(), dastak::print::DocKind::Nominee, &seq.to_string());
    let png = k.dir().join("nominees.hi.png");
    k.run(
        None,
        &[
            "receipt",
            "render",
            &seq.to_string(),
            "--png",
            png.to_str().expect("utf8"),
        ],
    )
    .ok();
    let text = String::from_utf8_lossy(
        &std::process::Command::new("tesseract")
            .arg(&png)
            .args(["-", "-l", "hin"])
            .output()
            .expect("tesseract (Debian: tesseract-ocr tesseract-ocr-hin) must be installed")
            .stdout,
    )
    .into_owned();
    for word in ["सीता", "मोहन", "60%", "40%"] {
        assert!(text.contains(word), "{word} not read in:\n{text}");
    }
    let card = k.run(None, &["member", "show", "--member", &id]);
    assert!(
        card.stdout
            .contains("सीता देवी (पुत्री) 60%, मोहन लाल (पुत्र) 40%"),
        "{}",
        card.stdout
    );

    // After the death (01-12), one more change: it does not decide who
    // was nominee on that day.
    set("2026-12-05T10:00:00+05:30", &["गीता बाई,बहू,100"]).ok();
    let claim = |claimant: &str, reason: Option<&str>, payees: &[&str], numbers: Option<&str>| {
        let mut args = vec![
            ("--died-on", "01-12-2026"),
            ("--claimant", claimant),
            ("--relation", "पुत्र"),
        ];
        if let Some(r) = reason {
            args.push(("--reason", r));
        }
        for p in payees {
            args.push(("--payee", p));
        }
        let mut c = file_command(&k, ("SUP1", SUP_PIN), ATTESTER, Some(ACCOUNT), &args);
        c.env("DASTAK_NOW", "2026-12-10T10:00:00+05:30");
        if let Some(n) = numbers {
            c.env("DASTAK_PAYEE_ACCOUNTS", n);
        }
        run_output(c.output().expect("spawn dastak"))
    };
    claim("गीता बाई", None, &[], None).failed_saying("Reason: this cannot be empty");
    // A nominee claims her part; the other's part goes to her own account,
    // which must be given, once, for a nominee of that day.
    let before = books(&k);
    for (payees, numbers, says) in [
        (&[][..], None, "give सीता देवी's account with --payee"),
        (
            &["सीता देवी,SBIN0005678"][..],
            None,
            "1 nominee accounts named with --payee, but 0 numbers",
        ),
        (
            &["सीता देवी SBIN0005678"][..],
            Some("555566667777"),
            "is not a nominee's account",
        ),
        (
            &["गीता बाई,SBIN0005678"][..],
            Some("555566667777"),
            "गीता बाई was not a nominee on the day of death",
        ),
        (
            &["मोहन लाल,SBIN0005678"][..],
            Some("555566667777"),
            "मोहन लाल has two accounts",
        ),
        (
            &["सीता देवी,SBIN0005678"][..],
            Some("5555"),
            "9 to 18 digits",
        ),
        (&["सीता देवी,SBIX05678"][..], Some("555566667777"), "IFSC"),
    ] {
        claim("मोहन लाल", None, payees, numbers).failed_saying(says);
    }
    assert_eq!(books(&k), before, "a refused claim writes nothing");
    let filed = claim(
        "मोहन लाल",
        None,
        &["Sita Devi,sbin0005678"],
        Some("5555 6666 7777"),
    );
    filed.ok();
    let v: serde_json::Value = serde_json::from_str(&filed.stdout).expect("json");
    assert_eq!(v["nominee"], true, "{v}");
    k.run(None, &["verify"]).ok();

    // The claim carries them to the lab, which shows each one's part of
    // what is payable (the ₹100 the rules now give, no fee) and the
    // account it goes to.
    let stick = tempfile::tempdir().expect("stick");
    let s = stick.path().to_str().expect("utf8");
    k.run(None, &["export", "--to", s]).ok();
    l.run(None, &["lab", "import", s]).ok();
    let show = l.run(None, &["lab", "claims", "show", "RMP01-C0001"]);
    show.ok();
    for line in [
        "Nominees on the day of death, and their parts of what is payable:",
        "सीता देवी (पुत्री): 60% — ₹60.00",
        "paid by her own transfer into SBIN0005678 ····7777",
        "मोहन लाल (पुत्र): 40% — ₹40.00",
        "paid by her own transfer into SBIN0001234 ····9012",
    ] {
        assert!(show.stdout.contains(line), "{line}\n{}", show.stdout);
    }
    assert!(!show.stdout.contains("गीता बाई"), "{}", show.stdout);

    // The lab's steps, by its officers: each nominee's part is its own
    // transfer, to her whole account number, with its own reference.
    for (name, role) in [("vera", "officer"), ("asha", "approver")] {
        l.run_env(
            &[LAB_PASSWORD],
            &["lab", "officer", "add", name, "--role", role],
        )
        .ok();
    }
    let lab_step = |now: &str, args: &[&str]| {
        let mut a = vec!["lab", "claims"];
        a.extend(args);
        l.run_env(&[LAB_PASSWORD, ("DASTAK_NOW", now)], &a)
    };
    let dec11 = "2026-12-11T11:00:00+05:30";
    lab_step(dec11, &["verify", "RMP01-C0001", "--as", "vera"]).ok();
    lab_step(dec11, &["publish", "RMP01-C0001", "--as", "vera"]).ok();
    let dec19 = "2026-12-19T11:00:00+05:30";
    lab_step(dec19, &["approve", "RMP01-C0001", "--as", "asha"]).ok();
    let account = lab_step(dec19, &["account", "RMP01-C0001", "--as", "vera"]);
    account.ok();
    for line in [
        "transfer ₹60.00 to सीता देवी, IFSC SBIN0005678, account 555566667777",
        "transfer ₹40.00 to मोहन लाल, IFSC SBIN0001234, account 123456789012",
    ] {
        assert!(account.stdout.contains(line), "{line}\n{}", account.stdout);
    }
    let log_len = || -> i64 {
        rusqlite::Connection::open(l.dir().join(dastak_lab::DB_FILE))
            .expect("lab db")
            .query_row("SELECT COUNT(*) FROM claim_log", [], |r| r.get(0))
            .expect("count")
    };
    let entries = log_len();
    let pay = |refs: &[&str]| {
        let mut a = vec![
            "pay",
            "RMP01-C0001",
            "--as",
            "vera",
            "--amount",
            "100",
            "--on",
            "20-12-2026",
        ];
        for r in refs {
            a.extend(["--bank-ref", r]);
        }
        lab_step("2026-12-20T11:00:00+05:30", &a)
    };
    pay(&["UTR000111333"]).failed_saying("give 2 bank references");
    pay(&["UTR000111333", "utr000111333"]).failed_saying("UTR000111333 is given twice");
    assert_eq!(log_len(), entries, "a refused payment writes nothing");
    pay(&["UTR000111333", "UTR000111444"]).ok();

    // Back at the kiosk: the family's slip says whose part went where.
    l.run(None, &["lab", "import", s]).ok();
    k.run_env(
        &[("DASTAK_NOW", "2026-12-21T10:00:00+05:30")],
        &["export", "--to", s],
    )
    .ok();
    let (text, _) = paper(&k, "RMP01-C0001/PAID", "en");
    for words in [
        "PAYOUT SLIP",
        "Parts of the nominees",
        "सीता देवी",
        " 60%",
        "मोहन लाल (पुत्र) 40%",
        "₹40.00",
        "Each part by its own transfer",
        "सीता देवी:",
    ] {
        assert!(text.contains(words), "{words} not read in:\n{text}");
    }
    let (text, _) = paper(&k, "RMP01-C0001/PAID", "hi");
    for words in ["भुगतान पर्ची", "अलग ट्रांसफ़र", "सीता देवी", "मोहन लाल"]
    {
        assert!(text.contains(words), "{words} not read in:\n{text}");
    }
    // The references and accounts as the paper's lines print them, in
    // both languages (to tesseract the printer font's zero is a letter O).
    let b = dastak::books::DataDir {
        root: k.dir().to_path_buf(),
    }
    .open_books()
    .expect("books");
    for (lang, reference) in [
        (dastak::i18n::Lang::En, "Bank reference: "),
        (dastak::i18n::Lang::Hi, "बैंक संदर्भ: "),
    ] {
        let doc = b
            .document(
                dastak::print::DocKind::ClaimPayout,
                "RMP01-C0001/PAID",
                lang,
                NOW.parse().expect("now"),
            )
            .expect("slip");
        let lines = renderer_58mm().text(&doc).expect("text").join("\n");
        for want in [
            "सीता देवी: ₹60.00\n".to_string(),
            "मोहन लाल: ₹40.00\n".to_string(),
            "SBIN0005678 ····7777\n".to_string(),
            format!("{reference}UTR000111333\n"),
            "SBIN0001234 ····9012\n".to_string(),
            format!("{reference}UTR000111444\n"),
        ] {
            assert!(lines.contains(&want), "{want} not in:\n{lines}");
        }
    }
}
