//! Garbage in every field of every command: a clear one-line message, a
//! non-zero exit, no panic, and the books unchanged.

mod support;

use support::*;

/// Garbage every field is fed: empty, blank, huge, control characters,
/// bidi override, wrong scripts and digits, SQL, negative and absurd numbers.
fn garbage() -> Vec<String> {
    vec![
        String::new(),
        "   ".into(),
        "x".repeat(5000),
        "abc\u{0007}def".into(),
        "Ram\u{202E}lal".into(),
        "王小明".into(),
        "١٢٣".into(),
        "'; DROP TABLE events;--".into(),
        "-1".into(),
        "1e309".into(),
        "99999999999999999999999999".into(),
        "\u{0}".into(),
    ]
}

/// Builds argv and extra environment for a value under test.
type Make = Box<dyn Fn(&str) -> (Vec<String>, Vec<(&'static str, String)>)>;

/// One field of one command: `make(value)` builds the argv and extra
/// environment with `value` in that field and valid values elsewhere.
struct Case {
    name: &'static str,
    pin: &'static str,
    valid: &'static str,
    /// An empty value means "not given" for this optional field.
    empty_ok: bool,
    /// Garbage that is in fact a valid value of this field (`1e309` is a
    /// well-formed group code).
    accepts: &'static [&'static str],
    make: Make,
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

fn arg_case(
    name: &'static str,
    pin: &'static str,
    valid: &'static str,
    empty_ok: bool,
    base: Vec<&'static str>,
    field: &'static str,
) -> Case {
    Case {
        name,
        pin,
        valid,
        empty_ok,
        accepts: &[],
        make: Box::new(move |v| {
            let mut args = s(&base);
            if field.starts_with("--") {
                args.push(field.to_string());
                args.push(v.to_string());
            } else {
                // A positional argument goes right after the (sub)command words.
                let at = args
                    .iter()
                    .position(|a| a.starts_with("--"))
                    .unwrap_or(args.len());
                args.insert(at, v.to_string());
            }
            (args, vec![])
        }),
    }
}

fn env_case(
    name: &'static str,
    pin: &'static str,
    valid: &'static str,
    base: Vec<&'static str>,
    var: &'static str,
) -> Case {
    Case {
        name,
        pin,
        valid,
        empty_ok: false,
        accepts: &[],
        make: Box::new(move |v| (s(&base), vec![(var, v.to_string())])),
    }
}

/// Books without the PIN attempt log and failure counters (every attempt,
/// even a refused command's, is rightly logged and throttled).
fn books_snapshot(k: &Kiosk) -> String {
    k.snapshot()
        .split("## ")
        .filter(|t| !t.starts_with("auth_log") && !t.starts_with("operator_pins"))
        .collect::<Vec<_>>()
        .join("## ")
}

fn run_cases(k: &Kiosk, cases: Vec<Case>) {
    for case in cases {
        let before = books_snapshot(k);
        for g in garbage() {
            if (case.empty_ok && g.trim().is_empty()) || case.accepts.contains(&g.as_str()) {
                continue;
            }
            let (args, env) = (case.make)(&g);
            let mut cmd = k.command(&args.iter().map(String::as_str).collect::<Vec<_>>());
            cmd.env("DASTAK_PIN", case.pin);
            for (key, v) in &env {
                cmd.env(key, v);
            }
            let out = match cmd.output() {
                Ok(o) => run_output(o),
                // A NUL byte cannot be passed in argv or the environment at
                // all: the OS refuses it before dastak runs.
                Err(_) if g.contains('\0') => continue,
                Err(e) => panic!("spawn: {e}"),
            };
            assert!(
                out.status != 0 && out.status != 101 && !out.stderr.contains("panicked"),
                "{}: {:?} was accepted or panicked (status {}):\n{}\n{}",
                case.name,
                g.chars().take(40).collect::<String>(),
                out.status,
                out.stdout,
                out.stderr
            );
            let msg = out.stderr.trim();
            assert!(
                !msg.is_empty() && msg.lines().count() == 1 || out.status == 2,
                "{}: message not one line: {msg}",
                case.name
            );
            // A value the command line itself refuses (clap's, status 2)
            // is still said first in the operator's language.
            assert!(
                msg.starts_with("Error: "),
                "{}: not said in the run's language first: {msg}",
                case.name
            );
            assert!(
                !msg.contains(AADHAAR),
                "{}: the Aadhaar number leaked into a message",
                case.name
            );
            assert_eq!(
                before,
                books_snapshot(k),
                "{}: {:?} changed the books",
                case.name,
                g.chars().take(40).collect::<String>()
            );
        }
        // The same command with a valid value in that field succeeds: the
        // refusals above were about the garbage, not the rest of the command.
        let (args, env) = (case.make)(case.valid);
        let mut cmd = k.command(&args.iter().map(String::as_str).collect::<Vec<_>>());
        cmd.env("DASTAK_PIN", case.pin);
        for (key, v) in &env {
            cmd.env(key, v);
        }
        let out = run_output(cmd.output().expect("spawn"));
        assert_eq!(
            out.status, 0,
            "{} with a valid value failed: {}",
            case.name, out.stderr
        );
    }
}

/// `member add` with `fields`, the one named `field` set to `value`.
fn member_args(fields: &[(&'static str, &'static str)], field: &str, value: &str) -> Vec<String> {
    let mut args = s(&["member", "add", "--operator", "VOL1"]);
    for (f, v) in fields {
        if *f == field {
            continue;
        }
        if *f == "--scheme" && v.is_empty() {
            continue;
        }
        args.push(f.to_string());
        args.push(v.to_string());
    }
    if field.starts_with("--") {
        args.push(field.to_string());
        args.push(value.to_string());
    }
    args
}

#[test]
fn member_add_refuses_garbage_in_every_field() {
    let k = Kiosk::ready();
    // SHG fields: each case's valid run registers a different woman.
    let shg_fields: [(&str, &str, bool); 10] = [
        ("--name", "Asha Saini", false),
        ("--relative-name", "Gopal Saini", false),
        ("--gender", "महिला", false),
        ("--dob", "01-01-1990", true),
        ("--age", "34", false),
        ("--village", "रामपुर", true),
        ("--phone", "+91 98765 43210", true),
        ("--group", "SHG1", false),
        ("--ration-card", "RJ2000", false),
        ("DASTAK_AADHAAR", "", false),
    ];
    let mut cases: Vec<Case> = Vec::new();
    for (i, (field, valid, empty_ok)) in shg_fields.into_iter().enumerate() {
        let name: &'static str = Box::leak(
            format!(
                "Asha {}",
                ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"][i]
            )
            .into_boxed_str(),
        );
        let rc: &'static str = Box::leak(format!("RJ10{i:02}").into_boxed_str());
        let mut fields = vec![
            ("--name", name),
            ("--relative-name", "Gopal Saini"),
            ("--gender", "F"),
            ("--ration-card", rc),
            ("--village", "रामपुर"),
            ("--scheme", "SHG"),
            ("--group", "SHG1"),
            ("--phone", "9876543210"),
        ];
        if field != "--dob" {
            fields.push(("--age", "34"));
        }
        let aadhaar = aadhaar_for(i);
        let valid: &'static str = if field == "DASTAK_AADHAAR" {
            Box::leak(aadhaar.clone().into_boxed_str())
        } else {
            valid
        };
        cases.push(Case {
            name: field,
            pin: VOL_PIN,
            valid,
            empty_ok,
            accepts: &[],
            make: Box::new(move |v| {
                let args = member_args(&fields, field, v);
                let a = if field == "DASTAK_AADHAAR" {
                    v.to_string()
                } else {
                    aadhaar.clone()
                };
                (args, vec![("DASTAK_AADHAAR", a)])
            }),
        });
    }
    // A well-formed place name, however odd it looks.
    cases[5].accepts = &["1e309"];
    cases[8].accepts = &["1e309"];
    // Fund fields: scheme and nominee.
    for (i, (field, valid)) in [
        ("--nominee-name", "सुनीता देवी"),
        ("--nominee-relation", "पत्नी"),
        ("--scheme", "FUND"),
    ]
    .into_iter()
    .enumerate()
    {
        let name: &'static str =
            Box::leak(format!("Fund Person {}", ["A", "B", "C"][i]).into_boxed_str());
        let fields = vec![
            ("--name", name),
            ("--relative-name", "X Y"),
            ("--gender", "M"),
            ("--age", "40"),
            ("--village", "रामपुर"),
            ("--scheme", "FUND"),
            ("--nominee-name", "A B"),
            ("--nominee-relation", "पत्नी"),
        ];
        cases.push(Case {
            name: field,
            pin: VOL_PIN,
            valid,
            empty_ok: false,
            accepts: &[],
            make: Box::new(move |v| (member_args(&fields, field, v), vec![])),
        });
    }
    run_cases(&k, cases);
    k.run(None, &["verify"]).ok();
}

