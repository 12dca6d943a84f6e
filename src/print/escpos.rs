//! ESC/POS: the bytes a thermal receipt printer understands, both ways.
//!
//! [`encode`] turns laid-out [`Block`]s into a job; [`Decoder`] reads a byte
//! stream back into commands, for the emulator and for the byte-exact
//! snapshots of each template's output. We write this small subset
//! ourselves rather than use the `escpos` crate: that crate sends a raster
//! image as one `GS v 0` command of any size, while cheap printers with
//! small buffers need bands of at most about 4 KB, and it has no decoder,
//! which the emulator and the tests need just as much as the encoder.

use sha2::{Digest, Sha256};

use crate::print::raster::Bitmap;
use crate::print::template::Align;

const ESC: u8 = 0x1b;
const GS: u8 = 0x1d;
const DLE: u8 = 0x10;
const LF: u8 = 0x0a;

/// The largest raster band we send in one `GS v 0`.
pub const MAX_BAND_BYTES: usize = 4096;
/// The text line pitch we set with `ESC 3`, in dots.
pub const LINE_DOTS: u32 = 32;
/// Font A: 12 × 24 dots.
pub const CHAR_W: u32 = 12;
pub const CHAR_H: u32 = 24;

/// What a printer can do: the printer profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Profile {
    /// Printable width in dots: 384 (58 mm) or 576 (80 mm).
    pub width: u32,
    pub cutter: bool,
    /// Prints QR codes itself (`GS ( k`, model 2).
    pub native_qr: bool,
}

impl Profile {
    /// Characters of font A on one line.
    pub fn columns(&self, big: bool) -> usize {
        (self.width / CHAR_W / if big { 2 } else { 1 }) as usize
    }
}

/// One laid-out piece of a receipt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// A line of printable ASCII, printed in the printer's own font.
    Text {
        text: String,
        align: Align,
        bold: bool,
        big: bool,
    },
    /// A raster image cropped to its ink, with the blank dots above and
    /// below it that keep the line pitch (sent as paper feed, not dots).
    Image {
        bitmap: Bitmap,
        align: Align,
        before: u32,
        after: u32,
    },
    Qr(String),
    /// Blank paper, in dots.
    Feed(u32),
    Cut,
}

fn align_byte(a: Align) -> u8 {
    match a {
        Align::Left => 0,
        Align::Center => 1,
        Align::Right => 2,
    }
}

fn feed(out: &mut Vec<u8>, mut dots: u32) {
    while dots > 0 {
        let n = dots.min(255);
        out.extend_from_slice(&[ESC, b'J', n as u8]);
        dots -= n;
    }
}

/// A raster image as `GS v 0` bands of at most [`MAX_BAND_BYTES`].
pub fn raster(out: &mut Vec<u8>, b: &Bitmap) {
    let stride = b.width.div_ceil(8) as usize;
    if stride == 0 || b.height == 0 {
        return;
    }
    let packed = b.packed_rows();
    let rows_per_band = (MAX_BAND_BYTES / stride).max(1);
    for band in packed.chunks(rows_per_band * stride) {
        let rows = band.len() / stride;
        out.extend_from_slice(&[
            GS,
            b'v',
            b'0',
            0,
            (stride & 0xff) as u8,
            (stride >> 8) as u8,
            (rows & 0xff) as u8,
            (rows >> 8) as u8,
        ]);
        out.extend_from_slice(band);
    }
}

/// The QR code as dots: `scale` dots a module, with a quiet zone.
pub fn qr_bitmap(payload: &str, scale: u32) -> Option<Bitmap> {
    let code =
        qrcode::QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::M).ok()?;
    let n = code.width() as u32;
    let quiet = 4;
    let side = (n + 2 * quiet) * scale;
    let mut b = Bitmap::new(side, side);
    let colors = code.to_colors();
    for my in 0..n {
        for mx in 0..n {
            if colors[(my * n + mx) as usize] == qrcode::Color::Dark {
                for dy in 0..scale {
                    for dx in 0..scale {
                        b.set((mx + quiet) * scale + dx, (my + quiet) * scale + dy);
                    }
                }
            }
        }
    }
    Some(b)
}

/// Dots per QR module for a paper width: 3 dots (0.375 mm) on 58 mm paper
/// keeps the code about 2 cm wide, which any phone camera reads.
pub fn qr_scale(width: u32) -> u32 {
    if width >= 576 { 4 } else { 3 }
}

fn gs_k(out: &mut Vec<u8>, body: &[u8]) {
    let len = body.len();
    out.extend_from_slice(&[GS, b'(', b'k', (len & 0xff) as u8, (len >> 8) as u8]);
    out.extend_from_slice(body);
}

