//! Receipt templates: a small line format a district can edit without
//! recompiling (documented in `printer-templates/README.md`).
//!
//! Each line is `command [option ...] [| argument [| argument]]`:
//! `text`, `row`, `rule`, `feed`, `qr`, `logo`, `cut`, and the blocks
//! `each | LIST` … `end`, `if | FIELD` … `end`, `ifnot | FIELD` … `end`.
//! Arguments hold literal words and `{field}` placeholders. A template is
//! checked when it is loaded — commands, options, blocks and every field
//! name against the document it is for — so a mistake is reported with its
//! file and line before anything reaches the paper. Parsing is IO-free;
//! [`crate::print::templates`] finds the files.

use std::collections::BTreeMap;

use crate::i18n::Message;

/// What a template line asks for, with arguments still unfilled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    Text {
        style: Style,
        text: String,
    },
    Row {
        style: Style,
        left: String,
        right: String,
    },
    Rule,
    /// Blank paper, in text lines.
    Feed(u32),
    Qr,
    /// A 1-bit logo image, already decoded from the template folder.
    Logo(String),
    Cut,
    Each {
        list: String,
        body: Vec<Op>,
    },
    If {
        field: String,
        negate: bool,
        body: Vec<Op>,
    },
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Style {
    pub align: Align,
    pub bold: bool,
    /// Double width and height: amounts and titles.
    pub big: bool,
}

/// The fields a document offers a template: plain ones, and lists whose
/// items have fields of their own (inside `each`).
#[derive(Clone, Copy, Debug)]
pub struct Schema {
    pub fields: &'static [&'static str],
    pub lists: &'static [(&'static str, &'static [&'static str])],
    pub has_qr: bool,
}

/// A parse error: the line and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub reason: Message,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    pub ops: Vec<Op>,
}

fn err(line: usize, reason: Message) -> ParseError {
    ParseError { line, reason }
}

/// Placeholders named in `text`, checked to be closed.
fn placeholders(text: &str) -> Result<Vec<&str>, Message> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| Message::new("template.unclosed"))?;
        out.push(after[..close].trim());
        rest = &after[close + 1..];
    }
    if rest.contains('}') {
        return Err(Message::new("template.unclosed"));
    }
    Ok(out)
}

struct Frame {
    ops: Vec<Op>,
    /// The block this frame fills: (line, list or field, kind).
    open: Option<(usize, String, BlockKind)>,
}

#[derive(Clone, Copy, PartialEq)]
enum BlockKind {
    Each,
    If,
    IfNot,
}

