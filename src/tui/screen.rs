//! The console on the kiosk's own screen: ratatui's cell buffer painted
//! with cosmic-text onto the Linux framebuffer.
//!
//! Why not a terminal: the Pi's text console cannot shape Devanagari at
//! all, and the terminals that can put each character in a fixed cell —
//! foot 1.21 overlaps and clips matras and conjuncts there, foot 1.13 forms
//! no conjuncts. So on the kiosk the screens render exactly as in every pty
//! test, into ratatui's cell buffer, and [`Painter`] draws that buffer with
//! the receipts' own shaper ([`crate::print::raster::Shaper`]): each word is
//! shaped whole (matras, conjuncts, reph, nukta as on paper) and starts at
//! its first cell's column, so Devanagari and Latin columns line up. A word
//! wider than the cells up to the next word is drawn smaller, never
//! clipped. Box and block characters, which the bundled fonts lack, are
//! drawn as lines and rectangles. Keys still come from the tty (crossterm in
//! raw mode); only the output differs from the terminal console.
//!
//! [`Framebuffer`] writes frames to `/dev/fb0` (fbdev, which the kernel's
//! DRM drivers emulate on the Pi's vc4 and on qemu's virtio-gpu alike), or
//! to a plain file of XRGB8888 pixels for tests and reference renderings.
//! It is written here rather than taken from a crate: it is two ioctls and a
//! `pwrite`, and the fbdev crates on crates.io are unmaintained.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;

use ratatui::buffer::{Buffer, Cell};
use ratatui::style::{Color, Modifier};

use crate::print::raster::{Shaper, TextStyle};

/// The console's grid must hold at least this many cells: the screens are
/// laid out for an 80×24 terminal.
pub const MIN_COLS: u32 = 80;
pub const MIN_ROWS: u32 = 24;

/// Cell width and height as fractions of the font size: Latin letters of
/// Noto Sans average about 0.55 em; Devanagari needs 1.5 em of line for
/// marks above and below (as on the receipts).
const CELL_W_EM: f32 = 0.6;
const CELL_H_EM: f32 = 1.5;

const DEFAULT_BG: [u8; 3] = [0x12, 0x16, 0x1c];
const DEFAULT_FG: [u8; 3] = [0xec, 0xec, 0xec];

/// An RGB picture of the whole screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Canvas {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<[u8; 3]>,
}

impl Canvas {
    pub fn new(width: u32, height: u32) -> Canvas {
        Canvas {
            width,
            height,
            pixels: vec![DEFAULT_BG; (width as usize) * (height as usize)],
        }
    }

    fn fill(&mut self, x: u32, y: u32, w: u32, h: u32, rgb: [u8; 3]) {
        for yy in y..(y + h).min(self.height) {
            let row = (yy * self.width) as usize;
            for xx in x..(x + w).min(self.width) {
                self.pixels[row + xx as usize] = rgb;
            }
        }
    }

    fn blend(&mut self, x: i64, y: i64, rgb: [u8; 3], alpha: u8) {
        if x < 0 || y < 0 || x >= i64::from(self.width) || y >= i64::from(self.height) {
            return;
        }
        let p = &mut self.pixels[(y as usize) * (self.width as usize) + x as usize];
        let a = u16::from(alpha);
        for i in 0..3 {
            p[i] = ((u16::from(rgb[i]) * a + u16::from(p[i]) * (255 - a)) / 255) as u8;
        }
    }

    /// The picture as a PNG file's bytes.
    pub fn to_png(&self) -> Result<Vec<u8>, png::EncodingError> {
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, self.width, self.height);
            enc.set_color(png::ColorType::Rgb);
            enc.set_depth(png::BitDepth::Eight);
            let mut w = enc.write_header()?;
            w.write_image_data(self.pixels.as_flattened())?;
        }
        Ok(out)
    }

    /// The picture as a binary PPM (P6) file's bytes: what qemu's
    /// `screendump` writes, so a boot test can compare the two byte by byte.
    pub fn to_ppm(&self) -> Vec<u8> {
        let mut out = format!("P6\n{} {}\n255\n", self.width, self.height).into_bytes();
        out.extend_from_slice(self.pixels.as_flattened());
        out
    }

    /// Reads back a frame of XRGB8888 pixels (as [`Framebuffer`] writes a
    /// plain file).
    pub fn from_xrgb(width: u32, height: u32, bytes: &[u8]) -> Option<Canvas> {
        let n = (width as usize) * (height as usize);
        if bytes.len() < n * 4 {
            return None;
        }
        let pixels = bytes[..n * 4]
            .chunks_exact(4)
            .map(|p| [p[2], p[1], p[0]])
            .collect();
        Some(Canvas {
            width,
            height,
            pixels,
        })
    }
}