/// Valid, distinct Aadhaar numbers for the cases above.
fn aadhaar_for(i: usize) -> String {
    let prefix = format!("{}", 23_456_789_000u64 + i as u64 * 17);
    let d: Vec<u8> = prefix.bytes().map(|b| b - b'0').collect();
    format!(
        "{prefix}{}",
        dastak::domain::aadhaar::verhoeff_check_digit(&d)
    )
}

#[test]
fn pay_reverse_close_refuse_garbage_in_every_field() {
    let k = Kiosk::ready();
    let id = Box::leak(k.fund_member().into_boxed_str());
    let pay = |skip: &str| {
        let mut b = vec!["pay", "--operator", "VOL1"];
        for (f, v) in [
            ("--member", &*id),
            ("--scheme", "FUND"),
            ("--amount", "100"),
        ] {
            if f != skip {
                b.extend([f, v]);
            }
        }
        b
    };
    let mut cases = vec![
        arg_case(
            "pay --member",
            VOL_PIN,
            id,
            false,
            pay("--member"),
            "--member",
        ),
        arg_case(
            "pay --scheme",
            VOL_PIN,
            "FUND",
            false,
            pay("--scheme"),
            "--scheme",
        ),
        arg_case(
            "pay --amount",
            VOL_PIN,
            "२००",
            false,
            pay("--amount"),
            "--amount",
        ),
        arg_case("pay --periods", VOL_PIN, "1", false, pay(""), "--periods"),
        arg_case(
            "pay --operator",
            VOL_PIN,
            "VOL1",
            false,
            vec!["pay", "--member", id, "--scheme", "FUND"],
            "--operator",
        ),
        // Wrong PINs slow the next try down; the right PIN is tried a
        // minute later, after the wait.
        Case {
            name: "pay DASTAK_PIN",
            pin: VOL_PIN,
            valid: VOL_PIN,
            empty_ok: false,
            accepts: &[],
            make: Box::new(move |v| {
                let later = if v == VOL_PIN {
                    "2026-11-23T10:05:00+05:30"
                } else {
                    NOW
                };
                (
                    s(&pay("")),
                    vec![
                        ("DASTAK_PIN", v.to_string()),
                        ("DASTAK_NOW", later.to_string()),
                    ],
                )
            }),
        },
        // An empty or blank DASTAK_NOW means "not set": the real clock is
        // used, and whether it is believable depends on the day the test
        // runs, so it is not garbage here.
        Case {
            empty_ok: true,
            ..env_case("pay DASTAK_NOW", VOL_PIN, NOW, pay(""), "DASTAK_NOW")
        },
    ];
    cases.push(arg_case(
        "reverse RECEIPT",
        SUP_PIN,
        "RMP01/2026-27/000001",
        false,
        vec!["reverse", "--operator", "SUP1", "--reason", "wrong member"],
        "RECEIPT",
    ));
    cases.push(arg_case(
        "reverse --reason",
        SUP_PIN,
        "typed the wrong member",
        false,
        vec!["reverse", "RMP01/2026-27/000002", "--operator", "SUP1"],
        "--reason",
    ));
    // Expected cash after the cases above: 200 + 100 + 100 + 100 + 100 - 100 - 200 = ₹300... the
    // valid runs decide it, so the close is checked with a variance and a reason.
    cases.push(arg_case(
        "day-close --notes",
        VOL_PIN,
        "500=1",
        true,
        vec![
            "day-close",
            "--operator",
            "VOL1",
            "--reason",
            "counted after lunch",
        ],
        "--notes",
    ));
    cases.push(arg_case(
        "day-close --coins",
        VOL_PIN,
        "5.50",
        true,
        vec![
            "day-close",
            "--operator",
            "VOL1",
            "--notes",
            "10=1",
            "--reason",
            "coins from yesterday",
        ],
        "--coins",
    ));
    cases.push(arg_case(
        "day-close --reason",
        VOL_PIN,
        "one note short",
        false,
        vec!["day-close", "--operator", "VOL1", "--notes", "10=3"],
        "--reason",
    ));
    cases.push(arg_case(
        "confirm-date DATE",
        ADMIN_PIN,
        "23-11-2026",
        false,
        vec!["confirm-date", "--operator", "ADMIN"],
        "DATE",
    ));
    // A reason is free text: punctuation and digits are fine in it, and it
    // is stored through parameterised SQL.
    for c in cases.iter_mut().filter(|c| c.name.ends_with("--reason")) {
        c.accepts = &[
            "'; DROP TABLE events;--",
            "1e309",
            "99999999999999999999999999",
        ];
    }
    run_cases(&k, cases);
    k.run(None, &["verify"]).ok();
}