impl Template {
    /// Parses template text for a document with `schema`. `logo_exists`
    /// says whether a logo file named in the template can be read.
    pub fn parse(
        src: &str,
        schema: &Schema,
        logo_exists: &dyn Fn(&str) -> bool,
    ) -> Result<Template, ParseError> {
        let mut stack = vec![Frame {
            ops: Vec::new(),
            open: None,
        }];
        for (i, raw) in src.lines().enumerate() {
            let n = i + 1;
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.split('|');
            let head = parts.next().unwrap_or("").trim();
            let args: Vec<&str> = parts.map(str::trim).collect();
            let mut words = head.split_whitespace();
            let command = words.next().unwrap_or("");
            let options: Vec<&str> = words.collect();
            // The list whose item fields are in scope, if inside `each`.
            let item_fields: Vec<&'static str> = stack
                .iter()
                .filter_map(|f| f.open.as_ref())
                .filter(|(_, _, k)| *k == BlockKind::Each)
                .filter_map(|(_, list, _)| {
                    schema
                        .lists
                        .iter()
                        .find(|(l, _)| l == list)
                        .map(|(_, f)| *f)
                })
                .flatten()
                .copied()
                .collect();
            let known = |name: &str| schema.fields.contains(&name) || item_fields.contains(&name);
            let check_text = |t: &str| -> Result<String, ParseError> {
                for p in placeholders(t).map_err(|m| err(n, m))? {
                    if !known(p) {
                        return Err(err(
                            n,
                            Message::new("template.unknown_field").arg("field", p),
                        ));
                    }
                }
                Ok(t.to_string())
            };
            let want_args = |count: usize| -> Result<(), ParseError> {
                if args.len() != count {
                    Err(err(
                        n,
                        Message::new("template.arguments")
                            .arg("command", command)
                            .arg("count", count),
                    ))
                } else {
                    Ok(())
                }
            };
            let style = |allowed_align: bool| -> Result<Style, ParseError> {
                let mut s = Style::default();
                for o in &options {
                    match *o {
                        "left" if allowed_align => s.align = Align::Left,
                        "center" | "centre" if allowed_align => s.align = Align::Center,
                        "right" if allowed_align => s.align = Align::Right,
                        "bold" => s.bold = true,
                        "big" => s.big = true,
                        other => {
                            return Err(err(
                                n,
                                Message::new("template.option")
                                    .arg("option", other)
                                    .arg("command", command),
                            ));
                        }
                    }
                }
                Ok(s)
            };
            let no_options = || -> Result<(), ParseError> {
                match options.first() {
                    Some(o) => Err(err(
                        n,
                        Message::new("template.option")
                            .arg("option", o)
                            .arg("command", command),
                    )),
                    None => Ok(()),
                }
            };
            let op = match command {
                "text" => {
                    want_args(1)?;
                    Some(Op::Text {
                        style: style(true)?,
                        text: check_text(args[0])?,
                    })
                }
                "row" => {
                    want_args(2)?;
                    Some(Op::Row {
                        style: style(false)?,
                        left: check_text(args[0])?,
                        right: check_text(args[1])?,
                    })
                }
                "rule" => {
                    no_options()?;
                    want_args(0)?;
                    Some(Op::Rule)
                }
                "cut" => {
                    no_options()?;
                    want_args(0)?;
                    Some(Op::Cut)
                }
                "qr" => {
                    no_options()?;
                    want_args(0)?;
                    if !schema.has_qr {
                        return Err(err(n, Message::new("template.no_qr")));
                    }
                    Some(Op::Qr)
                }
                "feed" => {
                    no_options()?;
                    want_args(1)?;
                    let lines: u32 = args[0]
                        .parse()
                        .ok()
                        .filter(|l| (1..=20).contains(l))
                        .ok_or_else(|| err(n, Message::new("template.feed")))?;
                    Some(Op::Feed(lines))
                }
                "logo" => {
                    no_options()?;
                    want_args(1)?;
                    if !logo_exists(args[0]) {
                        return Err(err(n, Message::new("template.logo").arg("file", args[0])));
                    }
                    Some(Op::Logo(args[0].to_string()))
                }
                "each" | "if" | "ifnot" => {
                    no_options()?;
                    want_args(1)?;
                    let name = args[0].to_string();
                    let kind = match command {
                        "each" => {
                            if !schema.lists.iter().any(|(l, _)| *l == name) {
                                return Err(err(
                                    n,
                                    Message::new("template.unknown_list").arg("list", &name),
                                ));
                            }
                            BlockKind::Each
                        }
                        "if" => BlockKind::If,
                        _ => BlockKind::IfNot,
                    };
                    if kind != BlockKind::Each && !known(&name) {
                        return Err(err(
                            n,
                            Message::new("template.unknown_field").arg("field", &name),
                        ));
                    }
                    stack.push(Frame {
                        ops: Vec::new(),
                        open: Some((n, name, kind)),
                    });
                    None
                }
                "end" => {
                    no_options()?;
                    want_args(0)?;
                    let frame = match stack.pop() {
                        Some(f) if f.open.is_some() => f,
                        _ => return Err(err(n, Message::new("template.stray_end"))),
                    };
                    let Some((_, name, kind)) = frame.open else {
                        return Err(err(n, Message::new("template.stray_end")));
                    };
                    Some(match kind {
                        BlockKind::Each => Op::Each {
                            list: name,
                            body: frame.ops,
                        },
                        BlockKind::If | BlockKind::IfNot => Op::If {
                            field: name,
                            negate: kind == BlockKind::IfNot,
                            body: frame.ops,
                        },
                    })
                }
                other => {
                    return Err(err(
                        n,
                        Message::new("template.command").arg("command", other),
                    ));
                }
            };
            if let Some(op) = op
                && let Some(top) = stack.last_mut()
            {
                top.ops.push(op);
            }
        }
        if stack.len() > 1 {
            let line = stack
                .last()
                .and_then(|f| f.open.as_ref())
                .map(|(l, _, _)| *l)
                .unwrap_or(0);
            return Err(err(line, Message::new("template.unclosed_block")));
        }
        let ops = stack.pop().map(|f| f.ops).unwrap_or_default();
        Ok(Template { ops })
    }
}