/// Paints ratatui cell buffers with shaped text.
pub struct Painter {
    shaper: Shaper,
    size: f32,
    cell_w: u32,
    cell_h: u32,
    /// Where every word's baseline goes: the Devanagari font's, so that a
    /// Latin word beside a Hindi one sits on the same line.
    baseline: f32,
}

impl Painter {
    /// A painter whose grid of at least [`MIN_COLS`]×[`MIN_ROWS`] cells
    /// fills a `width`×`height` screen with the largest text that fits.
    pub fn for_screen(width: u32, height: u32) -> Painter {
        let by_w = width as f32 / (MIN_COLS as f32 * CELL_W_EM);
        let by_h = height as f32 / (MIN_ROWS as f32 * CELL_H_EM);
        let size = by_w.min(by_h).floor().max(8.0);
        let mut shaper = Shaper::new();
        let baseline = shaper.shape("क", TextStyle { size, bold: false }).baseline;
        Painter {
            shaper,
            baseline,
            size,
            cell_w: ((size * CELL_W_EM).floor() as u32).max(1),
            cell_h: ((size * CELL_H_EM).floor() as u32).max(1),
        }
    }

    /// Columns and rows of the grid on a `width`×`height` screen.
    pub fn grid(&self, width: u32, height: u32) -> (u16, u16) {
        let cols = (width / self.cell_w).min(u32::from(u16::MAX)) as u16;
        let rows = (height / self.cell_h).min(u32::from(u16::MAX)) as u16;
        (cols, rows)
    }

    fn style(&self, bold: bool) -> TextStyle {
        TextStyle {
            size: self.size,
            bold,
        }
    }

    /// Paints every cell of `buf` onto `canvas` (cleared first).
    pub fn paint(&mut self, buf: &Buffer, canvas: &mut Canvas) {
        canvas.pixels.fill(DEFAULT_BG);
        let area = buf.area;
        for row in area.top()..area.bottom() {
            let row_cells: Vec<&Cell> = (area.left()..area.right())
                .filter_map(|col| buf.cell((col, row)))
                .collect();
            let cells = with_continuations(&row_cells);
            let y = u32::from(row - area.top()) * self.cell_h;
            for (i, cell) in cells.iter().enumerate() {
                let (_, bg) = colours(cell.cell);
                if bg != DEFAULT_BG {
                    canvas.fill(i as u32 * self.cell_w, y, self.cell_w, self.cell_h, bg);
                }
            }
            self.paint_words(&cells, y, canvas);
        }
    }

