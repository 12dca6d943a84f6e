//! Members change: a phone, an Aadhaar number brought after registration, a
//! relative's name spelt right, a new nominee, leaving a scheme. Each is an
//! event of its own with a reason and the operator who made it; the
//! registration stays as it was, and the statement lists every change.
//!
//! Who may: any operator corrects details and changes a nominee (both are
//! recorded with who did it, and a nominee change prints a slip for the
//! member to keep); leaving a scheme, which stops the dues, needs a
//! supervisor or admin.

use jiff::Timestamp;

use crate::books::{Books, BooksError, Field};
use crate::domain::aadhaar::Aadhaar;
use crate::domain::event::{Body, MemberCorrected, Nominee, NomineeChanged, SchemeLeft};
use crate::domain::person::parse_mobile;
use crate::domain::text;
use crate::domain::time::{local_date, parse_date};
use crate::print::DocKind;
use crate::store::queries::{self, EnrolmentRow, MemberRow, OperatorRow};

/// What an operator corrects; `None` leaves a detail as it is.
#[derive(Clone, Debug, Default)]
pub struct Correction {
    pub phone: Option<String>,
    /// The full number, used only to check it and reduce it.
    pub aadhaar: Option<String>,
    pub relative_name: Option<String>,
    pub reason: String,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn reason(r: &str) -> Result<String, BooksError> {
    text::free_text(r, 5).map_err(|e| BooksError::Text(Field::Reason, e))
}

/// A nominee's name and her relation to the member, checked as names.
fn nominee_names(name: &str, relation: &str) -> Result<(String, String), BooksError> {
    Ok((
        text::person_name(name).map_err(|e| BooksError::Text(Field::NomineeName, e))?,
        text::person_name(relation).map_err(|e| BooksError::Text(Field::NomineeRelation, e))?,
    ))
}

impl Books {
    /// The member by her ID as typed (trimmed, either case), or why not.
    pub(super) fn member_for_change(&self, member_id: &str) -> Result<MemberRow, BooksError> {
        let id = member_id.trim().to_ascii_uppercase();
        queries::member(self.store.conn(), &id)?.ok_or(BooksError::UnknownMember { id })
    }

    fn open_enrolment(&self, m: &MemberRow, scheme: &str) -> Result<EnrolmentRow, BooksError> {
        let code = text::code(scheme).map_err(|e| BooksError::Text(Field::Scheme, e))?;
        let e = queries::enrolment(self.store.conn(), &m.member_id, &code)?.ok_or_else(|| {
            BooksError::NotEnrolled {
                id: m.member_id.clone(),
                scheme: code.clone(),
            }
        })?;
        if let Some(on) = e.left_on {
            return Err(BooksError::LeftScheme {
                id: m.member_id.clone(),
                scheme: code,
                on: crate::domain::time::display_date(on),
            });
        }
        Ok(e)
    }

    /// Corrects or adds a member's phone, Aadhaar number or relative's name.
    pub fn correct_member(
        &mut self,
        by: &OperatorRow,
        member_id: &str,
        c: &Correction,
        now: Timestamp,
    ) -> Result<(), BooksError> {
        let m = self.member_for_change(member_id)?;
        let phone = given(&c.phone)
            .map(|p| parse_mobile(p).map_err(|e| BooksError::Person(Field::Phone, e)))
            .transpose()?;
        let relative_name = given(&c.relative_name)
            .map(|r| text::person_name(r).map_err(|e| BooksError::Text(Field::RelativeName, e)))
            .transpose()?;
        let aadhaar = match given(&c.aadhaar) {
            Some(a) => Some(Aadhaar::parse(a)?.reduce(self.secret()?)),
            None => None,
        };
        if phone.is_none() && relative_name.is_none() && aadhaar.is_none() {
            return Err(BooksError::NothingToChange);
        }
        let reason = reason(&c.reason)?;
        if let Some(a) = &aadhaar
            && let Some(other) = queries::member_by_aadhaar(self.store.conn(), &a.hash)?
            && other.member_id != m.member_id
        {
            return Err(BooksError::DuplicateAadhaar {
                id: other.member_id,
                name: other.name,
                village: other.village,
            });
        }
        let body = Body::MemberCorrected(MemberCorrected {
            member_id: m.member_id,
            phone,
            aadhaar,
            relative_name,
            reason,
            by: by.code.clone(),
        });
        self.store
            .write(|w| w.append(now, body).map(|_| ()).map_err(BooksError::from))
    }

