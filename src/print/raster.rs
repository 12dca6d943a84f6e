//! Devanagari and Latin text shaped and rasterised to 1-bit bitmaps.
//!
//! Devanagari cannot be drawn glyph by glyph: conjuncts (क्ष, त्र), the
//! i-matra that moves left of its consonant, repha and marks above and below
//! all come from the font's shaping tables. cosmic-text (HarfRust + swash)
//! shapes and rasterises; the fonts are bundled (`fonts/`, OFL, unmodified)
//! so that a receipt looks the same on every kiosk, whatever fonts the Pi
//! has. Noto Sans Devanagari has no Latin letters, so each run of text is
//! given the family of its script.

use cosmic_text::{
    Attrs, Buffer, Color, Family, FontSystem, Metrics, Shaping, SwashCache, Weight, Wrap,
};

const DEVANAGARI_REGULAR: &[u8] = include_bytes!("../../fonts/NotoSansDevanagari-Regular.ttf");
const DEVANAGARI_BOLD: &[u8] = include_bytes!("../../fonts/NotoSansDevanagari-Bold.ttf");
const LATIN_REGULAR: &[u8] = include_bytes!("../../fonts/NotoSans-Regular.ttf");
const LATIN_BOLD: &[u8] = include_bytes!("../../fonts/NotoSans-Bold.ttf");

const DEVANAGARI: &str = "Noto Sans Devanagari";
const LATIN: &str = "Noto Sans";

/// A 1-bit image, one byte per dot (0 white, 1 black), row by row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bitmap {
    pub width: u32,
    pub height: u32,
    pub dots: Vec<u8>,
}

/// Where a bitmap's ink is: columns `left..right`, rows `top..bottom`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ink {
    pub left: u32,
    pub right: u32,
    pub top: u32,
    pub bottom: u32,
}

impl Bitmap {
    pub fn new(width: u32, height: u32) -> Bitmap {
        Bitmap {
            width,
            height,
            dots: vec![0; (width as usize) * (height as usize)],
        }
    }

    pub fn get(&self, x: u32, y: u32) -> bool {
        x < self.width && y < self.height && self.dots[(y * self.width + x) as usize] != 0
    }

    pub fn set(&mut self, x: u32, y: u32) {
        if x < self.width && y < self.height {
            self.dots[(y * self.width + x) as usize] = 1;
        }
    }

    /// The bounding box of the black dots, or `None` for a blank bitmap.
    pub fn ink(&self) -> Option<Ink> {
        let mut ink: Option<Ink> = None;
        for y in 0..self.height {
            for x in 0..self.width {
                if self.get(x, y) {
                    let i = ink.get_or_insert(Ink {
                        left: x,
                        right: x + 1,
                        top: y,
                        bottom: y + 1,
                    });
                    i.left = i.left.min(x);
                    i.right = i.right.max(x + 1);
                    i.top = i.top.min(y);
                    i.bottom = i.bottom.max(y + 1);
                }
            }
        }
        ink
    }

    /// The part of the bitmap inside `r`.
    pub fn crop(&self, r: Ink) -> Bitmap {
        let mut out = Bitmap::new(r.right - r.left, r.bottom - r.top);
        for y in r.top..r.bottom {
            for x in r.left..r.right {
                if self.get(x, y) {
                    out.set(x - r.left, y - r.top);
                }
            }
        }
        out
    }

    /// Copies `src` onto this bitmap with its top-left corner at (x, y).
    pub fn blit(&mut self, src: &Bitmap, x: i64, y: i64) {
        for sy in 0..src.height {
            for sx in 0..src.width {
                if src.get(sx, sy) {
                    let (tx, ty) = (x + i64::from(sx), y + i64::from(sy));
                    if tx >= 0 && ty >= 0 {
                        self.set(tx as u32, ty as u32);
                    }
                }
            }
        }
    }

    /// Rows packed 8 dots to a byte, most significant bit first: the layout
    /// of ESC/POS raster images and of 1-bit PNGs.
    pub fn packed_rows(&self) -> Vec<u8> {
        let stride = self.width.div_ceil(8) as usize;
        let mut out = vec![0u8; stride * self.height as usize];
        for y in 0..self.height {
            for x in 0..self.width {
                if self.get(x, y) {
                    out[y as usize * stride + (x / 8) as usize] |= 0x80 >> (x % 8);
                }
            }
        }
        out
    }

    /// Unpacks rows packed as by [`Bitmap::packed_rows`].
    pub fn from_packed(width_bytes: u32, height: u32, data: &[u8]) -> Bitmap {
        let mut b = Bitmap::new(width_bytes * 8, height);
        for y in 0..height {
            for xb in 0..width_bytes {
                let byte = data
                    .get((y * width_bytes + xb) as usize)
                    .copied()
                    .unwrap_or(0);
                for bit in 0..8 {
                    if byte & (0x80 >> bit) != 0 {
                        b.set(xb * 8 + bit, y);
                    }
                }
            }
        }
        b
    }

