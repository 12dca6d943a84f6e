//! Layout: a filled template becomes printer blocks for one paper width.
//!
//! A line of plain ASCII goes as printer text (one byte a character); any
//! other line — Devanagari, or a ₹ sign, which printer code pages lack — is
//! shaped, rasterised, cropped to its ink and sent as an image, with the
//! blank dots around the ink sent as paper feed. Long lines wrap at spaces.

use std::collections::BTreeMap;

use crate::print::escpos::{Block, CHAR_W, LINE_DOTS, Profile};
use crate::print::raster::{Bitmap, Shaper, TextStyle};
use crate::print::template::{Align, Fields, Op, Style, Template, fill, present};

/// Raster text size in dots: about the height of the printer's font A.
pub const TEXT_SIZE: f32 = 24.0;
pub const BIG_SIZE: f32 = 44.0;

fn text_style(s: Style) -> TextStyle {
    TextStyle {
        size: if s.big { BIG_SIZE } else { TEXT_SIZE },
        bold: s.bold,
    }
}

fn is_plain(s: &str) -> bool {
    s.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// Splits `text` into lines no wider than `fits` allows, at spaces; a
/// single word too long for a line is kept whole (the printer clips it).
fn wrap(text: &str, fits: &mut dyn FnMut(&str) -> bool) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let candidate = if current.is_empty() {
            word.to_string()
        } else {
            format!("{current} {word}")
        };
        if !current.is_empty() && !fits(&candidate) {
            lines.push(std::mem::replace(&mut current, word.to_string()));
        } else {
            current = candidate;
        }
    }
    lines.push(current);
    lines
}

struct Ctx<'a> {
    profile: &'a Profile,
    shaper: &'a mut Shaper,
    fields: &'a Fields,
    qr: Option<&'a str>,
    logos: &'a BTreeMap<String, Bitmap>,
    out: Vec<Block>,
}

impl Ctx<'_> {
    fn image(&mut self, canvas: Bitmap, align: Align, pitch: u32) {
        match canvas.ink() {
            Some(ink) => {
                let bitmap = canvas.crop(ink);
                self.out.push(Block::Image {
                    bitmap,
                    align,
                    before: ink.top,
                    after: pitch.saturating_sub(ink.bottom),
                });
            }
            None => self.out.push(Block::Feed(pitch)),
        }
    }

    fn text(&mut self, style: Style, text: &str) {
        if is_plain(text) {
            let cols = self.profile.columns(style.big);
            for line in wrap(text, &mut |c| c.len() <= cols) {
                self.out.push(Block::Text {
                    text: line,
                    align: style.align,
                    bold: style.bold,
                    big: style.big,
                });
            }
            return;
        }
        let ts = text_style(style);
        let width = self.profile.width;
        let shaper = &mut *self.shaper;
        let lines = wrap(text, &mut |c| shaper.measure(c, ts) <= width);
        for line in lines {
            let canvas = self.shaper.line(&line, ts, width);
            self.image(canvas, style.align, ts.line_height());
        }
    }

    fn row(&mut self, style: Style, left: &str, right: &str) {
        let width = self.profile.width;
        if is_plain(left) && is_plain(right) {
            let cols = self.profile.columns(style.big);
            let used = left.len() + right.len();
            if used < cols {
                let line = format!("{left}{}{right}", " ".repeat(cols - used));
                self.out.push(Block::Text {
                    text: line,
                    align: Align::Left,
                    bold: style.bold,
                    big: style.big,
                });
                return;
            }
        } else {
            let ts = text_style(style);
            let lw = self.shaper.measure(left, ts);
            let rw = self.shaper.measure(right, ts);
            if lw + rw + CHAR_W <= width {
                let mut canvas = Bitmap::new(width, ts.line_height());
                self.shaper.draw(&mut canvas, left, ts, 0, 0);
                self.shaper
                    .draw(&mut canvas, right, ts, i64::from(width - rw), 0);
                self.image(canvas, Align::Left, ts.line_height());
                return;
            }
        }
        // Too long for one line: the label, then the value on its own line
        // at the right.
        self.text(style, left);
        self.text(
            Style {
                align: Align::Right,
                ..style
            },
            right,
        );
    }

    fn ops(&mut self, ops: &[Op], item: Option<&BTreeMap<&'static str, String>>) {
        for op in ops {
            match op {
                Op::Text { style, text } => {
                    let t = fill(text, item, self.fields);
                    self.text(*style, &t);
                }
                Op::Row { style, left, right } => {
                    let (l, r) = (
                        fill(left, item, self.fields),
                        fill(right, item, self.fields),
                    );
                    self.row(*style, &l, &r);
                }
                Op::Rule => {
                    let cols = self.profile.columns(false);
                    self.out.push(Block::Text {
                        text: "-".repeat(cols),
                        align: Align::Left,
                        bold: false,
                        big: false,
                    });
                }
                Op::Feed(n) => self.out.push(Block::Feed(n * LINE_DOTS)),
                Op::Qr => {
                    if let Some(q) = self.qr {
                        self.out.push(Block::Qr(q.to_string()));
                    }
                }
                Op::Logo(name) => {
                    if let Some(b) = self.logos.get(name) {
                        let mut b = b.clone();
                        if b.width > self.profile.width {
                            b = b.crop(crate::print::raster::Ink {
                                left: 0,
                                right: self.profile.width,
                                top: 0,
                                bottom: b.height,
                            });
                        }
                        self.out.push(Block::Image {
                            bitmap: b,
                            align: Align::Center,
                            before: 0,
                            after: 8,
                        });
                    }
                }
                Op::Cut => self.out.push(Block::Cut),
                Op::Each { list, body } => {
                    let items = self.fields.lists.get(list.as_str()).cloned();
                    for it in items.unwrap_or_default() {
                        self.ops(body, Some(&it));
                    }
                }
                Op::If {
                    field,
                    negate,
                    body,
                } => {
                    if present(field, item, self.fields) != *negate {
                        self.ops(body, item);
                    }
                }
            }
        }
    }
}

