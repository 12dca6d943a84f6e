//! Finding a member by name across scripts: "sunita" finds सुनीता, "देवी"
//! finds Devi, "laxmi" finds लक्ष्मी.
//!
//! Names are typed in Devanagari or in one of many Latin spellings (Pooja,
//! Puja; Shanti, Santi; Lakshmi, Laxmi). Both sides are reduced to one
//! phonetic key: Devanagari is transliterated letter by letter, then any
//! Latin text is folded — aspiration dropped (kh→k, sh→s), long vowels made
//! short (aa→a, ee→i, oo→u), the short "a" that Hindi writes but often does
//! not say dropped after the first letter of a word, doubled letters made
//! single. A query matches a name when its key is a substring of the name's
//! key. We wrote this rather than use a transliteration crate because the
//! fold, not the transliteration, does the work, and it must make the same
//! mistakes villagers' spellings make.
//!
//! [`Index`] keeps every member's keys in one string so that a keystroke's
//! search is one substring scan of a few megabytes, off the database.

use crate::domain::digits::to_ascii_digits;

fn consonant(c: char) -> Option<&'static str> {
    Some(match c {
        'क' => "k",
        'ख' => "kh",
        'ग' => "g",
        'घ' => "gh",
        'ङ' => "n",
        'च' => "ch",
        'छ' => "chh",
        'ज' => "j",
        'झ' => "jh",
        'ञ' => "n",
        'ट' => "t",
        'ठ' => "th",
        'ड' => "d",
        'ढ' => "dh",
        'ण' => "n",
        'त' => "t",
        'थ' => "th",
        'द' => "d",
        'ध' => "dh",
        'न' => "n",
        'प' => "p",
        'फ' => "ph",
        'ब' => "b",
        'भ' => "bh",
        'म' => "m",
        'य' => "y",
        'र' => "r",
        'ल' => "l",
        'ळ' => "l",
        'व' => "v",
        'श' => "sh",
        'ष' => "sh",
        'स' => "s",
        'ह' => "h",
        // Precomposed nukta letters (qa, khha, ghha, za, dddha, rha, fa, yya).
        '\u{0958}' => "k",
        '\u{0959}' => "kh",
        '\u{095A}' => "g",
        '\u{095B}' => "z",
        '\u{095C}' => "r",
        '\u{095D}' => "rh",
        '\u{095E}' => "f",
        '\u{095F}' => "y",
        _ => return None,
    })
}

fn vowel_sign(c: char) -> Option<&'static str> {
    Some(match c {
        'ा' => "aa",
        'ि' => "i",
        'ी' => "ee",
        'ु' => "u",
        'ू' => "oo",
        'ृ' => "ri",
        'े' => "e",
        'ै' => "ai",
        'ो' => "o",
        'ौ' => "au",
        'ॅ' => "e",
        'ॉ' => "o",
        _ => return None,
    })
}

fn independent_vowel(c: char) -> Option<&'static str> {
    Some(match c {
        'अ' => "a",
        'आ' => "aa",
        'इ' => "i",
        'ई' => "ee",
        'उ' => "u",
        'ऊ' => "oo",
        'ऋ' => "ri",
        'ए' => "e",
        'ऐ' => "ai",
        'ओ' => "o",
        'औ' => "au",
        'ऑ' => "o",
        _ => return None,
    })
}

/// Letter-by-letter Latin for Devanagari; Latin letters are kept (lower
/// case); anything else becomes a word break.
pub fn transliterate(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(cons) = consonant(c) {
            let mut cons = cons;
            // A nukta after ड/ढ/ज/फ/क changes the sound.
            if chars.peek() == Some(&'\u{093C}') {
                chars.next();
                cons = match c {
                    'ड' => "r",
                    'ढ' => "rh",
                    'ज' => "z",
                    'फ' => "f",
                    'क' => "k",
                    _ => cons,
                };
            }
            out.push_str(cons);
            match chars.peek().copied() {
                Some('्') => {
                    chars.next();
                }
                Some(m) if vowel_sign(m).is_some() => {
                    out.push_str(vowel_sign(m).unwrap_or(""));
                    chars.next();
                }
                // The inherent vowel; the fold decides whether it is said.
                _ => out.push('a'),
            }
        } else if let Some(v) = independent_vowel(c) {
            out.push_str(v);
        } else if matches!(c, 'ं' | 'ँ') {
            out.push('n');
        } else if c == 'ः' {
            out.push('h');
        } else if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if matches!(c, '\u{200C}' | '\u{200D}' | '\u{093C}') {
            // Joiners and stray nuktas do not change the sound.
        } else {
            out.push(' ');
        }
    }
    out
}

/// The phonetic key of a name or query in either script.
pub fn phonetic_key(s: &str) -> String {
    let latin = transliterate(&to_ascii_digits(s));
    let mut words = Vec::new();
    for word in latin.split(' ').filter(|w| !w.is_empty()) {
        words.push(fold_word(word));
    }
    words.join(" ")
}