    fn paint_words(&mut self, cells: &[Slot<'_>], y: u32, canvas: &mut Canvas) {
        let mut i = 0;
        while i < cells.len() {
            let cell = cells[i];
            if cell.is_blank() || cell.symbol.is_empty() {
                i += 1;
                continue;
            }
            let x = i as u32 * self.cell_w;
            let (fg, _) = colours(cell.cell);
            if let Some(shape) = drawn_shape(cell.symbol) {
                self.draw_shape(shape, x, y, fg, canvas);
                i += 1;
                continue;
            }
            // A word: cells up to the next blank, box character or change
            // of style.
            let start = i;
            let mut text = String::new();
            while i < cells.len() {
                let c = cells[i];
                if i > start
                    && (c.is_blank()
                        || drawn_shape(c.symbol).is_some()
                        || (c.cell.fg, c.cell.modifier) != (cell.cell.fg, cell.cell.modifier))
                {
                    break;
                }
                text.push_str(c.symbol);
                i += 1;
            }
            // Room: up to the next cell that is not blank.
            let mut end = i;
            while end < cells.len() && cells[end].is_blank() {
                end += 1;
            }
            let room = (end - start) as u32 * self.cell_w;
            let bold = cell.cell.modifier.contains(Modifier::BOLD);
            // Shaped once; again, smaller, only when it does not fit.
            let mut shaped = self.shaper.shape(&text, self.style(bold));
            let natural = shaped.width;
            let mut top = i64::from(y) + (self.baseline - shaped.baseline).round() as i64;
            if natural > room && natural > 0 {
                // Smaller, never clipped or overlapping the next word.
                let scale = (room as f32 / natural as f32).max(0.5);
                let mut style = self.style(bold);
                style.size = (self.size * scale).floor();
                top += i64::from(self.cell_h.saturating_sub(style.line_height()) / 2);
                shaped = self.shaper.shape(&text, style);
            }
            self.shaper
                .paint_shaped(&mut shaped, i64::from(x), top, |px, py, a| {
                    canvas.blend(px, py, fg, a)
                });
            if cell.cell.modifier.contains(Modifier::UNDERLINED) {
                let w = ((i - start) as u32 * self.cell_w).max(natural.min(room));
                let thick = (self.cell_h / 16).max(1);
                canvas.fill(x, y + self.cell_h - 2 * thick, w, thick, fg);
            }
        }
    }

    fn draw_shape(&self, shape: Shape, x: u32, y: u32, fg: [u8; 3], canvas: &mut Canvas) {
        let (w, h) = (self.cell_w, self.cell_h);
        match shape {
            Shape::Block {
                left,
                top,
                right,
                bottom,
            } => {
                let (x0, x1) = (x + w * left / 8, x + w * right / 8);
                let (y0, y1) = (y + h * top / 8, y + h * bottom / 8);
                canvas.fill(x0, y0, (x1 - x0).max(1), (y1 - y0).max(1), fg);
            }
            Shape::Strokes(segments) => {
                let t = (w / 7).max(2);
                for [(x0, y0), (x1, y1)] in segments {
                    let (ax, ay) = (x as f32 + x0 * w as f32, y as f32 + y0 * h as f32);
                    let (bx, by) = (x as f32 + x1 * w as f32, y as f32 + y1 * h as f32);
                    let steps = (bx - ax).abs().max((by - ay).abs()).ceil().max(1.0) as u32;
                    for i in 0..=steps {
                        let f = i as f32 / steps as f32;
                        let (px, py) = (ax + (bx - ax) * f, ay + (by - ay) * f);
                        let (px, py) = (
                            (px - t as f32 / 2.0).max(0.0),
                            (py - t as f32 / 2.0).max(0.0),
                        );
                        canvas.fill(px as u32, py as u32, t, t, fg);
                    }
                }
            }
            Shape::Lines {
                left,
                right,
                up,
                down,
            } => {
                let t = (w / 8).max(1);
                let (cx, cy) = (x + w / 2 - t / 2, y + h / 2 - t / 2);
                if left {
                    canvas.fill(x, cy, cx - x + t, t, fg);
                }
                if right {
                    canvas.fill(cx, cy, x + w - cx, t, fg);
                }
                if up {
                    canvas.fill(cx, y, t, cy - y + t, fg);
                }
                if down {
                    canvas.fill(cx, cy, t, y + h - cy, fg);
                }
            }
        }
    }
}

/// One cell as the painter sees it. ratatui keeps a wide grapheme in its
/// first cell and resets the cells it covers to a plain blank; those get an
/// empty symbol and the grapheme's cell (its style), so that the word goes
/// on through them and its background is unbroken.
#[derive(Clone, Copy, Debug)]
struct Slot<'a> {
    symbol: &'a str,
    cell: &'a Cell,
}

impl Slot<'_> {
    fn is_blank(&self) -> bool {
        self.symbol == " "
    }
}

fn with_continuations<'a>(row: &[&'a Cell]) -> Vec<Slot<'a>> {
    let mut out: Vec<Slot<'a>> = Vec::with_capacity(row.len());
    let mut covered_until = 0;
    let mut lead: Option<&'a Cell> = None;
    for (i, cell) in row.iter().enumerate() {
        match lead {
            Some(l) if i < covered_until && cell.symbol() == " " => out.push(Slot {
                symbol: "",
                cell: l,
            }),
            _ => {
                let width = unicode_width::UnicodeWidthStr::width(cell.symbol()).max(1);
                covered_until = i + width;
                lead = Some(cell);
                out.push(Slot {
                    symbol: cell.symbol(),
                    cell,
                });
            }
        }
    }
    out
}

