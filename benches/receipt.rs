//! Bench: a standard Hindi contribution receipt on a 58 mm printer.
//!
//! Bytes: ours (printer text for ASCII lines, Devanagari lines shaped,
//! cropped to their ink and sent as `GS v 0` bands, blank paper as feed)
//! against the same receipt sent as one full-width raster image — the
//! paper our bytes produce, drawn by the emulator's engine, encoded whole.
//! Wire time at 9600 and 115200 baud (10 bits a byte on the line) against
//! the paper's mechanical print time at 80 mm/s (8 dots a millimetre).
//! Render time (layout + shaping + encoding) after warm-up.
//! Targets: bytes ≤ 25% of full raster; wire time at 115200 baud below the
//! print time; render ≤ 20 ms.

use std::time::{Duration, Instant};

#[path = "support/kiosk.rs"]
mod kiosk;

use dastak::i18n::Lang;
use dastak::print::escpos::{self, Profile};
use dastak::print::paper::print_job;
use dastak::print::{DocKind, Renderer};

fn main() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let t0: jiff::Timestamp = "2026-11-23T04:30:00Z".parse().expect("ts");
    let (mut books, admin) = kiosk::kiosk(tmp.path().join("kiosk"), "RMP01", t0);
    let id = kiosk::fund_member(&mut books, &admin, "सुनीता देवी", "रामलाल मीणा", t0);
    let p = books
        .pay(&admin, &id, "FUND", Some("300"), None, t0)
        .expect("pay");
    let doc = books
        .document(DocKind::Contribution, &p.receipt, Lang::Hi, t0)
        .expect("document");

    let profile = Profile {
        width: 384,
        cutter: false,
        native_qr: false,
    };
    let mut r = Renderer::new(profile, None);
    for _ in 0..20 {
        r.render(&doc).expect("render");
    }
    let mut times: Vec<Duration> = (0..200)
        .map(|_| {
            let a = Instant::now();
            let job = r.render(&doc).expect("render");
            let t = a.elapsed();
            assert!(!job.bytes.is_empty());
            t
        })
        .collect();
    times.sort();
    let job = r.render(&doc).expect("render");
    let ours = job.bytes.len();
    let paper = print_job(&job.bytes, profile.width, &mut r.shaper);
    let mut full = vec![0x1b, b'@'];
    escpos::raster(&mut full, &paper.bitmap());
    let full = full.len();
    let ratio = ours as f64 / full as f64;
    let print_s = paper.height() as f64 / 8.0 / 80.0;
    let wire = |baud: f64, bytes: usize| bytes as f64 * 10.0 / baud;
    let (p50, p99) = (times[times.len() / 2], times[times.len() * 99 / 100]);

    println!(
        "standard Hindi contribution receipt, 58 mm ({} dots), paper {} mm",
        profile.width,
        paper.height() / 8
    );
    println!(
        "  bytes   ours {ours:>7}   full-width raster {full:>7}   ratio {ratio:.3}   target <= 0.25   {}",
        if ratio <= 0.25 { "MET" } else { "NOT MET" }
    );
    for baud in [9600.0, 115_200.0] {
        let (o, f) = (wire(baud, ours), wire(baud, full));
        println!(
            "  wire at {baud:>6} baud: ours {o:>6.2} s   full raster {f:>6.2} s   print time {print_s:.2} s   ours/print {:.2}{}",
            o / print_s,
            if baud > 100_000.0 {
                if o < print_s {
                    "   target < 1   MET"
                } else {
                    "   target < 1   NOT MET"
                }
            } else {
                ""
            }
        );
    }
    println!(
        "  render  p50 {:.2} ms   p99 {:.2} ms   target p50 <= 20 ms   {}",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3,
        if p50.as_secs_f64() <= 0.020 {
            "MET"
        } else {
            "NOT MET"
        }
    );
}