#[test]
fn setup_commands_refuse_garbage_in_every_field() {
    let k = Kiosk::ready();
    let group = |skip: &str| {
        let mut b = vec!["group", "add", "--operator", "SUP1"];
        for (f, v) in [
            ("--code", "SHG9"),
            ("--name", "नया समूह"),
            ("--village", "सीतापुर"),
        ] {
            if f != skip {
                b.extend([f, v]);
            }
        }
        b
    };
    let op = |skip: &str| {
        let mut b = vec!["operator", "add", "--operator", "ADMIN"];
        for (f, v) in [
            ("--code", "VOL9"),
            ("--name", "Nisha"),
            ("--role", "volunteer"),
        ] {
            if f != skip {
                b.extend([f, v]);
            }
        }
        b
    };
    let new_pin = |mut c: Case| {
        let inner = c.make;
        c.make = Box::new(move |v| {
            let (a, mut e) = inner(v);
            if !e.iter().any(|(k, _)| *k == "DASTAK_NEW_PIN") {
                e.push(("DASTAK_NEW_PIN", "9999".into()));
            }
            (a, e)
        });
        c
    };
    let cases = vec![
        arg_case(
            "group --code",
            SUP_PIN,
            "SHG7",
            false,
            group("--code"),
            "--code",
        ),
        arg_case(
            "group --name",
            SUP_PIN,
            "सखी समूह",
            false,
            group("--name"),
            "--name",
        ),
        arg_case(
            "group --village",
            SUP_PIN,
            "सीतापुर",
            false,
            group("--code"),
            "--village",
        ),
        arg_case(
            "group --scheme",
            SUP_PIN,
            "SHG",
            false,
            group("--village"),
            "--scheme",
        ),
        new_pin(arg_case(
            "operator --code",
            ADMIN_PIN,
            "VOL7",
            false,
            op("--code"),
            "--code",
        )),
        new_pin(arg_case(
            "operator --name",
            ADMIN_PIN,
            "Rekha",
            false,
            op("--name"),
            "--name",
        )),
        new_pin(arg_case(
            "operator --role",
            ADMIN_PIN,
            "supervisor",
            false,
            op("--role"),
            "--role",
        )),
        new_pin(arg_case(
            "operator --language",
            ADMIN_PIN,
            "en",
            false,
            op(""),
            "--language",
        )),
        env_case(
            "operator DASTAK_NEW_PIN",
            ADMIN_PIN,
            "४४४४",
            op(""),
            "DASTAK_NEW_PIN",
        ),
    ];
    // Distinct codes for the valid runs.
    let mut cases = cases;
    cases[2].make = Box::new(|v| {
        (
            s(&[
                "group",
                "add",
                "--operator",
                "SUP1",
                "--code",
                "SHG5",
                "--name",
                "दीप समूह",
                "--village",
                v,
            ]),
            vec![],
        )
    });
    cases[3].make = Box::new(|v| {
        (
            s(&[
                "group",
                "add",
                "--operator",
                "SUP1",
                "--code",
                "SHG6",
                "--name",
                "दीप समूह",
                "--village",
                "रामपुर",
                "--scheme",
                v,
            ]),
            vec![],
        )
    });
    // A blank language means the default, Hindi.
    cases[7].empty_ok = true;
    cases[6].make = Box::new(|v| {
        (
            s(&[
                "operator",
                "add",
                "--operator",
                "ADMIN",
                "--code",
                "SUP4",
                "--name",
                "Veena",
                "--role",
                v,
            ]),
            vec![("DASTAK_NEW_PIN", "9999".into())],
        )
    });
    cases[7].make = Box::new(|v| {
        (
            s(&[
                "operator",
                "add",
                "--operator",
                "ADMIN",
                "--code",
                "VOL6",
                "--name",
                "Uma",
                "--role",
                "volunteer",
                "--language",
                v,
            ]),
            vec![("DASTAK_NEW_PIN", "9999".into())],
        )
    });
    cases[8].make = Box::new(|v| {
        (
            s(&[
                "operator",
                "add",
                "--operator",
                "ADMIN",
                "--code",
                "VOL5",
                "--name",
                "Gita",
                "--role",
                "volunteer",
            ]),
            vec![("DASTAK_NEW_PIN", v.to_string())],
        )
    });
    // Well-formed codes and place names, however odd they look.
    for i in [0, 1, 2, 4] {
        cases[i].accepts = &["1e309"];
    }
    run_cases(&k, cases);
}