/// The values a document fills a template with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fields {
    pub values: BTreeMap<&'static str, String>,
    pub lists: BTreeMap<&'static str, Vec<BTreeMap<&'static str, String>>>,
}

impl Fields {
    pub fn set(&mut self, name: &'static str, value: impl Into<String>) -> &mut Fields {
        self.values.insert(name, value.into());
        self
    }

    pub fn push(&mut self, list: &'static str, item: BTreeMap<&'static str, String>) {
        self.lists.entry(list).or_default().push(item);
    }
}

/// Fills `{name}` placeholders from the item in scope, then the document.
pub fn fill(text: &str, item: Option<&BTreeMap<&'static str, String>>, fields: &Fields) -> String {
    // A field without a value prints as nothing: a receipt never shows
    // a bare "{nominee}".
    crate::i18n::fill_placeholders(text, |name, out| {
        let name = name.trim();
        if let Some(v) = item
            .and_then(|i| i.get(name))
            .or_else(|| fields.values.get(name))
        {
            out.push_str(v);
        }
        true
    })
}

/// Whether a field (or item field) has a non-empty value.
pub fn present(name: &str, item: Option<&BTreeMap<&'static str, String>>, fields: &Fields) -> bool {
    item.and_then(|i| i.get(name))
        .or_else(|| fields.values.get(name))
        .is_some_and(|v| !v.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: Schema = Schema {
        fields: &["receipt", "amount", "duplicate"],
        lists: &[("history", &["date", "amount"])],
        has_qr: true,
    };

    fn parse(src: &str) -> Result<Template, ParseError> {
        Template::parse(src, &SCHEMA, &|f| f == "logo.png")
    }

    #[test]
    fn a_template_parses_into_ops_with_blocks() {
        let t = parse(
            "# a comment\ntext center bold | रसीद {receipt}\nrow | राशि | {amount}\nif | duplicate\ntext | DUPLICATE\nend\neach | history\nrow | {date} | {amount}\nend\nqr\nlogo | logo.png\nfeed | 2\ncut\n",
        )
        .expect("parses");
        assert_eq!(t.ops.len(), 8);
        assert!(
            matches!(&t.ops[3], Op::Each { list, body } if list == "history" && body.len() == 1)
        );
    }

    #[test]
    fn mistakes_are_reported_with_their_line() {
        let cases = [
            ("text | {nope}", 1, "template.unknown_field"),
            ("\n\nfrobnicate", 3, "template.command"),
            ("text sideways | x", 1, "template.option"),
            ("row | only one", 1, "template.arguments"),
            ("end", 1, "template.stray_end"),
            (
                "text | ok\neach | history\ntext | {date}",
                2,
                "template.unclosed_block",
            ),
            ("each | nothing\nend", 1, "template.unknown_list"),
            ("text | {date}", 1, "template.unknown_field"),
            ("feed | many", 1, "template.feed"),
            ("logo | missing.png", 1, "template.logo"),
            ("text | {amount", 1, "template.unclosed"),
        ];
        for (src, line, key) in cases {
            let e = parse(src).expect_err(src);
            assert_eq!((e.line, e.reason.key), (line, key), "{src}");
        }
    }

    #[test]
    fn fill_takes_item_fields_first() {
        let mut f = Fields::default();
        f.set("amount", "₹100.00");
        let mut item = BTreeMap::new();
        item.insert("amount", "₹5.00".to_string());
        assert_eq!(fill("{amount}", Some(&item), &f), "₹5.00");
        assert_eq!(fill("= {amount} =", None, &f), "= ₹100.00 =");
        assert!(present("amount", None, &f));
        assert!(!present("duplicate", None, &f));
    }
}
