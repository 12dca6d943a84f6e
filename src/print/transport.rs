//! Getting a job to the printer, and asking it how it is.
//!
//! One URL-like setting names the printer: `serial:///dev/ttyUSB0?baud=115200&flow=rtscts`,
//! `usb:///dev/usb/lp0`, `tcp://HOST:9100`, `file:///path/receipts.bin`.
//! Before a job the printer's status is read (`DLE EOT` on serial and
//! network printers, `LPGETSTATUS` on lp devices): a printer out of paper
//! is not sent a receipt it would print later, by surprise, when paper goes
//! in. After the job it is read again: only a job the printer took and
//! still reports itself well after counts as printed.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use crate::i18n::{Localized, Message, english};
use crate::print::escpos::{PrinterState, parse_status, status_request};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    None,
    RtsCts,
    XonXoff,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrinterUrl {
    Serial { path: String, baud: u32, flow: Flow },
    Usb { path: String },
    Tcp { addr: String },
    File { path: String },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[error("{}", english(self))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PrintError {
    BadUrl {
        url: String,
    },
    NotSet,
    /// The device is not there: unplugged, switched off, wrong address.
    Unplugged {
        detail: String,
    },
    PaperOut,
    CoverOpen,
    Offline,
    /// The printer stopped answering.
    Timeout,
    Io {
        detail: String,
    },
    /// The settings file cannot be read or is wrong: nothing can be sent
    /// until it is fixed (the console reads it for every job).
    Settings {
        path: String,
        detail: String,
    },
}

impl PrintError {
    /// Paper, cover, cable or power: the operator can fix it and reprint.
    pub fn is_retryable(&self) -> bool {
        !matches!(self, PrintError::BadUrl { .. } | PrintError::NotSet)
    }
}

impl Localized for PrintError {
    fn message(&self) -> Message {
        match self {
            PrintError::BadUrl { url } => Message::new("printer.bad_url").arg("url", url),
            PrintError::NotSet => Message::new("printer.not_set"),
            PrintError::Unplugged { detail } => {
                Message::new("printer.unplugged").arg("detail", detail)
            }
            PrintError::PaperOut => Message::new("printer.paper_out"),
            PrintError::CoverOpen => Message::new("printer.cover_open"),
            PrintError::Offline => Message::new("printer.offline"),
            PrintError::Timeout => Message::new("printer.timeout"),
            PrintError::Io { detail } => Message::new("printer.io").arg("detail", detail),
            PrintError::Settings { path, detail } => Message::new("config.bad")
                .arg("path", path)
                .arg("detail", detail),
        }
    }
}

impl std::fmt::Display for PrinterUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PrinterUrl::Serial { path, baud, flow } => {
                let flow = match flow {
                    Flow::None => "none",
                    Flow::RtsCts => "rtscts",
                    Flow::XonXoff => "xonxoff",
                };
                write!(f, "serial://{path}?baud={baud}&flow={flow}")
            }
            PrinterUrl::Usb { path } => write!(f, "usb://{path}"),
            PrinterUrl::Tcp { addr } => write!(f, "tcp://{addr}"),
            PrinterUrl::File { path } => write!(f, "file://{path}"),
        }
    }
}

impl PrinterUrl {
    pub fn parse(s: &str) -> Result<PrinterUrl, PrintError> {
        let bad = || PrintError::BadUrl {
            url: s.chars().take(80).collect(),
        };
        let s = s.trim();
        let (scheme, rest) = s.split_once("://").ok_or_else(bad)?;
        let (target, query) = match rest.split_once('?') {
            Some((t, q)) => (t, Some(q)),
            None => (rest, None),
        };
        if target.is_empty() || target.chars().any(|c| c.is_control()) {
            return Err(bad());
        }
        let mut baud = 9600;
        let mut flow = Flow::None;
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').ok_or_else(bad)?;
            match k {
                "baud" => {
                    baud = v
                        .parse()
                        .ok()
                        .filter(|b| (1200..=921_600).contains(b))
                        .ok_or_else(bad)?
                }
                "flow" => {
                    flow = match v {
                        "none" => Flow::None,
                        "rtscts" | "hardware" => Flow::RtsCts,
                        "xonxoff" | "software" => Flow::XonXoff,
                        _ => return Err(bad()),
                    }
                }
                _ => return Err(bad()),
            }
        }
        let path_like = target.starts_with('/');
        match scheme {
            "serial" if path_like => Ok(PrinterUrl::Serial {
                path: target.to_string(),
                baud,
                flow,
            }),
            "usb" if path_like && query.is_none() => Ok(PrinterUrl::Usb {
                path: target.to_string(),
            }),
            "file" if path_like && query.is_none() => Ok(PrinterUrl::File {
                path: target.to_string(),
            }),
            "tcp" if query.is_none() && valid_host_port(target) => Ok(PrinterUrl::Tcp {
                addr: target.to_string(),
            }),
            _ => Err(bad()),
        }
    }

    /// Whether status can be asked at all (a file cannot answer).
    pub fn has_status(&self) -> bool {
        !matches!(self, PrinterUrl::File { .. })
    }
}

