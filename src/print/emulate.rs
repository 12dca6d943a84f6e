//! `dastak printer emulate`: a network printer (raw TCP, as on port 9100)
//! that answers status queries and writes every job as a PNG of the paper
//! it would print, beside a `.txt` of the printer text it received. A job
//! ends at a cut, at a status query after printing, or when the connection
//! closes.
//!
//! For training without paper and for tests that look at the receipt. It
//! can be told that it is out of paper (`--paper-out`, or a file named
//! `PAPER-OUT` in the output folder, created and removed while it runs):
//! then it says so when asked and, like a real printer with no paper,
//! prints nothing.
//!
//! Like mini-redis, the server takes a bound listener and a shutdown
//! signal, so tests run it on port 0 and stop it when they are done.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

use crate::print::escpos::{Cmd, Decoder};
use crate::print::paper::Paper;
use crate::print::raster::Shaper;

/// The emulator's settings and shared state.
#[derive(Clone)]
pub struct Emulator {
    pub out: PathBuf,
    pub width: u32,
    pub paper_out: Arc<AtomicBool>,
    jobs: Arc<AtomicU32>,
}

/// The file that, while it exists in the output folder, means no paper.
pub const PAPER_OUT_FILE: &str = "PAPER-OUT";

impl Emulator {
    pub fn new(out: &Path, width: u32, paper_out: bool) -> Emulator {
        Emulator {
            out: out.to_path_buf(),
            width,
            paper_out: Arc::new(AtomicBool::new(paper_out)),
            jobs: Arc::new(AtomicU32::new(0)),
        }
    }

    fn no_paper(&self) -> bool {
        self.paper_out.load(Ordering::SeqCst) || self.out.join(PAPER_OUT_FILE).exists()
    }

    /// Jobs written so far.
    pub fn jobs(&self) -> u32 {
        self.jobs.load(Ordering::SeqCst)
    }

    fn status_byte(&self, n: u8) -> u8 {
        let out = self.no_paper();
        match n {
            // Offline cause: bit 5 = stopped for paper end.
            2 => 0x12 | if out { 0x20 } else { 0 },
            // Roll sensor: bits 2-3 near end, 5-6 paper end.
            4 => 0x12 | if out { 0x6c } else { 0 },
            _ => 0x12 | if out { 0x08 } else { 0 },
        }
    }

    fn finish(&self, paper: &mut Paper) -> std::io::Result<()> {
        if !paper.marked {
            *paper = Paper::new(self.width);
            return Ok(());
        }
        let n = self.jobs.fetch_add(1, Ordering::SeqCst) + 1;
        let png = paper
            .bitmap()
            .to_png()
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let base = self.out.join(format!("job-{n:04}"));
        write_atomically(&base.with_extension("png"), &png)?;
        write_atomically(
            &base.with_extension("txt"),
            paper.text.join("\n").as_bytes(),
        )?;
        *paper = Paper::new(self.width);
        Ok(())
    }

    /// Serves one connection until the peer closes it.
    fn serve(&self, mut stream: TcpStream, shaper: &mut Shaper) -> std::io::Result<()> {
        stream.set_read_timeout(Some(Duration::from_millis(200)))?;
        let mut decoder = Decoder::default();
        let mut paper = Paper::new(self.width);
        let mut buf = [0u8; 16 * 1024];
        loop {
            let n = match stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    continue;
                }
                Err(_) => break,
            };
            decoder.push(&buf[..n]);
            while let Some(cmd) = decoder.next_cmd() {
                match &cmd {
                    Cmd::Status(q) => {
                        // A status query after printing ends the job: that
                        // is how a kiosk asks whether it printed, and the
                        // picture must exist by the time it is answered.
                        self.finish(&mut paper)?;
                        stream.write_all(&[self.status_byte(*q)])?;
                    }
                    // Without paper nothing reaches the paper.
                    _ if self.no_paper() => {}
                    Cmd::Cut => {
                        paper.apply(&cmd, shaper);
                        self.finish(&mut paper)?;
                    }
                    _ => paper.apply(&cmd, shaper),
                }
            }
        }
        self.finish(&mut paper)
    }

    /// Accepts connections on `listener` until `shutdown` is set. One job at
    /// a time, as a printer prints.
    pub fn run(&self, listener: TcpListener, shutdown: Arc<AtomicBool>) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.out)?;
        listener.set_nonblocking(true)?;
        let mut shaper = Shaper::new();
        while !shutdown.load(Ordering::SeqCst) {
            match listener.accept() {
                Ok((stream, _)) => {
                    stream.set_nonblocking(false)?;
                    // A broken connection is that job's problem, not the
                    // emulator's: keep serving the next one.
                    let _ = self.serve(stream, &mut shaper);
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Starts the emulator on a thread; the handle stops it when dropped.
    pub fn spawn(self, listener: TcpListener) -> Running {
        let shutdown = Arc::new(AtomicBool::new(false));
        let stop = shutdown.clone();
        let emu = self.clone();
        let thread = std::thread::spawn(move || {
            let _ = emu.run(listener, stop);
        });
        Running {
            emulator: self,
            shutdown,
            thread: Some(thread),
        }
    }
}

/// A running emulator (tests); stops on drop.
pub struct Running {
    pub emulator: Emulator,
    shutdown: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shutdown.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(tmp, path)
}