/// The text a template filled with `fields` prints, a line per `text`
/// or `row` (a row's two sides joined by " | "), without wrapping or
/// images: what a person reads on the paper, for checks of wording.
pub fn text_lines(template: &Template, fields: &Fields) -> Vec<String> {
    fn walk(
        ops: &[Op],
        item: Option<&BTreeMap<&'static str, String>>,
        fields: &Fields,
        out: &mut Vec<String>,
    ) {
        for op in ops {
            match op {
                Op::Text { text, .. } => out.push(fill(text, item, fields)),
                Op::Row { left, right, .. } => out.push(format!(
                    "{} | {}",
                    fill(left, item, fields),
                    fill(right, item, fields)
                )),
                Op::Each { list, body } => {
                    for it in fields.lists.get(list.as_str()).into_iter().flatten() {
                        walk(body, Some(it), fields, out);
                    }
                }
                Op::If {
                    field,
                    negate,
                    body,
                } => {
                    if present(field, item, fields) != *negate {
                        walk(body, item, fields, out);
                    }
                }
                Op::Rule | Op::Feed(_) | Op::Qr | Op::Logo(_) | Op::Cut => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(&template.ops, None, fields, &mut out);
    out
}

/// Lays out a template filled with `fields` for `profile`.
pub fn layout(
    template: &Template,
    fields: &Fields,
    qr: Option<&str>,
    logos: &BTreeMap<String, Bitmap>,
    profile: &Profile,
    shaper: &mut Shaper,
) -> Vec<Block> {
    let mut ctx = Ctx {
        profile,
        shaper,
        fields,
        qr,
        logos,
        out: Vec::new(),
    };
    ctx.ops(&template.ops, None);
    ctx.out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_spaces() {
        let lines = wrap("aa bb cc dd", &mut |c| c.len() <= 5);
        assert_eq!(lines, vec!["aa bb", "cc dd"]);
        let long = wrap("abcdefgh x", &mut |c| c.len() <= 5);
        assert_eq!(long, vec!["abcdefgh", "x"]);
    }
}
