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
/// them from a good claim for सुनीता देवी.
fn file(
    k: &Kiosk,
    by: (&str, &str),
    attester: (&str, &str),
    account: Option<&str>,
    args: &[(&str, &str)],
) -> Run {
    let mut fields: Vec<(&str, &str)> = vec![
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
        "--member",
        "RMP01-00001",
        "--json",
    ];
    for (f, v) in &fields {
        a.extend([*f, *v]);
    }
    let mut env = vec![("DASTAK_PIN", by.1), ("DASTAK_ATTESTER_PIN", attester.1)];
    if let Some(n) = account {
        env.push(("DASTAK_ACCOUNT", n));
    }
    k.run_env(&env, &a)
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
    for entry in std::fs::read_dir(k.dir()).expect("ls").flatten() {
        if entry.path().is_file() {
            let bytes = std::fs::read(entry.path()).expect("read");
            assert!(
                !bytes.windows(digits.len()).any(|w| w == digits.as_bytes()),
                "the account number is in {}",
                entry.path().display()
            );
        }
    }

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

#[test]
fn a_kiosk_not_linked_to_its_lab_cannot_seal_an_account_and_files_nothing() {
    let k = Kiosk::ready();
    k.fund_member();
    let before = books(&k);
    file(&k, ("SUP1", SUP_PIN), ATTESTER, Some(ACCOUNT), &[]).failed_saying("link");
    assert_eq!(books(&k), before);
}