/// Encodes a receipt for a printer with `profile`.
pub fn encode(blocks: &[Block], profile: &Profile) -> Vec<u8> {
    let mut out = vec![ESC, b'@', ESC, b'3', LINE_DOTS as u8];
    for block in blocks {
        match block {
            Block::Text {
                text,
                align,
                bold,
                big,
            } => {
                out.extend_from_slice(&[ESC, b'a', align_byte(*align)]);
                if *bold {
                    out.extend_from_slice(&[ESC, b'E', 1]);
                }
                if *big {
                    out.extend_from_slice(&[GS, b'!', 0x11]);
                }
                out.extend(text.bytes().filter(|b| (0x20..0x7f).contains(b)));
                out.push(LF);
                if *big {
                    out.extend_from_slice(&[GS, b'!', 0]);
                }
                if *bold {
                    out.extend_from_slice(&[ESC, b'E', 0]);
                }
            }
            Block::Image {
                bitmap,
                align,
                before,
                after,
            } => {
                out.extend_from_slice(&[ESC, b'a', align_byte(*align)]);
                feed(&mut out, *before);
                raster(&mut out, bitmap);
                feed(&mut out, *after);
            }
            Block::Qr(payload) => {
                out.extend_from_slice(&[ESC, b'a', 1]);
                if profile.native_qr {
                    gs_k(&mut out, &[0x31, 0x41, 0x32, 0x00]);
                    gs_k(&mut out, &[0x31, 0x43, qr_scale(profile.width) as u8]);
                    gs_k(&mut out, &[0x31, 0x45, 0x31]);
                    let mut store = vec![0x31, 0x50, 0x30];
                    store.extend_from_slice(payload.as_bytes());
                    gs_k(&mut out, &store);
                    gs_k(&mut out, &[0x31, 0x51, 0x30]);
                } else if let Some(b) = qr_bitmap(payload, qr_scale(profile.width)) {
                    // The quiet zone is blank paper: feed it, do not send it.
                    match b.ink() {
                        Some(ink) => {
                            feed(&mut out, ink.top);
                            raster(&mut out, &b.crop(ink));
                            feed(&mut out, b.height - ink.bottom);
                        }
                        None => raster(&mut out, &b),
                    }
                }
            }
            Block::Feed(dots) => feed(&mut out, *dots),
            Block::Cut => {
                if profile.cutter {
                    // Feed to the blade, then a partial cut.
                    out.extend_from_slice(&[GS, b'V', 66, 0]);
                } else {
                    // No cutter: bring the end of the receipt past the
                    // tear bar.
                    out.extend_from_slice(&[ESC, b'd', 4]);
                }
            }
        }
    }
    out.extend_from_slice(&[ESC, b'a', 0]);
    out
}

/// A real-time status request (`DLE EOT n`): 1 printer, 2 offline cause,
/// 4 paper roll sensor.
pub fn status_request(n: u8) -> [u8; 3] {
    [DLE, 0x04, n]
}

/// What the printer said about itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PrinterState {
    pub paper_out: bool,
    pub paper_low: bool,
    pub cover_open: bool,
    pub offline: bool,
}

/// Reads the answer to `DLE EOT 2` (offline cause) and `DLE EOT 4` (paper).
pub fn parse_status(offline_cause: u8, paper: u8) -> PrinterState {
    PrinterState {
        cover_open: offline_cause & 0x04 != 0,
        paper_out: paper & 0x60 != 0 || offline_cause & 0x20 != 0,
        paper_low: paper & 0x0c != 0,
        offline: offline_cause & 0x40 != 0,
    }
}

/// One command read back from a byte stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cmd {
    Init,
    Align(u8),
    Bold(bool),
    /// `GS !`: width and height multipliers.
    Size(u8),
    LineSpacing(Option<u8>),
    Text(Vec<u8>),
    Lf,
    FeedDots(u8),
    FeedLines(u8),
    Raster {
        width_bytes: u16,
        height: u16,
        data: Vec<u8>,
    },
    QrStore(Vec<u8>),
    QrPrint,
    /// Other `GS ( k` QR settings (model, size, error correction).
    QrSetting(Vec<u8>),
    Cut,
    Status(u8),
    /// A command we do not interpret, kept whole.
    Other(Vec<u8>),
}

/// Splits a byte stream into commands. Feed it bytes as they arrive; it
/// keeps an incomplete command until the rest comes.
#[derive(Default)]
pub struct Decoder {
    buf: Vec<u8>,
}

impl Decoder {
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete command, if the buffer holds one.
    pub fn next_cmd(&mut self) -> Option<Cmd> {
        let (cmd, used) = decode_one(&self.buf)?;
        self.buf.drain(..used);
        Some(cmd)
    }

    /// Bytes of an unfinished command left at the end of the stream.
    pub fn leftover(&self) -> usize {
        self.buf.len()
    }
}