/// A character drawn geometrically: the bundled Noto fonts have no box
/// drawing or block elements.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    /// A filled part of the cell, in eighths.
    Block {
        left: u32,
        top: u32,
        right: u32,
        bottom: u32,
    },
    /// Strokes between points given as fractions of the cell (arrows,
    /// ticks and crosses, which Noto Sans also lacks).
    Strokes(&'static [[(f32, f32); 2]]),
    /// Light lines from the cell's centre.
    Lines {
        left: bool,
        right: bool,
        up: bool,
        down: bool,
    },
}

fn drawn_shape(symbol: &str) -> Option<Shape> {
    let mut chars = symbol.chars();
    let c = chars.next()?;
    if chars.next().is_some() {
        return None;
    }
    let block = |left, top, right, bottom| {
        Some(Shape::Block {
            left,
            top,
            right,
            bottom,
        })
    };
    let lines = |left, right, up, down| {
        Some(Shape::Lines {
            left,
            right,
            up,
            down,
        })
    };
    match c {
        '█' => block(0, 0, 8, 8),
        '▀' => block(0, 0, 8, 4),
        '▄' => block(0, 4, 8, 8),
        '▌' => block(0, 0, 4, 8),
        '▐' => block(4, 0, 8, 8),
        '▏' => block(0, 0, 1, 8),
        '▕' => block(7, 0, 8, 8),
        '↑' => Some(Shape::Strokes(&[
            [(0.5, 0.25), (0.5, 0.8)],
            [(0.5, 0.25), (0.22, 0.45)],
            [(0.5, 0.25), (0.78, 0.45)],
        ])),
        '↓' => Some(Shape::Strokes(&[
            [(0.5, 0.25), (0.5, 0.8)],
            [(0.5, 0.8), (0.22, 0.6)],
            [(0.5, 0.8), (0.78, 0.6)],
        ])),
        '→' => Some(Shape::Strokes(&[
            [(0.1, 0.55), (0.9, 0.55)],
            [(0.9, 0.55), (0.6, 0.42)],
            [(0.9, 0.55), (0.6, 0.68)],
        ])),
        '←' => Some(Shape::Strokes(&[
            [(0.1, 0.55), (0.9, 0.55)],
            [(0.1, 0.55), (0.4, 0.42)],
            [(0.1, 0.55), (0.4, 0.68)],
        ])),
        '↳' => Some(Shape::Strokes(&[
            [(0.25, 0.3), (0.25, 0.6)],
            [(0.25, 0.6), (0.85, 0.6)],
            [(0.85, 0.6), (0.65, 0.48)],
            [(0.85, 0.6), (0.65, 0.72)],
        ])),
        '✓' => Some(Shape::Strokes(&[
            [(0.12, 0.55), (0.4, 0.75)],
            [(0.4, 0.75), (0.88, 0.3)],
        ])),
        '✗' => Some(Shape::Strokes(&[
            [(0.2, 0.3), (0.8, 0.75)],
            [(0.8, 0.3), (0.2, 0.75)],
        ])),
        '─' | '━' => lines(true, true, false, false),
        '│' | '┃' => lines(false, false, true, true),
        '┌' | '╭' => lines(false, true, false, true),
        '┐' | '╮' => lines(true, false, false, true),
        '└' | '╰' => lines(false, true, true, false),
        '┘' | '╯' => lines(true, false, true, false),
        '├' => lines(false, true, true, true),
        '┤' => lines(true, false, true, true),
        '┬' => lines(true, true, false, true),
        '┴' => lines(true, true, true, false),
        '┼' => lines(true, true, true, true),
        _ => None,
    }
}

/// Foreground and background of a cell, reversed and dimmed as a terminal
/// would show them.
fn colours(cell: &Cell) -> ([u8; 3], [u8; 3]) {
    let mut fg = rgb(cell.fg).unwrap_or(DEFAULT_FG);
    let mut bg = rgb(cell.bg).unwrap_or(DEFAULT_BG);
    if cell.modifier.contains(Modifier::REVERSED) {
        std::mem::swap(&mut fg, &mut bg);
    }
    if cell.modifier.contains(Modifier::DIM) {
        for i in 0..3 {
            fg[i] = ((u16::from(fg[i]) + u16::from(bg[i])) / 2) as u8;
        }
    }
    (fg, bg)
}