    /// Names a new nominee for a member's enrolment; the slip that says so
    /// waits in the print queue under the event's number, which is returned.
    #[allow(clippy::too_many_arguments)]
    pub fn change_nominee(
        &mut self,
        by: &OperatorRow,
        member_id: &str,
        scheme: &str,
        name: &str,
        relation: &str,
        why: &str,
        now: Timestamp,
    ) -> Result<u64, BooksError> {
        let m = self.member_for_change(member_id)?;
        let e = self.open_enrolment(&m, scheme)?;
        let (name, relation) = nominee_names(name, relation)?;
        let reason = reason(why)?;
        let body = Body::NomineeChanged(NomineeChanged {
            member_id: m.member_id,
            scheme: e.scheme,
            nominee: Nominee { name, relation },
            on: local_date(now),
            reason,
            by: by.code.clone(),
        });
        self.record_with_slip(body, now)
    }

    /// Records a change of nominees and queues its slip under the event's
    /// number, in one transaction; returns the number.
    fn record_with_slip(&mut self, body: Body, now: Timestamp) -> Result<u64, BooksError> {
        self.store.write(|w| -> Result<u64, BooksError> {
            let event = w.append(now, body)?;
            w.queue_print(DocKind::Nominee.name(), &event.seq.to_string(), now)?;
            Ok(event.seq)
        })
    }

    /// Names a member's nominees in one scheme with their shares of a
    /// benefit, from today: each entry `name,relation,share` (share in
    /// whole percent), 1 to 5 of them adding up to 100, no one twice. The
    /// first is the one the paise a split leaves over go to. The slip that
    /// says so waits in the print queue under the event's number, which is
    /// returned.
    pub fn set_nominees(
        &mut self,
        by: &OperatorRow,
        member_id: &str,
        scheme: &str,
        entries: &[String],
        why: &str,
        now: Timestamp,
    ) -> Result<u64, BooksError> {
        use crate::domain::event::{NomineeShare, NomineesSet};
        let m = self.member_for_change(member_id)?;
        let e = self.open_enrolment(&m, scheme)?;
        let mut nominees: Vec<NomineeShare> = Vec::new();
        for entry in entries {
            let bad = || BooksError::NomineeEntry { got: entry.clone() };
            let parts: Vec<&str> = entry.split(',').map(str::trim).collect();
            let [name, relation, share] = parts[..] else {
                return Err(bad());
            };
            let (name, relation) = nominee_names(name, relation)?;
            let share = share
                .trim_end_matches('%')
                .parse::<u32>()
                .ok()
                .filter(|s| (1..=100).contains(s))
                .ok_or_else(bad)?;
            let key = crate::domain::search::identity_key(&name);
            if nominees
                .iter()
                .any(|n| crate::domain::search::identity_key(&n.name) == key)
            {
                return Err(BooksError::NomineeTwice { name });
            }
            nominees.push(NomineeShare {
                name,
                relation,
                share,
                account: None,
            });
        }
        let total: u64 = nominees.iter().map(|n| u64::from(n.share)).sum();
        if !(1..=5).contains(&nominees.len()) || total != 100 {
            return Err(BooksError::NomineeShares { total });
        }
        let reason = reason(why)?;
        let body = Body::NomineesSet(NomineesSet {
            member_id: m.member_id,
            scheme: e.scheme,
            nominees,
            on: local_date(now),
            reason,
            by: by.code.clone(),
        });
        self.record_with_slip(body, now)
    }

    /// The nominees of a member's enrolment in `scheme` in force on `day`
    /// (see [`crate::domain::claim::nominees_on`]).
    pub fn nominees_on(
        &self,
        member_id: &str,
        scheme: &str,
        day: jiff::civil::Date,
    ) -> Result<Vec<crate::domain::event::NomineeShare>, BooksError> {
        let history = queries::nominee_history(self.store.conn())?;
        Ok(crate::domain::claim::nominees_on(
            &history, member_id, scheme, day,
        ))
    }

    /// A member leaves a scheme on `on` (dd-mm-yyyy; today when empty): no
    /// dues fall after it. Supervisors and admins only.
    pub fn leave_scheme(
        &mut self,
        by: &OperatorRow,
        member_id: &str,
        scheme: &str,
        on: Option<&str>,
        why: &str,
        now: Timestamp,
    ) -> Result<(), BooksError> {
        if !by.role.can_supervise() {
            return Err(BooksError::NeedsSupervisor);
        }
        let m = self.member_for_change(member_id)?;
        let e = self.open_enrolment(&m, scheme)?;
        let today = local_date(now);
        let on = match on.map(str::trim).filter(|s| !s.is_empty()) {
            Some(d) => parse_date(d).ok_or(BooksError::BadDate(Field::Date))?,
            None => today,
        };
        if on > today || on < e.enrolled_on {
            return Err(BooksError::BadDate(Field::Date));
        }
        let reason = reason(why)?;
        let body = Body::SchemeLeft(SchemeLeft {
            member_id: m.member_id,
            scheme: e.scheme,
            on,
            reason,
            by: by.code.clone(),
        });
        self.store
            .write(|w| w.append(now, body).map(|_| ()).map_err(BooksError::from))
    }
}