fn decode_one(b: &[u8]) -> Option<(Cmd, usize)> {
    let first = *b.first()?;
    let at = |i: usize| b.get(i).copied();
    Some(match first {
        LF => (Cmd::Lf, 1),
        DLE => {
            if at(1)? == 0x04 {
                (Cmd::Status(at(2)?), 3)
            } else {
                (Cmd::Other(vec![DLE, at(1)?]), 2)
            }
        }
        ESC => match at(1)? {
            b'@' => (Cmd::Init, 2),
            b'a' => (Cmd::Align(at(2)?), 3),
            b'E' => (Cmd::Bold(at(2)? & 1 == 1), 3),
            b'3' => (Cmd::LineSpacing(Some(at(2)?)), 3),
            b'2' => (Cmd::LineSpacing(None), 2),
            b'J' => (Cmd::FeedDots(at(2)?), 3),
            b'd' => (Cmd::FeedLines(at(2)?), 3),
            b'!' => (Cmd::Size(if at(2)? & 0x30 != 0 { 0x11 } else { 0 }), 3),
            c @ (b't' | b'M' | b'-' | b'G' | b'R' | b'{' | b'V') => {
                (Cmd::Other(vec![ESC, c, at(2)?]), 3)
            }
            c => (Cmd::Other(vec![ESC, c]), 2),
        },
        GS => match at(1)? {
            b'!' => (Cmd::Size(at(2)?), 3),
            b'V' => {
                let m = at(2)?;
                if m == 65 || m == 66 {
                    at(3)?;
                    (Cmd::Cut, 4)
                } else {
                    (Cmd::Cut, 3)
                }
            }
            b'v' => {
                if at(2)? != b'0' {
                    return Some((Cmd::Other(vec![GS, b'v']), 2));
                }
                let xl = at(4)? as usize;
                let xh = at(5)? as usize;
                let yl = at(6)? as usize;
                let yh = at(7)? as usize;
                let w = xl | (xh << 8);
                let h = yl | (yh << 8);
                let end = 8 + w * h;
                if b.len() < end {
                    return None;
                }
                (
                    Cmd::Raster {
                        width_bytes: w as u16,
                        height: h as u16,
                        data: b[8..end].to_vec(),
                    },
                    end,
                )
            }
            b'(' => {
                let fn_code = at(2)?;
                let len = at(3)? as usize | ((at(4)? as usize) << 8);
                let end = 5 + len;
                if b.len() < end {
                    return None;
                }
                let body = b[5..end].to_vec();
                let cmd = match (fn_code, body.get(1).copied(), body.get(2).copied()) {
                    (b'k', Some(0x50), Some(0x30)) => Cmd::QrStore(body[3..].to_vec()),
                    (b'k', Some(0x51), _) => Cmd::QrPrint,
                    (b'k', _, _) => Cmd::QrSetting(body),
                    _ => Cmd::Other(b[..end].to_vec()),
                };
                (cmd, end)
            }
            c => (Cmd::Other(vec![GS, c]), 2),
        },
        _ => {
            let n = b
                .iter()
                .position(|&c| c < 0x20 || c == 0x7f)
                .unwrap_or(b.len());
            if n == 0 {
                (Cmd::Other(vec![first]), 1)
            } else {
                (Cmd::Text(b[..n].to_vec()), n)
            }
        }
    })
}

/// A readable listing of a job, one command a line, raster data as its
/// size and SHA-256: byte-exact, yet a reviewer can read what changed.
pub fn disassemble(bytes: &[u8]) -> String {
    let mut d = Decoder::default();
    d.push(bytes);
    let mut out = String::new();
    while let Some(cmd) = d.next_cmd() {
        let line = match cmd {
            Cmd::Text(t) => format!("text {:?}", String::from_utf8_lossy(&t)),
            Cmd::Raster {
                width_bytes,
                height,
                data,
            } => format!(
                "raster {}x{} sha256:{}",
                u32::from(width_bytes) * 8,
                height,
                &hex::encode(Sha256::digest(&data))[..16]
            ),
            Cmd::QrStore(p) => format!("qr-store {:?}", String::from_utf8_lossy(&p)),
            other => format!("{other:?}"),
        };
        out.push_str(&line);
        out.push('\n');
    }
    if d.leftover() > 0 {
        out.push_str(&format!("incomplete {} bytes\n", d.leftover()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_images_go_in_bands_of_at_most_4_kb() {
        let mut b = Bitmap::new(576, 200);
        b.set(0, 0);
        let mut out = Vec::new();
        raster(&mut out, &b);
        let mut d = Decoder::default();
        d.push(&out);
        let mut rows = 0;
        while let Some(Cmd::Raster {
            width_bytes,
            height,
            data,
        }) = d.next_cmd()
        {
            assert!(data.len() <= MAX_BAND_BYTES);
            assert_eq!(width_bytes, 72);
            rows += u32::from(height);
        }
        assert_eq!(rows, 200);
    }

    #[test]
    fn a_command_split_across_reads_is_decoded_once_whole() {
        let mut b = Bitmap::new(16, 3);
        b.set(1, 1);
        let mut out = Vec::new();
        raster(&mut out, &b);
        let mut d = Decoder::default();
        d.push(&out[..5]);
        assert_eq!(d.next_cmd(), None);
        d.push(&out[5..]);
        assert!(matches!(d.next_cmd(), Some(Cmd::Raster { height: 3, .. })));
    }

    #[test]
    fn status_bits() {
        assert!(parse_status(0x12, 0x72).paper_out);
        assert!(!parse_status(0x12, 0x12).paper_out);
        assert!(parse_status(0x16, 0x12).cover_open);
    }
}