#[test]
fn init_refuses_garbage_in_every_field_and_writes_nothing() {
    let fields = [
        "--kiosk",
        "--panchayat",
        "--block",
        "--district",
        "--admin",
        "--admin-name",
        "--language",
    ];
    let valid = ["RMP02", "रामपुर", "सांगानेर", "जयपुर", "ADMIN", "अरुण", "en"];
    for field in &fields {
        let k = Kiosk::empty();
        for g in garbage() {
            // A blank language means the default, Hindi.
            if g.contains('\0') || (*field == "--language" && g.trim().is_empty()) {
                continue;
            }
            let mut args: Vec<String> = vec!["init".into()];
            for (f, v) in fields.iter().zip(valid) {
                args.push(f.to_string());
                args.push(if f == field { g.clone() } else { v.to_string() });
            }
            // Well-formed codes and place names, however odd they look.
            if g == "1e309" {
                continue;
            }
            let out = k.run(
                Some(ADMIN_PIN),
                &args.iter().map(String::as_str).collect::<Vec<_>>(),
            );
            assert!(
                out.status != 0 && out.status != 101,
                "{field} accepted {g:?}"
            );
            let db = k.dir().join("dastak.db");
            if db.exists() {
                assert_eq!(
                    k.count("SELECT COUNT(*) FROM events"),
                    0,
                    "{field}: init half-wrote"
                );
            }
        }
        let args: Vec<String> = std::iter::once("init".to_string())
            .chain(
                fields
                    .iter()
                    .zip(valid)
                    .flat_map(|(f, v)| [f.to_string(), v.to_string()]),
            )
            .collect();
        k.run(
            Some(ADMIN_PIN),
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
        )
        .ok();
    }
}