/// The xterm palette, which the screens were designed against.
fn rgb(c: Color) -> Option<[u8; 3]> {
    Some(match c {
        Color::Reset => return None,
        Color::Black => [0x00, 0x00, 0x00],
        Color::Red => [0xcd, 0x31, 0x31],
        Color::Green => [0x3c, 0xb3, 0x71],
        Color::Yellow => [0xe5, 0xc0, 0x2a],
        Color::Blue => [0x3b, 0x78, 0xff],
        Color::Magenta => [0xbc, 0x3f, 0xbc],
        Color::Cyan => [0x29, 0xb8, 0xdb],
        Color::Gray => [0xc0, 0xc0, 0xc0],
        Color::DarkGray => [0x70, 0x70, 0x70],
        Color::LightRed => [0xf1, 0x4c, 0x4c],
        Color::LightGreen => [0x5f, 0xd7, 0x87],
        Color::LightYellow => [0xf5, 0xf5, 0x43],
        Color::LightBlue => [0x5c, 0x9c, 0xff],
        Color::LightMagenta => [0xd6, 0x70, 0xd6],
        Color::LightCyan => [0x5f, 0xd7, 0xff],
        Color::White => [0xff, 0xff, 0xff],
        Color::Rgb(r, g, b) => [r, g, b],
        Color::Indexed(i) => return indexed(i),
    })
}

fn indexed(i: u8) -> Option<[u8; 3]> {
    const NAMED: [Color; 16] = [
        Color::Black,
        Color::Red,
        Color::Green,
        Color::Yellow,
        Color::Blue,
        Color::Magenta,
        Color::Cyan,
        Color::Gray,
        Color::DarkGray,
        Color::LightRed,
        Color::LightGreen,
        Color::LightYellow,
        Color::LightBlue,
        Color::LightMagenta,
        Color::LightCyan,
        Color::White,
    ];
    match i {
        0..=15 => rgb(NAMED[usize::from(i)]),
        16..=231 => {
            let i = i - 16;
            let level = |v: u8| if v == 0 { 0 } else { 55 + v * 40 };
            Some([level(i / 36), level((i / 6) % 6), level(i % 6)])
        }
        _ => {
            let v = 8 + (i - 232) * 10;
            Some([v, v, v])
        }
    }
}

