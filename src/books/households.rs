//! Loading the district's PDS ration-card list, and coverage: which
//! households of each village are in a scheme and which are not yet.
//!
//! The list is CSV, UTF-8, header
//! `ration_card,village,member_name,gender,age,relation`, one person per
//! row. A bad row is reported with its line number and reason and skipped;
//! the good rows still load. A person already loaded (same ration card,
//! name and relation) is skipped, so importing the same file twice changes
//! nothing.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;
use serde::Serialize;

use crate::books::{Books, BooksError, Field};
use crate::domain::event::{Body, HouseholdsImported, PdsRow};
use crate::domain::person::{parse_age, parse_gender};
use crate::domain::text;
use crate::i18n::{Localized, Message};
use crate::store::queries::{self, OperatorRow};

pub const HEADER: [&str; 6] = [
    "ration_card",
    "village",
    "member_name",
    "gender",
    "age",
    "relation",
];
/// Rows per ledger event: keeps events (and sync batches) small.
pub const ROWS_PER_EVENT: usize = 500;

#[derive(Clone, Debug, Serialize)]
pub struct BadRow {
    pub line: u64,
    #[serde(skip)]
    pub reason: Message,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ImportReport {
    pub rows: u64,
    pub added: u64,
    pub already_present: u64,
    pub households_added: u64,
    pub bad: Vec<BadRow>,
}

fn field_msg(f: Field, reason: Message) -> Message {
    Message::new("error.field")
        .arg_msg("field", f.message())
        .arg_msg("reason", reason)
}

fn parse_row(fields: &[&str]) -> Result<PdsRow, Message> {
    let [rc, village, name, gender, age, relation] = fields else {
        return Err(Message::new("import.columns").arg("count", fields.len()));
    };
    Ok(PdsRow {
        ration_card: text::ration_card(rc)
            .map_err(|e| field_msg(Field::RationCard, e.message()))?,
        village: text::place_name(village).map_err(|e| field_msg(Field::Village, e.message()))?,
        name: text::person_name(name).map_err(|e| field_msg(Field::Name, e.message()))?,
        gender: parse_gender(gender).map_err(|e| field_msg(Field::Gender, e.message()))?,
        age: parse_age(age).map_err(|e| field_msg(Field::Age, e.message()))?,
        relation: text::person_name(relation)
            .map_err(|e| field_msg(Field::Relation, e.message()))?,
    })
}

impl Books {
    /// Imports a PDS list. `source` names the file in the ledger.
    pub fn import_households(
        &mut self,
        by: &OperatorRow,
        source: &str,
        bytes: &[u8],
        now: Timestamp,
    ) -> Result<ImportReport, BooksError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        // Excel's "Unicode text" and some exports are UTF-16: say how to save
        // the file instead of calling it no CSV at all.
        if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") || looks_utf16(bytes) {
            return Err(BooksError::Utf16);
        }
        if bytes.contains(&0) {
            return Err(BooksError::NotACsv);
        }
        let lines = LineCounter::new(bytes);
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .from_reader(bytes);
        let header = reader
            .byte_headers()
            .map_err(|e| BooksError::Csv {
                detail: e.to_string(),
            })?
            .clone();
        let names: Vec<String> = header
            .iter()
            .map(|h| String::from_utf8_lossy(h).trim().to_ascii_lowercase())
            .collect();
        if names != HEADER {
            return Err(BooksError::BadHeader {
                expected: HEADER.join(","),
            });
        }
        let conn = self.store.conn();
        let mut report = ImportReport::default();
        let mut fresh: Vec<PdsRow> = Vec::new();
        let mut seen: HashSet<(String, String, String)> = HashSet::new();
        let mut village_of: HashMap<String, String> = HashMap::new();
        let mut new_households: HashSet<String> = HashSet::new();
        let mut record = csv::ByteRecord::new();
        loop {
            let line = lines.line_at(bytes, reader.position().byte());
            match reader.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    // A malformed record (bad quoting): report and go on.
                    report.rows += 1;
                    report.bad.push(BadRow {
                        line,
                        reason: Message::new("import.csv").arg("detail", e),
                    });
                    continue;
                }
            }
            let line = record
                .position()
                .map(|p| lines.line_at(bytes, p.byte()))
                .unwrap_or(line);
            report.rows += 1;
            let fields: Result<Vec<&str>, _> = record.iter().map(std::str::from_utf8).collect();
            let row = match fields {
                Err(_) => Err(Message::new("import.utf8")),
                Ok(f) => parse_row(&f),
            };
            let row = match row {
                Ok(r) => r,
                Err(reason) => {
                    report.bad.push(BadRow { line, reason });
                    continue;
                }
            };
            let known_village = match village_of.get(&row.ration_card) {
                Some(v) => Some(v.clone()),
                None => queries::household_village(conn, &row.ration_card)?,
            };
            if let Some(v) = known_village {
                if v != row.village {
                    report.bad.push(BadRow {
                        line,
                        reason: Message::new("import.village_conflict")
                            .arg("card", &row.ration_card)
                            .arg("village", v),
                    });
                    continue;
                }
            } else {
                new_households.insert(row.ration_card.clone());
            }
            village_of.insert(row.ration_card.clone(), row.village.clone());
            let key = (
                row.ration_card.clone(),
                row.name.clone(),
                row.relation.clone(),
            );
            if seen.contains(&key) || queries::pds_person_exists(conn, &key.0, &key.1, &key.2)? {
                report.already_present += 1;
                continue;
            }
            seen.insert(key);
            fresh.push(row);
        }
        report.added = fresh.len() as u64;
        report.households_added = new_households.len() as u64;
        if !fresh.is_empty() {
            let source = source
                .chars()
                .filter(|c| !c.is_control())
                .take(120)
                .collect::<String>();
            self.store.write(|w| -> Result<(), BooksError> {
                for chunk in fresh.chunks(ROWS_PER_EVENT) {
                    w.append(
                        now,
                        Body::HouseholdsImported(HouseholdsImported {
                            source: source.clone(),
                            rows: chunk.to_vec(),
                            by: by.code.clone(),
                        }),
                    )?;
                }
                Ok(())
            })?;
        }
        Ok(report)
    }

    pub fn coverage(&self) -> Result<Vec<queries::VillageCoverage>, BooksError> {
        Ok(queries::coverage(self.store.conn())?)
    }
}