/// `HOST:PORT` with a port from 1 to 65535 and a host of letters, digits,
/// dots and hyphens (a name or an IPv4 address), or `[IPv6]:PORT`.
fn valid_host_port(target: &str) -> bool {
    let Some((host, port)) = target.rsplit_once(':') else {
        return false;
    };
    let port_ok = !port.is_empty()
        && port.len() <= 5
        && port.bytes().all(|b| b.is_ascii_digit())
        && port.parse::<u32>().is_ok_and(|p| (1..=65_535).contains(&p));
    let host_ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => v6.parse::<std::net::Ipv6Addr>().is_ok(),
        None => {
            !host.is_empty()
                && host.len() <= 253
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
                && !host.starts_with(['.', '-'])
        }
    };
    port_ok && host_ok
}

fn io_err(e: &std::io::Error) -> PrintError {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::TimedOut | K::WouldBlock => PrintError::Timeout,
        K::NotFound
        | K::ConnectionRefused
        | K::ConnectionReset
        | K::BrokenPipe
        | K::NotConnected
        | K::HostUnreachable
        | K::NetworkUnreachable
        | K::AddrNotAvailable => PrintError::Unplugged {
            detail: e.to_string(),
        },
        _ if matches!(
            e.raw_os_error(),
            Some(libc::ENODEV | libc::ENXIO | libc::EIO)
        ) =>
        {
            PrintError::Unplugged {
                detail: e.to_string(),
            }
        }
        _ => PrintError::Io {
            detail: e.to_string(),
        },
    }
}

/// A connection that can carry a job and, where the device can say it,
/// status.
enum Conn {
    Stream(Box<dyn ReadWrite>),
    Lp(std::fs::File),
    File(std::fs::File),
}

trait ReadWrite: Read + Write + Send {}
impl<T: Read + Write + Send> ReadWrite for T {}

fn open(url: &PrinterUrl, timeout: Duration) -> Result<Conn, PrintError> {
    match url {
        PrinterUrl::Tcp { addr } => {
            let sock = addr
                .to_socket_addrs()
                .map_err(|e| io_err(&e))?
                .next()
                .ok_or_else(|| PrintError::Unplugged {
                    detail: addr.clone(),
                })?;
            let s = TcpStream::connect_timeout(&sock, timeout).map_err(|e| io_err(&e))?;
            s.set_read_timeout(Some(timeout)).map_err(|e| io_err(&e))?;
            s.set_write_timeout(Some(timeout)).map_err(|e| io_err(&e))?;
            let _ = s.set_nodelay(true);
            Ok(Conn::Stream(Box::new(s)))
        }
        PrinterUrl::Serial { path, baud, flow } => {
            let flow = match flow {
                Flow::None => serialport::FlowControl::None,
                Flow::RtsCts => serialport::FlowControl::Hardware,
                Flow::XonXoff => serialport::FlowControl::Software,
            };
            let port = serialport::new(path, *baud)
                .flow_control(flow)
                .timeout(timeout)
                .open_native()
                .map_err(|e| match e.kind() {
                    serialport::ErrorKind::NoDevice => PrintError::Unplugged {
                        detail: e.to_string(),
                    },
                    serialport::ErrorKind::Io(k) => io_err(&std::io::Error::new(k, e.to_string())),
                    _ => PrintError::Io {
                        detail: e.to_string(),
                    },
                })?;
            Ok(Conn::Stream(Box::new(port)))
        }
        PrinterUrl::Usb { path } => std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map(Conn::Lp)
            .map_err(|e| io_err(&e)),
        PrinterUrl::File { path } => std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)
            .map(Conn::File)
            .map_err(|e| io_err(&e)),
    }
}

/// `LPGETSTATUS` from linux/lp.h.
const LPGETSTATUS: libc::c_ulong = 0x060b;
const LP_POUTPA: libc::c_int = 0x20;
const LP_PSELECD: libc::c_int = 0x10;
const LP_PERRORP: libc::c_int = 0x08;

fn lp_status(f: &std::fs::File) -> Result<Option<PrinterState>, PrintError> {
    use std::os::fd::AsRawFd;
    let mut status: libc::c_int = 0;
    // SAFETY: LPGETSTATUS writes one int through the pointer we pass, which
    // points at a live local; the fd is open for the duration of the call.
    let rc = unsafe { libc::ioctl(f.as_raw_fd(), LPGETSTATUS as _, &mut status) };
    if rc != 0 {
        let e = std::io::Error::last_os_error();
        // Not an lp device (a plain file standing in for one): no status.
        if e.raw_os_error() == Some(libc::ENOTTY) || e.raw_os_error() == Some(libc::EINVAL) {
            return Ok(None);
        }
        return Err(io_err(&e));
    }
    Ok(Some(PrinterState {
        paper_out: status & LP_POUTPA != 0,
        paper_low: false,
        cover_open: false,
        offline: status & LP_PSELECD == 0 || status & LP_PERRORP == 0,
    }))
}