#[test]
fn garbage_csv_files_are_refused_or_reported_by_line() {
    let k = Kiosk::ready();
    let before = books_snapshot(&k);
    let dir = k.dir().to_path_buf();
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("binary.csv", vec![0, 159, 146, 150, 0, 1, 2]),
        ("header.csv", "name,age\nRam,4\n".as_bytes().to_vec()),
        ("empty.csv", vec![]),
        (
            "latin1.csv",
            b"ration_card,village,member_name,gender,age,relation\nRJ9,R\xe9mpur,A,M,3,head\n"
                .to_vec(),
        ),
    ];
    for (name, bytes) in files {
        let p = dir.join(name);
        std::fs::write(&p, bytes).expect("write");
        let r = k.run(
            Some(VOL_PIN),
            &[
                "households",
                "import",
                p.to_str().expect("utf8"),
                "--operator",
                "VOL1",
            ],
        );
        if name == "latin1.csv" {
            // The file is readable; its one row is bad and reported by line.
            r.ok();
            assert!(r.stderr.contains("line 2"), "{}", r.stderr);
        } else {
            r.failed();
        }
        assert_eq!(before, books_snapshot(&k), "{name} changed the books");
    }
    let missing = k.run(
        Some(VOL_PIN),
        &[
            "households",
            "import",
            "/nonexistent/x.csv",
            "--operator",
            "VOL1",
        ],
    );
    missing.failed();
}

#[test]
fn find_and_show_survive_garbage_queries() {
    let k = Kiosk::ready();
    k.fund_member();
    for g in garbage() {
        if g.contains('\0') {
            continue;
        }
        for cmd in [
            vec!["member", "find", g.as_str()],
            vec!["member", "show", g.as_str()],
            vec!["coverage", "--village", g.as_str()],
        ] {
            let r = k.run(None, &cmd);
            assert!(
                r.status != 101 && !r.stderr.contains("panicked"),
                "{cmd:?} panicked: {}",
                r.stderr
            );
        }
    }
    // SQL wildcards are searched literally.
    let r = k.run(None, &["member", "find", "%", "--json"]);
    assert_eq!(r.ok().stdout.trim(), "[]");
}

