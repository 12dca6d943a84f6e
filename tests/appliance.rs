//! What the kiosk image relies on from the program: the Debian package's
//! default settings in /etc until the kiosk has its own, and the clock
//! floor that keeps a Pi without a battery clock from starting before the
//! last record. (The image itself is checked by `kiosk-image/boot-test`
//! under qemu.)

mod support;

use support::*;

#[test]
fn the_packages_default_settings_are_read_until_the_kiosk_has_its_own() {
    let k = Kiosk::initialised();
    let system = k.dir().join("system.toml");
    // A wrong default: every command that reads the settings says so.
    std::fs::write(&system, "[printer]\npaper = 72\n").expect("write");
    let env = [("DASTAK_SYSTEM_CONFIG", system.to_str().expect("utf-8"))];
    let r = k.run_env(&env, &["printer", "status"]);
    r.failed_saying("72");
    // The kiosk's own file, once written, is all there is.
    std::fs::write(
        k.dir().join("dastak.toml"),
        "[printer]\nurl = \"none\"\npaper = 80\n",
    )
    .expect("write");
    let r = k.run_env(&env, &["printer", "status"]);
    assert!(!r.stderr.contains("72"), "{}", r.stderr);
}

/// What `dastak clock-floor` prints, as seconds.
fn clock_floor(k: &Kiosk) -> i64 {
    let r = k.run(None, &["clock-floor"]);
    r.ok().stdout.trim().parse().expect("seconds")
}

#[test]
fn the_clock_floor_is_the_last_records_time() {
    let empty = Kiosk::empty();
    assert_eq!(clock_floor(&empty), 0);

    let k = Kiosk::demo(5);
    let floor = clock_floor(&k);
    // The demo's last record is before it was made, and after its year began.
    let made = jiff::Timestamp::from_second(floor).expect("time");
    assert!(
        made < "2026-11-23T02:30:00Z"
            .parse::<jiff::Timestamp>()
            .expect("t"),
        "{made}"
    );
    assert!(
        made > "2026-01-01T00:00:00Z"
            .parse::<jiff::Timestamp>()
            .expect("t"),
        "{made}"
    );
    // A later payment raises the floor to its own time.
    k.run_env(
        &[("DASTAK_PIN", VOL_PIN), ("DASTAK_PRINTER", "none")],
        &[
            "pay",
            "--operator",
            "VOL1",
            "--member",
            "DEMO01-00001",
            "--scheme",
            "FUND",
        ],
    )
    .ok();
    let after = clock_floor(&k);
    let now: jiff::Timestamp = NOW.parse().expect("NOW");
    assert_eq!(after, now.as_second());
}

#[test]
fn verify_beside_payments_being_taken_finds_no_problem() {
    // The boot test runs `dastak verify` while payments go on; verify read
    // the ledger and the tables derived from it at two moments and
    // reported a payment committed in between as a problem.
    let k = Kiosk::demo(5);
    let dir = k.dir().to_path_buf();
    let payer = std::thread::spawn(move || {
        for _ in 0..20 {
            run_output(
                dastak_in(
                    &dir,
                    &["pay", "--operator", "VOL1", "--member", "DEMO01-00001"],
                )
                .args(["--scheme", "FUND", "--amount", "100"])
                .env("DASTAK_PIN", VOL_PIN)
                .env("DASTAK_PRINTER", "none")
                .output()
                .expect("pay"),
            )
            .ok();
        }
    });
    let mut runs = 0;
    while !payer.is_finished() {
        let r = k.run(None, &["verify", "--json"]);
        assert_eq!(r.status, 0, "{}", r.stdout);
        runs += 1;
    }
    payer.join().expect("payer");
    assert!(runs > 1, "verify ran {runs} time(s) beside the payments");
}
