//! Finding a document's template: the configured folder first, then the
//! copies built into the binary.
//!
//! For document `contribution` in Hindi on 58 mm paper the folder is searched
//! for `contribution.hi.58.tpl`, then `contribution.hi.tpl`. A file that
//! exists but does not parse is reported (file and line) and the built-in
//! template prints instead, so a typo in a district's edit never stops the
//! queue of villagers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::i18n::{Lang, Localized, Message, english};
use crate::print::DocKind;
use crate::print::raster::Bitmap;
use crate::print::template::Template;

/// A template that could not be used, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", english(self))]
pub struct TemplateError {
    pub file: String,
    pub line: usize,
    pub reason: Message,
}

impl Localized for TemplateError {
    fn message(&self) -> Message {
        Message::new("template.error")
            .arg("file", &self.file)
            .arg("line", self.line)
            .arg_msg("reason", self.reason.clone())
    }
}

macro_rules! builtin {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../printer-templates/", $name)))),*]
    };
}

/// The templates shipped with dastak (the files in `printer-templates/`).
pub const BUILTIN: &[(&str, &str)] = builtin!(
    "contribution.hi.tpl",
    "contribution.en.tpl",
    "reversal.hi.tpl",
    "reversal.en.tpl",
    "enrolment.hi.tpl",
    "enrolment.en.tpl",
    "statement.hi.tpl",
    "statement.en.tpl",
    "day_close.hi.tpl",
    "day_close.en.tpl",
    "test_page.hi.tpl",
    "test_page.en.tpl",
    "nominee.hi.tpl",
    "nominee.en.tpl",
    "death_claim.hi.tpl",
    "death_claim.en.tpl",
    "claim_notice.hi.tpl",
    "claim_notice.en.tpl",
    "claim_rejection.hi.tpl",
    "claim_rejection.en.tpl",
    "claim_payout.hi.tpl",
    "claim_payout.en.tpl",
    "fund_statement.hi.tpl",
    "fund_statement.en.tpl",
);

/// A template ready to print, with the logos it names.
pub struct Loaded {
    pub template: Template,
    pub logos: BTreeMap<String, Bitmap>,
    /// Where it came from: a file path, or `built-in NAME`.
    pub source: String,
}

fn candidates(kind: DocKind, lang: Lang, width: u32) -> [String; 2] {
    let mm = if width >= 576 { 80 } else { 58 };
    [
        format!("{}.{}.{mm}.tpl", kind.name(), lang.code()),
        format!("{}.{}.tpl", kind.name(), lang.code()),
    ]
}

fn load_logo(folder: &Path, name: &str) -> Option<Bitmap> {
    // Only plain file names: a template cannot reach outside its folder.
    if name.contains('/') || name.contains('\\') || name.starts_with('.') {
        return None;
    }
    let bytes = std::fs::read(folder.join(name)).ok()?;
    Bitmap::from_png(&bytes).ok()
}

/// The built-in template for `kind` in `lang` (the width-specific file
/// first, when we ship one).
pub fn builtin(kind: DocKind, lang: Lang, width: u32) -> Result<Loaded, TemplateError> {
    for name in candidates(kind, lang, width) {
        if let Some((_, src)) = BUILTIN.iter().find(|(n, _)| *n == name) {
            let template =
                Template::parse(src, &kind.schema(), &|_| false).map_err(|e| TemplateError {
                    file: format!("built-in {name}"),
                    line: e.line,
                    reason: e.reason,
                })?;
            return Ok(Loaded {
                template,
                logos: BTreeMap::new(),
                source: format!("built-in {name}"),
            });
        }
    }
    Err(TemplateError {
        file: format!("built-in {}", kind.name()),
        line: 0,
        reason: Message::new("template.missing"),
    })
}

/// The template for `kind` from `folder` if it has one, else the built-in.
/// A broken file in the folder is returned as the second value, beside the
/// built-in that replaces it.
pub fn load(
    folder: Option<&Path>,
    kind: DocKind,
    lang: Lang,
    width: u32,
) -> Result<(Loaded, Option<TemplateError>), TemplateError> {
    if let Some(folder) = folder {
        for name in candidates(kind, lang, width) {
            let path: PathBuf = folder.join(&name);
            let src = match std::fs::read(&path) {
                Ok(bytes) => bytes,
                Err(_) => continue,
            };
            let file = path.display().to_string();
            let Ok(src) = String::from_utf8(src) else {
                let e = TemplateError {
                    file,
                    line: 0,
                    reason: Message::new("template.not_utf8"),
                };
                return Ok((builtin(kind, lang, width)?, Some(e)));
            };
            let exists = |logo: &str| load_logo(folder, logo).is_some();
            match Template::parse(&src, &kind.schema(), &exists) {
                Ok(template) => {
                    let mut logos = BTreeMap::new();
                    collect_logos(&template.ops, folder, &mut logos);
                    return Ok((
                        Loaded {
                            template,
                            logos,
                            source: file,
                        },
                        None,
                    ));
                }
                Err(e) => {
                    let e = TemplateError {
                        file,
                        line: e.line,
                        reason: e.reason,
                    };
                    return Ok((builtin(kind, lang, width)?, Some(e)));
                }
            }
        }
    }
    Ok((builtin(kind, lang, width)?, None))
}

fn collect_logos(
    ops: &[crate::print::template::Op],
    folder: &Path,
    out: &mut BTreeMap<String, Bitmap>,
) {
    use crate::print::template::Op;
    for op in ops {
        match op {
            Op::Logo(name) => {
                if let Some(b) = load_logo(folder, name) {
                    out.insert(name.clone(), b);
                }
            }
            Op::Each { body, .. } | Op::If { body, .. } => collect_logos(body, folder, out),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document kind added without its shipped templates, or with one
    /// naming a field its document does not have, fails here rather than
    /// on a kiosk's first print of it.
    #[test]
    fn every_document_has_a_built_in_template_that_parses_in_both_languages() {
        for kind in DocKind::ALL {
            for lang in [Lang::Hi, Lang::En] {
                for width in [384, 576] {
                    let loaded = builtin(kind, lang, width);
                    assert!(
                        loaded.is_ok(),
                        "{} {lang:?} {width}: {:?}",
                        kind.name(),
                        loaded.err()
                    );
                }
            }
        }
        assert_eq!(BUILTIN.len(), DocKind::ALL.len() * 2, "no template unused");
    }
}
