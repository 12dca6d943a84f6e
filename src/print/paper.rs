//! The paper a printer would produce from a stream of ESC/POS commands: the
//! emulator's engine, also used to measure a receipt's full-raster size.
//!
//! Printer text is drawn in a 12 × 24 grid (font A) with the bundled Latin
//! font, doubled for `GS !` big text; raster images and QR codes are placed
//! as the printer would place them, honouring `ESC a` justification.

use std::collections::HashMap;

use crate::print::escpos::{CHAR_H, CHAR_W, Cmd, qr_bitmap};
use crate::print::raster::{Bitmap, Shaper, TextStyle};

/// The paper of one job, growing as it prints.
pub struct Paper {
    pub width: u32,
    rows: Vec<Vec<u8>>,
    y: u32,
    align: u8,
    bold: bool,
    big: bool,
    spacing: u32,
    line: Vec<u8>,
    qr: Vec<u8>,
    qr_size: u32,
    /// Printable text seen, one line per printed text line (tests read it).
    pub text: Vec<String>,
    glyphs: HashMap<(u8, bool), Bitmap>,
    /// Whether anything at all was printed.
    pub marked: bool,
}

impl Paper {
    pub fn new(width: u32) -> Paper {
        Paper {
            width,
            rows: Vec::new(),
            y: 0,
            align: 0,
            bold: false,
            big: false,
            spacing: 30,
            line: Vec::new(),
            qr: Vec::new(),
            qr_size: 4,
            text: Vec::new(),
            glyphs: HashMap::new(),
            marked: false,
        }
    }

    /// Paper used so far, in dots.
    pub fn height(&self) -> u32 {
        self.y
    }

    fn ensure(&mut self, height: u32) {
        while self.rows.len() < height as usize {
            self.rows.push(vec![0; self.width as usize]);
        }
    }

    fn put(&mut self, b: &Bitmap, x: u32, y: u32) {
        self.ensure(y + b.height);
        for by in 0..b.height {
            for bx in 0..b.width {
                if b.get(bx, by) && x + bx < self.width {
                    self.rows[(y + by) as usize][(x + bx) as usize] = 1;
                    self.marked = true;
                }
            }
        }
    }

    fn x_for(&self, w: u32) -> u32 {
        match self.align {
            1 | 49 => self.width.saturating_sub(w) / 2,
            2 | 50 => self.width.saturating_sub(w),
            _ => 0,
        }
    }

    fn glyph(&mut self, shaper: &mut Shaper, c: u8, bold: bool) -> Bitmap {
        if let Some(g) = self.glyphs.get(&(c, bold)) {
            return g.clone();
        }
        let mut cell = Bitmap::new(CHAR_W, CHAR_H);
        let s = (c as char).to_string();
        let style = TextStyle { size: 18.0, bold };
        let w = shaper.measure(&s, style);
        let x = (i64::from(CHAR_W) - i64::from(w)) / 2;
        shaper.draw(&mut cell, &s, style, x, -3);
        self.glyphs.insert((c, bold), cell.clone());
        cell
    }

    /// Prints the pending text line and moves down one line.
    fn flush_line(&mut self, shaper: &mut Shaper, force: bool) {
        if self.line.is_empty() && !force {
            return;
        }
        let scale = if self.big { 2 } else { 1 };
        let line = std::mem::take(&mut self.line);
        let w = line.len() as u32 * CHAR_W * scale;
        let x0 = self.x_for(w);
        let y = self.y;
        for (i, &c) in line.iter().enumerate() {
            let g = self.glyph(shaper, c, self.bold);
            let g = if scale == 2 { double(&g) } else { g };
            self.put(&g, x0 + i as u32 * CHAR_W * scale, y);
        }
        if !line.is_empty() {
            self.text.push(String::from_utf8_lossy(&line).into_owned());
        }
        self.y += self.spacing.max(CHAR_H * scale);
        self.ensure(self.y);
    }

    /// Applies one command. Status requests are answered by the caller.
    pub fn apply(&mut self, cmd: &Cmd, shaper: &mut Shaper) {
        match cmd {
            Cmd::Init => {
                self.align = 0;
                self.bold = false;
                self.big = false;
                self.spacing = 30;
            }
            Cmd::Align(a) => self.align = *a,
            Cmd::Bold(b) => self.bold = *b,
            Cmd::Size(s) => self.big = *s & 0x11 != 0,
            Cmd::LineSpacing(s) => self.spacing = s.map(u32::from).unwrap_or(30),
            Cmd::Text(t) => {
                let cols = (self.width / CHAR_W / if self.big { 2 } else { 1 }) as usize;
                for &c in t {
                    if self.line.len() >= cols {
                        self.flush_line(shaper, false);
                    }
                    self.line.push(c);
                }
            }
            Cmd::Lf => self.flush_line(shaper, true),
            Cmd::FeedDots(n) => {
                self.flush_line(shaper, false);
                self.y += u32::from(*n);
                self.ensure(self.y);
            }
            Cmd::FeedLines(n) => {
                self.flush_line(shaper, false);
                self.y += u32::from(*n) * self.spacing;
                self.ensure(self.y);
            }
            Cmd::Raster {
                width_bytes,
                height,
                data,
            } => {
                self.flush_line(shaper, false);
                let b = Bitmap::from_packed(u32::from(*width_bytes), u32::from(*height), data);
                let x = self.x_for(b.width);
                let y = self.y;
                self.put(&b, x, y);
                self.y += b.height;
                self.ensure(self.y);
            }
            Cmd::QrSetting(body) => {
                if body.get(1) == Some(&0x43) {
                    self.qr_size = u32::from(body.get(2).copied().unwrap_or(4)).clamp(1, 16);
                }
            }
            Cmd::QrStore(p) => self.qr = p.clone(),
            Cmd::QrPrint => {
                self.flush_line(shaper, false);
                let payload = String::from_utf8_lossy(&self.qr).into_owned();
                if let Some(b) = qr_bitmap(&payload, self.qr_size) {
                    let x = self.x_for(b.width);
                    let y = self.y;
                    self.put(&b, x, y);
                    self.y += b.height;
                    self.ensure(self.y);
                }
            }
            Cmd::Cut | Cmd::Status(_) | Cmd::Other(_) => {}
        }
    }

    /// The paper as a bitmap.
    pub fn bitmap(&self) -> Bitmap {
        let mut b = Bitmap::new(self.width, self.rows.len() as u32);
        for (y, row) in self.rows.iter().enumerate() {
            for (x, &d) in row.iter().enumerate() {
                if d != 0 {
                    b.set(x as u32, y as u32);
                }
            }
        }
        b
    }
}

fn double(g: &Bitmap) -> Bitmap {
    let mut out = Bitmap::new(g.width * 2, g.height * 2);
    for y in 0..g.height {
        for x in 0..g.width {
            if g.get(x, y) {
                for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                    out.set(x * 2 + dx, y * 2 + dy);
                }
            }
        }
    }
    out
}

/// Runs a whole job through a fresh paper (no status answers needed).
pub fn print_job(bytes: &[u8], width: u32, shaper: &mut Shaper) -> Paper {
    let mut d = crate::print::escpos::Decoder::default();
    d.push(bytes);
    let mut paper = Paper::new(width);
    while let Some(cmd) = d.next_cmd() {
        paper.apply(&cmd, shaper);
    }
    paper
}