    /// Encodes as a 1-bit greyscale PNG (black ink on white paper).
    pub fn to_png(&self) -> Result<Vec<u8>, png::EncodingError> {
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, self.width.max(1), self.height.max(1));
            enc.set_color(png::ColorType::Grayscale);
            enc.set_depth(png::BitDepth::One);
            let mut w = enc.write_header()?;
            // PNG greyscale: 1 is white; our dots are 1 for black.
            let mut data: Vec<u8> = self.packed_rows().iter().map(|b| !b).collect();
            if self.width == 0 || self.height == 0 {
                data = vec![0xff];
            }
            // Bits past the width in the last byte of each row are padding.
            w.write_image_data(&data)?;
        }
        Ok(out)
    }

    /// Decodes a PNG written by [`Bitmap::to_png`] (tests, golden images).
    pub fn from_png(bytes: &[u8]) -> Result<Bitmap, png::DecodingError> {
        let mut dec = png::Decoder::new(std::io::Cursor::new(bytes));
        dec.set_transformations(png::Transformations::EXPAND);
        let mut reader = dec.read_info()?;
        let size = reader.output_buffer_size().unwrap_or(0);
        let mut buf = vec![0; size];
        let info = reader.next_frame(&mut buf)?;
        let channels = info.color_type.samples();
        let mut b = Bitmap::new(info.width, info.height);
        for y in 0..info.height {
            for x in 0..info.width {
                let i = (y as usize * info.line_size) + x as usize * channels;
                if buf.get(i).copied().unwrap_or(255) < 128 {
                    b.set(x, y);
                }
            }
        }
        Ok(b)
    }
}

/// Size and weight of shaped text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TextStyle {
    /// Font size in dots (8 dots to a millimetre on a 203-dpi printer).
    pub size: f32,
    pub bold: bool,
}

impl TextStyle {
    /// The line pitch for this size: room for marks above and below.
    pub fn line_height(&self) -> u32 {
        (self.size * 1.5).ceil() as u32
    }
}

/// One shaped glyph, for tests that check shaping really happened.
#[derive(Clone, Debug, PartialEq)]
pub struct ShapedGlyph {
    pub glyph_id: u16,
    /// Byte range of the text this glyph came from.
    pub start: usize,
    pub end: usize,
    pub x: f32,
    pub w: f32,
}

/// Text shaped on one line: its width in dots and the distance from the top
/// of its line box to its baseline (which differs between the Latin and
/// the Devanagari font).
pub struct Shaped {
    buffer: Buffer,
    pub width: u32,
    pub baseline: f32,
}

/// The font system and glyph cache. Building it parses the fonts (a few
/// milliseconds); keep one per thread and reuse it.
pub struct Shaper {
    fonts: FontSystem,
    cache: SwashCache,
}

impl Default for Shaper {
    fn default() -> Self {
        Shaper::new()
    }
}

fn is_devanagari(c: char) -> bool {
    matches!(c, '\u{0900}'..='\u{097F}' | '\u{A8E0}'..='\u{A8FF}' | '\u{200C}' | '\u{200D}')
}

/// Splits text into runs of Devanagari and of everything else; spaces and
/// punctuation stay with the run they are in.
fn script_runs(text: &str) -> Vec<(&str, bool)> {
    let mut runs: Vec<(&str, bool)> = Vec::new();
    let mut start = 0;
    let mut current: Option<bool> = None;
    for (i, c) in text.char_indices() {
        let deva = if c.is_whitespace() || c.is_ascii_punctuation() {
            current.unwrap_or(false)
        } else {
            is_devanagari(c)
        };
        match current {
            Some(d) if d != deva => {
                runs.push((&text[start..i], d));
                start = i;
                current = Some(deva);
            }
            None => current = Some(deva),
            _ => {}
        }
    }
    if start < text.len() {
        runs.push((&text[start..], current.unwrap_or(false)));
    }
    runs
}

impl Shaper {
    pub fn new() -> Shaper {
        let mut db = cosmic_text::fontdb::Database::new();
        for font in [
            DEVANAGARI_REGULAR,
            DEVANAGARI_BOLD,
            LATIN_REGULAR,
            LATIN_BOLD,
        ] {
            db.load_font_data(font.to_vec());
        }
        db.set_sans_serif_family(LATIN);
        Shaper {
            fonts: FontSystem::new_with_locale_and_db("hi-IN".to_string(), db),
            cache: SwashCache::new(),
        }
    }

