//! Message catalogs: every sentence a person reads comes from here, in Hindi
//! (the default) or English.
//!
//! Code never holds user-facing text. It builds a [`Message`] — a catalog key
//! plus named arguments — and the CLI or console renders it in the operator's
//! language. Errors implement [`Localized`] so the same error can be shown in
//! either language; their `Display` is the English rendering (for logs).
//!
//! The catalogs are `locales/hi.txt` and `locales/en.txt`, one `key = text`
//! per line with `{name}` placeholders, compiled into the binary. We write
//! this small format ourselves rather than use Fluent: we need only named
//! substitution, and Fluent's default bidi isolation marks around arguments
//! show up as stray glyphs on thermal printers and some terminals.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The two languages of the kiosk. Hindi is the default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Hi,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Hi, Lang::En];

    /// Parses `hi`/`en` (also `hindi`, `english`, `हिंदी`), case-insensitively.
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_lowercase().as_str() {
            "hi" | "hindi" | "हिंदी" | "हिन्दी" => Some(Lang::Hi),
            "en" | "english" | "अंग्रेज़ी" | "अंग्रेजी" => {
                Some(Lang::En)
            }
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Hi => "hi",
            Lang::En => "en",
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A sentence to be shown: a catalog key and its named arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub key: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

/// An argument: plain text (names, amounts, numbers) or another message,
/// rendered in the same language (a field's reason inside "Name: …").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    Text(String),
    Msg(Message),
}

impl Message {
    pub fn new(key: &'static str) -> Message {
        Message {
            key,
            args: Vec::new(),
        }
    }

    pub fn arg(mut self, name: &'static str, value: impl fmt::Display) -> Message {
        self.args.push((name, Arg::Text(value.to_string())));
        self
    }

    pub fn arg_msg(mut self, name: &'static str, value: Message) -> Message {
        self.args.push((name, Arg::Msg(value)));
        self
    }

    /// Renders the message in `lang`. A key missing from a catalog renders as
    /// the key itself in brackets: visible, never a panic (a test keeps the
    /// catalogs complete).
    pub fn render(&self, lang: Lang) -> String {
        let Some(template) = catalog(lang).get(self.key) else {
            return format!("[{}]", self.key);
        };
        let args: Vec<(&'static str, String)> = self
            .args
            .iter()
            .map(|(n, a)| match a {
                Arg::Text(t) => (*n, t.clone()),
                Arg::Msg(m) => (*n, m.render(lang)),
            })
            .collect();
        substitute(template, &args)
    }
}

fn substitute(template: &str, args: &[(&'static str, String)]) -> String {
    fill_placeholders(template, |name, out| {
        match args.iter().find(|(n, _)| *n == name) {
            Some((_, v)) => {
                out.push_str(v);
                true
            }
            None => false,
        }
    })
}

/// Replaces each `{name}` in `text`: `put` writes the value for `name` and
/// says whether it had one; a placeholder without a value stays as written.
/// Catalog messages and printer templates share it.
pub fn fill_placeholders(text: &str, mut put: impl FnMut(&str, &mut String) -> bool) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                if !put(name, &mut out) {
                    out.push('{');
                    out.push_str(name);
                    out.push('}');
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Anything that can explain itself to a person in either language.
pub trait Localized {
    fn message(&self) -> Message;

    fn localized(&self, lang: Lang) -> String {
        self.message().render(lang)
    }
}

/// The English rendering, used for `Display` of error types.
pub fn english(item: &impl Localized) -> String {
    item.localized(Lang::En)
}

/// Shorthand for a message without arguments.
pub fn t(lang: Lang, key: &'static str) -> String {
    Message::new(key).render(lang)
}

const HI: &str = include_str!("../../../locales/hi.txt");
const EN: &str = include_str!("../../../locales/en.txt");

fn parse_catalog(text: &'static str) -> HashMap<&'static str, &'static str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

/// The parsed catalog of one language.
pub fn catalog(lang: Lang) -> &'static HashMap<&'static str, &'static str> {
    static CATALOGS: OnceLock<[HashMap<&'static str, &'static str>; 2]> = OnceLock::new();
    let both = CATALOGS.get_or_init(|| [parse_catalog(HI), parse_catalog(EN)]);
    match lang {
        Lang::Hi => &both[0],
        Lang::En => &both[1],
    }
}

/// The raw catalog text, for the completeness test.
pub fn catalog_source(lang: Lang) -> &'static str {
    match lang {
        Lang::Hi => HI,
        Lang::En => EN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitution_fills_named_arguments_and_keeps_unknown_ones() {
        let out = substitute("a {x} b {y} c {z", &[("x", "1".into()), ("y", "2".into())]);
        assert_eq!(out, "a 1 b 2 c {z");
        assert_eq!(substitute("{q}", &[]), "{q}");
    }

    #[test]
    fn missing_key_renders_visibly_instead_of_panicking() {
        assert_eq!(
            Message::new("no.such.key").render(Lang::En),
            "[no.such.key]"
        );
    }

    #[test]
    fn lang_parses_both_scripts() {
        assert_eq!(Lang::parse("HI"), Some(Lang::Hi));
        assert_eq!(Lang::parse("हिंदी"), Some(Lang::Hi));
        assert_eq!(Lang::parse("English"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
    }
}