fn ask(stream: &mut Box<dyn ReadWrite>, n: u8) -> Result<u8, PrintError> {
    stream
        .write_all(&status_request(n))
        .map_err(|e| io_err(&e))?;
    stream.flush().map_err(|e| io_err(&e))?;
    let mut b = [0u8; 1];
    match stream.read(&mut b) {
        Ok(1) => Ok(b[0]),
        Ok(_) => Err(PrintError::Unplugged {
            detail: "connection closed".into(),
        }),
        Err(e) => Err(io_err(&e)),
    }
}

fn read_status(conn: &mut Conn) -> Result<Option<PrinterState>, PrintError> {
    match conn {
        Conn::Stream(s) => {
            let offline = ask(s, 2)?;
            let paper = ask(s, 4)?;
            Ok(Some(parse_status(offline, paper)))
        }
        Conn::Lp(f) => lp_status(f),
        Conn::File(_) => Ok(None),
    }
}

/// A printer that answered but cannot print (no paper, cover open,
/// offline) as the error a person is shown.
pub fn refuse(state: Option<PrinterState>) -> Result<(), PrintError> {
    match state {
        Some(s) if s.paper_out => Err(PrintError::PaperOut),
        Some(s) if s.cover_open => Err(PrintError::CoverOpen),
        Some(s) if s.offline => Err(PrintError::Offline),
        _ => Ok(()),
    }
}

/// How a job went, when it went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delivered {
    /// The printer confirmed it was well after the job (a file transport
    /// cannot; a completed write is all it has).
    pub confirmed: bool,
}

/// Asks the printer for its state without printing.
pub fn status(url: &PrinterUrl, timeout: Duration) -> Result<Option<PrinterState>, PrintError> {
    let mut conn = open(url, timeout)?;
    read_status(&mut conn)
}

/// Sends one job: status before, the bytes, status after.
pub fn send(url: &PrinterUrl, bytes: &[u8], timeout: Duration) -> Result<Delivered, PrintError> {
    let mut conn = open(url, timeout)?;
    refuse(read_status(&mut conn)?)?;
    match &mut conn {
        Conn::Stream(s) => {
            s.write_all(bytes).map_err(|e| io_err(&e))?;
            s.flush().map_err(|e| io_err(&e))?;
        }
        Conn::Lp(f) => {
            f.write_all(bytes).map_err(|e| io_err(&e))?;
            f.flush().map_err(|e| io_err(&e))?;
        }
        Conn::File(f) => {
            f.write_all(bytes).map_err(|e| io_err(&e))?;
            f.sync_all().map_err(|e| io_err(&e))?;
        }
    }
    let after = read_status(&mut conn)?;
    refuse(after)?;
    Ok(Delivered {
        confirmed: after.is_some(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printer_urls_parse() {
        assert_eq!(
            PrinterUrl::parse("serial:///dev/ttyUSB0?baud=115200&flow=rtscts"),
            Ok(PrinterUrl::Serial {
                path: "/dev/ttyUSB0".into(),
                baud: 115_200,
                flow: Flow::RtsCts
            })
        );
        assert_eq!(
            PrinterUrl::parse("usb:///dev/usb/lp0"),
            Ok(PrinterUrl::Usb {
                path: "/dev/usb/lp0".into()
            })
        );
        assert_eq!(
            PrinterUrl::parse("tcp://127.0.0.1:9100"),
            Ok(PrinterUrl::Tcp {
                addr: "127.0.0.1:9100".into()
            })
        );
        for bad in [
            "",
            "lpt1",
            "tcp://nohost",
            "serial://ttyUSB0",
            "serial:///dev/ttyUSB0?baud=fast",
            "serial:///dev/ttyUSB0?parity=odd",
            "ftp://x:1",
            "file://relative",
        ] {
            assert!(PrinterUrl::parse(bad).is_err(), "{bad}");
        }
        let u = PrinterUrl::parse("serial:///dev/ttyS0?baud=9600").expect("url");
        assert_eq!(PrinterUrl::parse(&u.to_string()), Ok(u));
    }

    #[test]
    fn a_printer_url_with_a_bad_port_or_host_is_refused() {
        for bad in [
            "tcp://127.0.0.1:19100xyz",
            "tcp://127.0.0.1:0",
            "tcp://127.0.0.1:65536",
            "tcp://127.0.0.1:",
            "tcp://:9100",
            "tcp://print er:9100",
            "tcp://-x:9100",
            "tcp://[nothex]:9100",
        ] {
            assert!(PrinterUrl::parse(bad).is_err(), "{bad}");
        }
        for good in [
            "tcp://printer.local:9100",
            "tcp://[::1]:9100",
            "tcp://10.0.0.9:65535",
        ] {
            assert!(PrinterUrl::parse(good).is_ok(), "{good}");
        }
    }
}