    fn buffer(&mut self, text: &str, style: TextStyle) -> Buffer {
        let metrics = Metrics::new(style.size, style.line_height() as f32);
        let mut buffer = Buffer::new(&mut self.fonts, metrics);
        buffer.set_wrap(Wrap::None);
        buffer.set_size(None, None);
        let weight = if style.bold {
            Weight::BOLD
        } else {
            Weight::NORMAL
        };
        let spans: Vec<(&str, Attrs<'_>)> = script_runs(text)
            .into_iter()
            .map(|(run, deva)| {
                let family = Family::Name(if deva { DEVANAGARI } else { LATIN });
                (run, Attrs::new().family(family).weight(weight))
            })
            .collect();
        buffer.set_rich_text(
            spans,
            &Attrs::new().family(Family::Name(LATIN)).weight(weight),
            Shaping::Advanced,
            None,
        );
        buffer.shape_until_scroll(&mut self.fonts, false);
        buffer
    }

    /// The width of `text` in dots.
    pub fn measure(&mut self, text: &str, style: TextStyle) -> u32 {
        let buffer = self.buffer(text, style);
        buffer
            .layout_runs()
            .map(|r| r.line_w)
            .fold(0.0f32, f32::max)
            .ceil() as u32
    }

    /// Shapes `text` once, to measure it and then draw it
    /// ([`Shaper::paint_shaped`]).
    pub fn shape(&mut self, text: &str, style: TextStyle) -> Shaped {
        let buffer = self.buffer(text, style);
        let (width, baseline) = buffer
            .layout_runs()
            .next()
            .map(|r| (r.line_w.ceil() as u32, r.line_y))
            .unwrap_or((0, 0.0));
        Shaped {
            buffer,
            width,
            baseline,
        }
    }

    /// The shaped glyphs of `text`, in visual order.
    pub fn glyphs(&mut self, text: &str, style: TextStyle) -> Vec<ShapedGlyph> {
        let buffer = self.buffer(text, style);
        let mut out = Vec::new();
        for run in buffer.layout_runs() {
            for g in run.glyphs {
                out.push(ShapedGlyph {
                    glyph_id: g.glyph_id,
                    start: g.start,
                    end: g.end,
                    x: g.x,
                    w: g.w,
                });
            }
        }
        out
    }

    /// Draws `text` onto `canvas` with its line box's top-left at (x, y).
    pub fn draw(&mut self, canvas: &mut Bitmap, text: &str, style: TextStyle, x: i64, y: i64) {
        self.paint(text, style, x, y, |tx, ty, alpha| {
            // Anti-aliased coverage to 1 bit: a thermal head has no grey.
            if alpha >= 110 && tx >= 0 && ty >= 0 {
                canvas.set(tx as u32, ty as u32);
            }
        });
    }

    /// Shapes `text` with its line box's top-left at (x, y) and calls `put`
    /// with every covered pixel and its coverage (0–255). The receipt
    /// thresholds it to dots; the kiosk's screen blends it.
    pub fn paint(
        &mut self,
        text: &str,
        style: TextStyle,
        x: i64,
        y: i64,
        put: impl FnMut(i64, i64, u8),
    ) {
        let mut shaped = self.shape(text, style);
        self.paint_shaped(&mut shaped, x, y, put);
    }

    /// [`Shaper::paint`] for text already shaped.
    pub fn paint_shaped(
        &mut self,
        shaped: &mut Shaped,
        x: i64,
        y: i64,
        mut put: impl FnMut(i64, i64, u8),
    ) {
        shaped.buffer.draw(
            &mut self.fonts,
            &mut self.cache,
            Color::rgb(0, 0, 0),
            |gx, gy, w, h, color| {
                for dy in 0..h as i64 {
                    for dx in 0..w as i64 {
                        put(x + i64::from(gx) + dx, y + i64::from(gy) + dy, color.a());
                    }
                }
            },
        );
    }

    /// `text` alone on a line `width` dots wide, one line pitch tall.
    pub fn line(&mut self, text: &str, style: TextStyle, width: u32) -> Bitmap {
        let mut canvas = Bitmap::new(width, style.line_height());
        self.draw(&mut canvas, text, style, 0, 0);
        canvas
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_runs_split_devanagari_from_latin() {
        let runs = script_runs("रसीद: RMP01/2026 राशि");
        assert_eq!(
            runs,
            vec![("रसीद: ", true), ("RMP01/2026 ", false), ("राशि", true)]
        );
    }

    #[test]
    fn packed_rows_round_trip() {
        let mut b = Bitmap::new(10, 2);
        b.set(0, 0);
        b.set(9, 1);
        let p = b.packed_rows();
        assert_eq!(p, vec![0x80, 0x00, 0x00, 0x40]);
        let back = Bitmap::from_packed(2, 2, &p);
        assert!(back.get(0, 0) && back.get(9, 1) && !back.get(1, 0));
    }

    #[test]
    fn png_round_trip_keeps_every_dot() {
        let mut s = Shaper::new();
        let b = s.line(
            "हिंदी ₹100",
            TextStyle {
                size: 24.0,
                bold: false,
            },
            200,
        );
        assert!(b.ink().is_some());
        let png = b.to_png().expect("png");
        let back = Bitmap::from_png(&png).expect("decode");
        assert_eq!(back, b);
    }
}