/// Where frames go: the framebuffer device, or a plain file.
pub struct Framebuffer {
    file: File,
    pub width: u32,
    pub height: u32,
    line_length: u32,
    format: PixelFormat,
    /// The last frame written, to write only the rows that changed.
    last: Vec<u8>,
    /// When every row was last written (see [`Framebuffer::show`]).
    last_full: Option<std::time::Instant>,
    /// The device's screen info, for FBIOPAN_DISPLAY; `None` for a file.
    var: Option<FbVarScreeninfo>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PixelFormat {
    /// 32 bits a pixel with these bit offsets of red, green and blue.
    Rgb32 { r: u32, g: u32, b: u32 },
    /// 16 bits a pixel, 5-6-5.
    Rgb565,
}

// The kernel's fbdev structures (linux/fb.h), for FBIOGET_VSCREENINFO and
// FBIOGET_FSCREENINFO.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
struct FbBitfield {
    offset: u32,
    length: u32,
    msb_right: u32,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
struct FbVarScreeninfo {
    xres: u32,
    yres: u32,
    xres_virtual: u32,
    yres_virtual: u32,
    xoffset: u32,
    yoffset: u32,
    bits_per_pixel: u32,
    grayscale: u32,
    red: FbBitfield,
    green: FbBitfield,
    blue: FbBitfield,
    transp: FbBitfield,
    nonstd: u32,
    activate: u32,
    height: u32,
    width: u32,
    accel_flags: u32,
    pixclock: u32,
    left_margin: u32,
    right_margin: u32,
    upper_margin: u32,
    lower_margin: u32,
    hsync_len: u32,
    vsync_len: u32,
    sync: u32,
    vmode: u32,
    rotate: u32,
    colorspace: u32,
    reserved: [u32; 4],
}

#[repr(C)]
#[derive(Default)]
struct FbFixScreeninfo {
    id: [u8; 16],
    smem_start: libc::c_ulong,
    smem_len: u32,
    type_: u32,
    type_aux: u32,
    visual: u32,
    xpanstep: u16,
    ypanstep: u16,
    ywrapstep: u16,
    line_length: u32,
    mmio_start: libc::c_ulong,
    mmio_len: u32,
    accel: u32,
    capabilities: u16,
    reserved: [u16; 2],
}

const FBIOGET_VSCREENINFO: libc::c_ulong = 0x4600;
const FBIOGET_FSCREENINFO: libc::c_ulong = 0x4602;
const FBIOPAN_DISPLAY: libc::c_ulong = 0x4606;

impl Framebuffer {
    /// Opens a framebuffer device, or — with `size` — a plain file that
    /// receives XRGB8888 frames of that size.
    pub fn open(path: &Path, size: Option<(u32, u32)>) -> io::Result<Framebuffer> {
        if let Some((width, height)) = size {
            let file = OpenOptions::new()
                .create(true)
                .truncate(true)
                .read(true)
                .write(true)
                .open(path)?;
            return Ok(Framebuffer {
                file,
                width,
                height,
                line_length: width * 4,
                format: PixelFormat::Rgb32 { r: 16, g: 8, b: 0 },
                last: Vec::new(),
                last_full: None,
                var: None,
            });
        }
        let file = OpenOptions::new().read(true).write(true).open(path)?;
        let fd = std::os::fd::AsRawFd::as_raw_fd(&file);
        let mut var = FbVarScreeninfo::default();
        let mut fix = FbFixScreeninfo::default();
        // SAFETY: both structures are laid out as linux/fb.h declares them
        // and live for the duration of the calls.
        let ok = unsafe {
            libc::ioctl(
                fd,
                FBIOGET_VSCREENINFO as _,
                &mut var as *mut FbVarScreeninfo,
            ) == 0
                && libc::ioctl(
                    fd,
                    FBIOGET_FSCREENINFO as _,
                    &mut fix as *mut FbFixScreeninfo,
                ) == 0
        };
        if !ok {
            return Err(io::Error::last_os_error());
        }
        let format = match var.bits_per_pixel {
            32 => PixelFormat::Rgb32 {
                r: var.red.offset,
                g: var.green.offset,
                b: var.blue.offset,
            },
            16 => PixelFormat::Rgb565,
            // Neither 32 nor 16 bits a pixel (the Pi and qemu give 32).
            _ => return Err(io::Error::from(io::ErrorKind::Unsupported)),
        };
        Ok(Framebuffer {
            file,
            width: var.xres,
            height: var.yres,
            line_length: fix.line_length,
            format,
            last: Vec::new(),
            last_full: None,
            var: Some(var),
        })
    }

