//! Amounts in words, as a receipt or cheque writes them, in the Indian
//! system (hundred, thousand, lakh, crore).
//!
//! English: "Rupees One Lakh Only". Hindi: "एक लाख रुपये मात्र". Hindi has
//! a distinct word for every number below a hundred, so those are a table.

use crate::domain::money::Paise;
use crate::i18n::Lang;

pub const EN_ONES: [&str; 20] = [
    "Zero",
    "One",
    "Two",
    "Three",
    "Four",
    "Five",
    "Six",
    "Seven",
    "Eight",
    "Nine",
    "Ten",
    "Eleven",
    "Twelve",
    "Thirteen",
    "Fourteen",
    "Fifteen",
    "Sixteen",
    "Seventeen",
    "Eighteen",
    "Nineteen",
];
pub const EN_TENS: [&str; 10] = [
    "", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety",
];

/// Hindi words for 0–99.
pub const HI_0_99: [&str; 100] = [
    "शून्य",
    "एक",
    "दो",
    "तीन",
    "चार",
    "पाँच",
    "छह",
    "सात",
    "आठ",
    "नौ",
    "दस",
    "ग्यारह",
    "बारह",
    "तेरह",
    "चौदह",
    "पंद्रह",
    "सोलह",
    "सत्रह",
    "अठारह",
    "उन्नीस",
    "बीस",
    "इक्कीस",
    "बाईस",
    "तेईस",
    "चौबीस",
    "पच्चीस",
    "छब्बीस",
    "सत्ताईस",
    "अट्ठाईस",
    "उनतीस",
    "तीस",
    "इकतीस",
    "बत्तीस",
    "तैंतीस",
    "चौंतीस",
    "पैंतीस",
    "छत्तीस",
    "सैंतीस",
    "अड़तीस",
    "उनतालीस",
    "चालीस",
    "इकतालीस",
    "बयालीस",
    "तैंतालीस",
    "चवालीस",
    "पैंतालीस",
    "छियालीस",
    "सैंतालीस",
    "अड़तालीस",
    "उनचास",
    "पचास",
    "इक्यावन",
    "बावन",
    "तिरपन",
    "चौवन",
    "पचपन",
    "छप्पन",
    "सत्तावन",
    "अट्ठावन",
    "उनसठ",
    "साठ",
    "इकसठ",
    "बासठ",
    "तिरसठ",
    "चौंसठ",
    "पैंसठ",
    "छियासठ",
    "सड़सठ",
    "अड़सठ",
    "उनहत्तर",
    "सत्तर",
    "इकहत्तर",
    "बहत्तर",
    "तिहत्तर",
    "चौहत्तर",
    "पचहत्तर",
    "छिहत्तर",
    "सतहत्तर",
    "अठहत्तर",
    "उन्यासी",
    "अस्सी",
    "इक्यासी",
    "बयासी",
    "तिरासी",
    "चौरासी",
    "पचासी",
    "छियासी",
    "सत्तासी",
    "अट्ठासी",
    "नवासी",
    "नब्बे",
    "इक्यानवे",
    "बानवे",
    "तिरानवे",
    "चौरानवे",
    "पचानवे",
    "छियानवे",
    "सत्तानवे",
    "अट्ठानवे",
    "निन्यानवे",
];

fn en_below_100(n: u64, out: &mut Vec<String>) {
    if n < 20 {
        out.push(EN_ONES[n as usize].to_string());
    } else if n.is_multiple_of(10) {
        out.push(EN_TENS[(n / 10) as usize].to_string());
    } else {
        out.push(format!(
            "{} {}",
            EN_TENS[(n / 10) as usize],
            EN_ONES[(n % 10) as usize]
        ));
    }
}

/// Words for a whole number in the Indian system; `n > 0`.
fn number_words(n: u64, lang: Lang) -> Vec<String> {
    let (crore, lakh, thousand, hundred) = match lang {
        Lang::En => ("Crore", "Lakh", "Thousand", "Hundred"),
        Lang::Hi => ("करोड़", "लाख", "हज़ार", "सौ"),
    };
    let below_100 = |k: u64, out: &mut Vec<String>| match lang {
        Lang::En => en_below_100(k, out),
        Lang::Hi => out.push(HI_0_99[k as usize].to_string()),
    };
    let mut out = Vec::new();
    let crores = n / 10_000_000;
    if crores > 0 {
        // Beyond 99 crore the crore count is itself read in the Indian system.
        out.extend(number_words(crores, lang));
        out.push(crore.to_string());
    }
    let parts = [
        ((n / 100_000) % 100, lakh),
        ((n / 1_000) % 100, thousand),
        ((n / 100) % 10, hundred),
    ];
    for (k, unit) in parts {
        if k > 0 {
            below_100(k, &mut out);
            out.push(unit.to_string());
        }
    }
    let rest = n % 100;
    if rest > 0 {
        below_100(rest, &mut out);
    }
    out
}

/// The amount in words, ending with "Only"/"मात्र". Negative amounts are
/// written as their absolute value (a reversal slip says "refund" itself).
pub fn amount_in_words(amount: Paise, lang: Lang) -> String {
    let abs = amount.0.unsigned_abs();
    let rupees = abs / 100;
    let paise = abs % 100;
    match lang {
        Lang::En => {
            let mut s = String::new();
            if rupees > 0 || paise == 0 {
                let words = if rupees == 0 {
                    vec!["Zero".to_string()]
                } else {
                    number_words(rupees, lang)
                };
                s.push_str("Rupees ");
                s.push_str(&words.join(" "));
            }
            if paise > 0 {
                if !s.is_empty() {
                    s.push_str(" and ");
                }
                s.push_str(&number_words(paise, lang).join(" "));
                s.push_str(" Paise");
            }
            s.push_str(" Only");
            s
        }
        Lang::Hi => {
            let mut s = String::new();
            if rupees > 0 || paise == 0 {
                let words = if rupees == 0 {
                    vec![HI_0_99[0].to_string()]
                } else {
                    number_words(rupees, lang)
                };
                s.push_str(&words.join(" "));
                s.push_str(if rupees == 1 {
                    " रुपया"
                } else {
                    " रुपये"
                });
            }
            if paise > 0 {
                if !s.is_empty() {
                    s.push_str(" और ");
                }
                s.push_str(HI_0_99[paise as usize]);
                s.push_str(" पैसे");
            }
            s.push_str(" मात्र");
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_lakh_in_both_languages() {
        assert_eq!(
            amount_in_words(Paise::from_rupees(100_000), Lang::En),
            "Rupees One Lakh Only"
        );
        assert_eq!(
            amount_in_words(Paise::from_rupees(100_000), Lang::Hi),
            "एक लाख रुपये मात्र"
        );
    }

    #[test]
    fn mixed_amounts() {
        assert_eq!(
            amount_in_words(Paise(1_234_567_890), Lang::En),
            "Rupees One Crore Twenty Three Lakh Forty Five Thousand Six Hundred Seventy Eight and Ninety Paise Only"
        );
        assert_eq!(
            amount_in_words(Paise(10050), Lang::Hi),
            "एक सौ रुपये और पचास पैसे मात्र"
        );
        assert_eq!(amount_in_words(Paise(100), Lang::Hi), "एक रुपया मात्र");
        assert_eq!(amount_in_words(Paise(5), Lang::En), "Five Paise Only");
        assert_eq!(amount_in_words(Paise(0), Lang::En), "Rupees Zero Only");
    }
}