/// UTF-16 text without a byte-order mark: every other byte of ASCII is zero.
fn looks_utf16(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(64)];
    head.len() >= 4
        && (head.iter().step_by(2).all(|&b| b == 0)
            || head.iter().skip(1).step_by(2).all(|&b| b == 0))
}

/// Line numbers as an editor or a spreadsheet counts them (the header is
/// line 1), whatever ends the lines: LF, CRLF or a lone CR. The csv crate's
/// own count is not the one a person sees for CRLF files.
struct LineCounter {
    /// Byte offsets at which each line after the first starts.
    starts: Vec<u64>,
}

impl LineCounter {
    fn new(bytes: &[u8]) -> LineCounter {
        let mut starts = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i as u64 + 1),
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => starts.push(i as u64 + 1),
                _ => {}
            }
            i += 1;
        }
        LineCounter { starts }
    }

    /// The line (from 1) of the record that starts at `offset` in
    /// `bytes`. The csv reader ends a record at the `\r` of a CRLF, so the
    /// next record's position is the `\n` before it: line ends there are
    /// skipped first.
    fn line_at(&self, bytes: &[u8], offset: u64) -> u64 {
        let mut at = offset as usize;
        while matches!(bytes.get(at), Some(b'\r' | b'\n')) {
            at += 1;
        }
        self.starts.partition_point(|&s| s <= at as u64) as u64 + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_as_an_editor_counts_them() {
        for text in ["h\na\nb\n", "h\r\na\r\nb\r\n", "h\ra\rb\r"] {
            let c = LineCounter::new(text.as_bytes());
            let b = text.find('b').expect("b") as u64;
            assert_eq!(c.line_at(text.as_bytes(), 0), 1, "{text:?}");
            assert_eq!(c.line_at(text.as_bytes(), b), 3, "{text:?}");
            // A position at the end of the line before counts as the next.
            assert_eq!(c.line_at(text.as_bytes(), b - 1), 3, "{text:?}");
        }
    }

    #[test]
    fn utf16_is_told_from_utf8() {
        let utf16: Vec<u8> = "ration_card,village"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert!(looks_utf16(&utf16));
        assert!(!looks_utf16("ration_card,village".as_bytes()));
    }
}