#[test]
fn member_enrol_refuses_garbage_in_every_field() {
    let k = Kiosk::ready();
    // Three women in the fund, each of whom may later join the SHG.
    for (i, (name, rc)) in [
        ("Kamla Saini", "RJ0002"),
        ("सुनीता देवी", "RJ0001"),
        ("Meena Jat", "RJ0003"),
    ]
    .iter()
    .enumerate()
    {
        k.member_add(
            &[("DASTAK_AADHAAR", &aadhaar_for(20 + i))],
            &[
                "--name",
                name,
                "--relative-name",
                "Gopal Saini",
                "--gender",
                "F",
                "--age",
                "34",
                "--ration-card",
                rc,
                "--scheme",
                "FUND",
                "--nominee-name",
                "Gopal Saini",
                "--nominee-relation",
                "पति",
            ],
        )
        .ok();
    }
    let cases = vec![
        arg_case(
            "enrol --group",
            VOL_PIN,
            "SHG1",
            false,
            vec![
                "member",
                "enrol",
                "RMP01-00001",
                "--operator",
                "VOL1",
                "--scheme",
                "SHG",
            ],
            "--group",
        ),
        arg_case(
            "enrol --scheme",
            VOL_PIN,
            "shg",
            false,
            vec![
                "member",
                "enrol",
                "RMP01-00002",
                "--operator",
                "VOL1",
                "--group",
                "SHG1",
            ],
            "--scheme",
        ),
        arg_case(
            "enrol ID",
            VOL_PIN,
            "rmp01-00003",
            false,
            vec![
                "member",
                "enrol",
                "--operator",
                "VOL1",
                "--scheme",
                "SHG",
                "--group",
                "SHG1",
            ],
            "ID",
        ),
    ];
    run_cases(&k, cases);
    assert_eq!(
        k.count("SELECT COUNT(*) FROM enrolments WHERE scheme = 'SHG'"),
        3
    );
    k.run(None, &["verify"]).ok();
}

/// What the command line itself refuses (an unknown flag, a value of the
/// wrong kind, a missing flag, a command that does not exist) is said
/// first in the run's language, Hindi by default, for both programs, with
/// clap's own message after it; nothing is written.
#[test]
fn command_line_mistakes_are_said_in_the_operators_language() {
    let k = Kiosk::ready();
    let before = books_snapshot(&k);
    for (lang, args, says) in [
        (
            "hi",
            &[
                "fund",
                "rules",
                "set",
                "--operator",
                "ADMIN",
                "--benefit",
                "-5",
            ][..],
            "त्रुटि: -5 यह कमांड नहीं लेता",
        ),
        (
            "en",
            &[
                "fund",
                "rules",
                "set",
                "--operator",
                "ADMIN",
                "--waiting-days",
                "abc",
            ][..],
            "Error: \"abc\" is not a value --waiting-days <WAITING_DAYS> takes",
        ),
        (
            "hi",
            &["fund", "rules", "set"][..],
            "त्रुटि: इस कमांड को --operator <CODE> चाहिए",
        ),
        ("hi", &["pya"][..], "त्रुटि: \"pya\" नाम का कोई कमांड नहीं है"),
    ] {
        let mut c = k.command(args);
        c.env("DASTAK_LANG", lang).env("DASTAK_PIN", ADMIN_PIN);
        let out = run_output(c.output().expect("spawn dastak"));
        assert_eq!(out.status, 2, "{args:?}: {}", out.stderr);
        let first = out.stderr.lines().next().unwrap_or_default();
        assert!(first.starts_with(says), "{args:?}: {}", out.stderr);
        // clap's own words follow, pointing at the help.
        assert!(out.stderr.contains("--help"), "{}", out.stderr);
    }
    // --lang on the line wins over the environment.
    let out = run_output(
        k.command(&["--lang", "hi", "pay", "--member"])
            .output()
            .expect("spawn dastak"),
    );
    assert!(out.stderr.starts_with("त्रुटि: "), "{}", out.stderr);
    assert_eq!(books_snapshot(&k), before);

    // The lab's program says it the same way.
    let l = lab();
    let out = l.run_env(
        &[("DASTAK_LANG", "hi")],
        &[
            "lab",
            "claims",
            "pay",
            "RMP01-C0001",
            "--as",
            "vera",
            "--amount",
            "100",
        ],
    );
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .starts_with("त्रुटि: इस कमांड को --bank-ref <BANK_REF> चाहिए"),
        "{}",
        out.stderr
    );
}