    /// Shows `canvas` (of this framebuffer's size), writing only changed
    /// rows, and every row every ten seconds. Then it asks the driver to
    /// show the buffer (FBIOPAN_DISPLAY): the kernel's DRM drivers emulate
    /// fbdev with a shadow buffer that reaches the screen on a "damage"
    /// flush, and under virtio-gpu the console's first frames, written
    /// while the display was still being set up, never did (seen under
    /// qemu: a black screen until something else wrote to /dev/fb0).
    pub fn show(&mut self, canvas: &Canvas) -> io::Result<()> {
        let full = self
            .last_full
            .is_none_or(|t| t.elapsed() >= std::time::Duration::from_secs(10));
        if full {
            self.last.clear();
            self.last_full = Some(std::time::Instant::now());
        }
        let stride = self.line_length as usize;
        let mut frame = vec![0u8; stride * self.height as usize];
        for y in 0..self.height.min(canvas.height) as usize {
            let row = &mut frame[y * stride..(y + 1) * stride];
            let src = &canvas.pixels[y * canvas.width as usize..][..canvas.width as usize];
            for (x, p) in src.iter().enumerate().take(self.width as usize) {
                match self.format {
                    PixelFormat::Rgb32 { r, g, b } => {
                        let v = (u32::from(p[0]) << r)
                            | (u32::from(p[1]) << g)
                            | (u32::from(p[2]) << b);
                        row[x * 4..x * 4 + 4].copy_from_slice(&v.to_le_bytes());
                    }
                    PixelFormat::Rgb565 => {
                        let v = ((u16::from(p[0]) >> 3) << 11)
                            | ((u16::from(p[1]) >> 2) << 5)
                            | (u16::from(p[2]) >> 3);
                        row[x * 2..x * 2 + 2].copy_from_slice(&v.to_le_bytes());
                    }
                }
            }
        }
        let mut wrote = false;
        for y in 0..self.height as usize {
            let range = y * stride..(y + 1) * stride;
            if self.last.get(range.clone()) != Some(&frame[range.clone()]) {
                self.file.write_all_at(&frame[range], (y * stride) as u64)?;
                wrote = true;
            }
        }
        self.last = frame;
        if let (true, Some(var)) = (wrote, self.var.as_mut()) {
            let fd = std::os::fd::AsRawFd::as_raw_fd(&self.file);
            // SAFETY: `var` is the fb_var_screeninfo the driver gave us. A
            // driver that cannot pan says so (EINVAL); the rows are written
            // either way, so that answer is ignored.
            unsafe {
                libc::ioctl(fd, FBIOPAN_DISPLAY as _, var as *mut FbVarScreeninfo);
            }
        }
        Ok(())
    }
}

/// Gives the tty back as it was: text mode, cooked input.
pub fn release_tty() {
    graphics_mode(false);
    let _ = ratatui::crossterm::terminal::disable_raw_mode();
}

/// Stops the kernel's text console from drawing its cursor and messages
/// over the framebuffer while the console owns it (KDSETMODE KD_GRAPHICS on
/// the tty it reads keys from); `false` gives the text console back. Not a
/// virtual terminal (a pty in tests): nothing to do.
pub fn graphics_mode(on: bool) {
    const KDSETMODE: libc::c_ulong = 0x4B3A;
    let mode: libc::c_int = if on { 1 } else { 0 };
    // SAFETY: KDSETMODE takes an int by value; on anything but a VT the
    // kernel answers ENOTTY and nothing changes.
    unsafe {
        libc::ioctl(0, KDSETMODE as _, mode);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    #[test]
    fn the_grid_holds_an_80_by_24_console_on_common_screens() {
        for (w, h) in [(1280, 800), (1920, 1080), (1024, 768), (800, 480)] {
            let p = Painter::for_screen(w, h);
            let (cols, rows) = p.grid(w, h);
            assert!(
                u32::from(cols) >= MIN_COLS && u32::from(rows) >= MIN_ROWS,
                "{w}x{h}: {cols}x{rows}"
            );
        }
    }

    #[test]
    fn words_start_at_their_cells_column() {
        let mut p = Painter::for_screen(1280, 800);
        let mut buf = Buffer::empty(Rect::new(0, 0, 40, 2));
        buf.set_string(0, 0, "किसान", Style::new());
        buf.set_string(20, 0, "x", Style::new());
        let mut canvas = Canvas::new(40 * p.cell_w, 2 * p.cell_h);
        p.paint(&buf, &mut canvas);
        let inked = |x0: u32, x1: u32| {
            (0..p.cell_h).any(|y| {
                (x0..x1).any(|x| canvas.pixels[(y * canvas.width + x) as usize] != DEFAULT_BG)
            })
        };
        assert!(inked(0, 5 * p.cell_w), "the Hindi word is drawn");
        assert!(
            inked(20 * p.cell_w, 21 * p.cell_w),
            "the x is in its column"
        );
        assert!(!inked(10 * p.cell_w, 20 * p.cell_w), "nothing between them");
    }

    #[test]
    fn a_word_too_wide_for_its_room_is_drawn_smaller_not_over_the_next() {
        let mut p = Painter::for_screen(1280, 800);
        let mut buf = Buffer::empty(Rect::new(0, 0, 20, 1));
        buf.set_string(0, 0, "WWWW", Style::new());
        buf.set_string(5, 0, "i", Style::new());
        let mut canvas = Canvas::new(20 * p.cell_w, p.cell_h);
        p.paint(&buf, &mut canvas);
        // Column 4 (the blank before "i") may hold the end of WWWW; the
        // pixels just left of "i" must not.
        let x = 5 * p.cell_w - 1;
        assert!(
            (0..p.cell_h).all(|y| canvas.pixels[(y * canvas.width + x) as usize] == DEFAULT_BG)
        );
    }

    #[test]
    fn xrgb_frames_round_trip() {
        let mut c = Canvas::new(3, 2);
        c.pixels[4] = [1, 2, 3];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fb");
        let mut fb = Framebuffer::open(&path, Some((3, 2))).unwrap();
        fb.show(&c).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(Canvas::from_xrgb(3, 2, &bytes), Some(c));
    }
}