/// The key that says two names are one person's, typed twice: the same
/// phonetic key as the search uses, after the differences that never tell
/// two people apart are taken away — joiners (ZWJ, ZWNJ), the nukta (ड़ and
/// ड, ज़ and ज are one letter as villagers write them), and the spaces and
/// case of Latin ("AnitaDevi", "anita devi"). Chandrabindu and anusvara are
/// one sound in [`phonetic_key`] already.
pub fn identity_key(s: &str) -> String {
    let base: String = s
        .chars()
        .filter_map(|c| match c {
            '\u{200C}' | '\u{200D}' | '\u{093C}' => None,
            '\u{0958}' => Some('क'),
            '\u{0959}' => Some('ख'),
            '\u{095A}' => Some('ग'),
            '\u{095B}' => Some('ज'),
            '\u{095C}' => Some('ड'),
            '\u{095D}' => Some('ढ'),
            '\u{095E}' => Some('फ'),
            '\u{095F}' => Some('य'),
            c => Some(c),
        })
        .collect();
    phonetic_key(&base).replace(' ', "")
}

fn fold_word(w: &str) -> String {
    // Spelling variants to one letter each.
    let w = w
        .replace('x', "ks")
        .replace('q', "k")
        .replace('z', "j")
        .replace('w', "v")
        .replace("ph", "f");
    let b: Vec<char> = w.chars().collect();
    let mut step: Vec<char> = Vec::with_capacity(b.len());
    for (i, &c) in b.iter().enumerate() {
        // A lone c (not ch) is k; y between vowels and i are close enough
        // only in endings, so y is kept.
        let c = if c == 'c' && b.get(i + 1) != Some(&'h') {
            'k'
        } else {
            c
        };
        // Aspiration: drop h after a consonant (kh, gh, ch, jh, th, dh, bh, sh).
        if c == 'h'
            && i > 0
            && matches!(
                step.last(),
                Some('k' | 'g' | 'c' | 'j' | 't' | 'd' | 'p' | 'b' | 's' | 'r')
            )
        {
            continue;
        }
        step.push(c);
    }
    let mut out = String::with_capacity(step.len());
    let mut i = 0;
    while i < step.len() {
        let (c, width) = match (step[i], step.get(i + 1)) {
            ('e', Some('e')) => ('i', 2),
            ('o', Some('o')) => ('u', 2),
            (c, _) => (c, 1),
        };
        let first = i == 0;
        i += width;
        // Short a is written but often not said, and Latin spellings keep or
        // drop it freely: keep only a word-initial a.
        if c == 'a' && !first {
            continue;
        }
        // Doubled letters (and ee/oo just folded) count once.
        if out.ends_with(c) {
            continue;
        }
        out.push(c);
    }
    out
}

/// One searchable member.
#[derive(Clone, Debug)]
pub struct Entry {
    pub member_id: String,
    pub name: String,
    pub relative_name: String,
    pub phone: Option<String>,
    pub ration_card: Option<String>,
    pub village: String,
}

/// One haystack: lines of tab-separated fields, and where each line starts.
#[derive(Default)]
struct Haystack {
    text: String,
    starts: Vec<usize>,
}

impl Haystack {
    fn push_line(&mut self, fields: &[&str]) {
        self.starts.push(self.text.len());
        for f in fields {
            self.text.push('\t');
            self.text.push_str(f);
        }
        self.text.push('\n');
    }

    /// Rows containing `needle`, each once, in row order, with the index of
    /// the field the first hit is in and whether it is at a word start.
    /// `stop` sees each hit and says when enough have been found.
    fn scan(&self, needle: &str, mut stop: impl FnMut(usize, usize, bool) -> bool) {
        let finder = memchr::memmem::Finder::new(needle.as_bytes());
        let bytes = self.text.as_bytes();
        let mut row = 0usize;
        let mut from = 0usize;
        while let Some(pos) = finder.find(&bytes[from..]) {
            let at = from + pos;
            // Hits come in text order, so the row only moves forward.
            while row + 1 < self.starts.len() && self.starts[row + 1] <= at {
                row += 1;
            }
            let line_start = self.starts[row];
            let line_end = self.starts.get(row + 1).copied().unwrap_or(bytes.len());
            let before = &bytes[line_start..at];
            let field = memchr::memchr_iter(b'\t', before).count().saturating_sub(1);
            let word_start = matches!(before.last(), Some(b'\t' | b' '));
            if stop(row, field, word_start) {
                return;
            }
            // One hit per member: go on from the next line.
            from = line_end;
            if from >= bytes.len() {
                return;
            }
        }
    }
}

/// Every member's search keys, in two haystacks: phonetic name keys, and
/// identifiers (member ID, phone, ration card). A keystroke's search is one
/// SIMD substring scan of one of them, off the database.
#[derive(Default)]
pub struct Index {
    names: Haystack,
    ids: Haystack,
    entries: Vec<Entry>,
}

impl Index {
    pub fn new(entries: Vec<Entry>) -> Index {
        let mut index = Index::default();
        for e in entries {
            index.push(e);
        }
        index
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds one member (after an enrolment, without rebuilding).
    pub fn push(&mut self, e: Entry) {
        self.names
            .push_line(&[&phonetic_key(&e.name), &phonetic_key(&e.relative_name)]);
        let id = e.member_id.to_ascii_lowercase();
        let rc = e.ration_card.as_deref().unwrap_or("").to_ascii_lowercase();
        self.ids
            .push_line(&[&id, e.phone.as_deref().unwrap_or(""), &rc]);
        self.entries.push(e);
    }

    /// Members matching `query`, best first, at most `limit`. A query with a
    /// digit is an identifier (member ID, phone, ration card), matched as
    /// typed; any other query is a name, matched phonetically in either
    /// script: word starts in the member's name first, then elsewhere in the
    /// name, then the father's or husband's name.
    pub fn search(&self, query: &str, limit: usize) -> Vec<&Entry> {
        let q = query.trim();
        if q.is_empty() || limit == 0 {
            return Vec::new();
        }
        let ascii = to_ascii_digits(q).to_ascii_lowercase();
        if ascii.chars().any(|c| c.is_ascii_digit()) {
            let mut rows = Vec::new();
            self.ids.scan(&ascii, |row, _, _| {
                rows.push(row);
                rows.len() >= limit
            });
            return rows.into_iter().map(|r| &self.entries[r]).collect();
        }
        let needle = phonetic_key(q);
        if needle.is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<(u8, usize)> = Vec::new();
        let mut best = 0usize;
        self.names.scan(&needle, |row, field, word_start| {
            let rank = match (field, word_start) {
                (0, true) => 0,
                (0, false) => 1,
                _ => 2,
            };
            hits.push((rank, row));
            if rank == 0 {
                best += 1;
            }
            // Word-start name matches rank first and ties go by row, so the
            // first `limit` of them, in text order, are the answer.
            best >= limit
        });
        hits.sort_by_key(|(rank, row)| (*rank, *row));
        hits.into_iter()
            .take(limit)
            .map(|(_, row)| &self.entries[row])
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, name: &str) -> Entry {
        Entry {
            member_id: id.into(),
            name: name.into(),
            relative_name: "x".into(),
            phone: None,
            ration_card: None,
            village: "v".into(),
        }
    }

    #[test]
    fn keys_meet_across_scripts_and_spellings() {
        let same = [
            ("सुनीता", "sunita"),
            ("सुनीता", "Suneeta"),
            ("देवी", "Devi"),
            ("पूजा", "Puja"),
            ("पूजा", "Pooja"),
            ("लक्ष्मी", "Laxmi"),
            ("लक्ष्मी", "Lakshmi"),
            ("शांति", "Shanti"),
            ("शांति", "Santi"),
            ("रामलाल", "Ramlal"),
            ("संगीता", "Sangeeta"),
            ("प्रियंका", "Priyanka"),
            ("भगवान", "Bhagwan"),
            ("मीणा", "Meena"),
            ("सड़क", "sarak"),
        ];
        for (dev, lat) in same {
            assert_eq!(phonetic_key(dev), phonetic_key(lat), "{dev} vs {lat}");
        }
        assert_ne!(phonetic_key("सुनीता"), phonetic_key("संगीता"));
    }

    #[test]
    fn identity_keys_meet_for_one_person_typed_twice() {
        let same = [
            ("Savitri", "सावित्री"),
            ("Anita Devi", "अनीता देवी"),
            ("रक्षा", "र\u{200D}क्षा"),
            ("रक्षा", "रक्\u{200C}षा"),
            ("Raamlaal Meena", "Ramlal Meena"),
            ("Ramlal Meena", "रामलाल मीणा"),
            ("AnitaDevi", "anita  devi"),
            ("सड़क", "सडक"),
            ("ज़ाकिर", "जाकिर"),
            ("शांति", "शाँति"),
        ];
        for (a, b) in same {
            assert_eq!(identity_key(a), identity_key(b), "{a} vs {b}");
        }
        assert_ne!(identity_key("Sunita"), identity_key("Sangeeta"));
        assert_ne!(identity_key("Anita Devi"), identity_key("Anita"));
    }

    #[test]
    fn search_finds_across_scripts_and_ranks_word_starts_first() {
        let idx = Index::new(vec![
            entry("K-1", "सुनीता देवी"),
            entry("K-2", "Sunita Devi"),
            entry("K-3", "Ramesh Meena"),
            entry("K-4", "कमला देवी"),
        ]);
        let ids = |q: &str| {
            idx.search(q, 10)
                .iter()
                .map(|e| e.member_id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids("sunita"), vec!["K-1", "K-2"]);
        assert_eq!(ids("सुनी"), vec!["K-1", "K-2"]);
        assert_eq!(ids("देवी"), vec!["K-1", "K-2", "K-4"]);
        assert_eq!(ids("meena"), vec!["K-3"]);
        assert_eq!(ids("k-3"), vec!["K-3"]);
        assert!(ids("zzz").is_empty());
        assert!(ids("   ").is_empty());
    }
}
