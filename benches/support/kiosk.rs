//! The kiosk every bench starts from: a fresh data directory in रामपुर with
//! an admin, and fund members to take money from. Each bench includes it
//! by path (`#[path = "support/kiosk.rs"]`): bench targets share no crate
//! of their own.
// Not every bench takes money.
#![allow(dead_code)]

use dastak::books::members::{DuplicateOk, EnrolForm, MemberForm};
use dastak::books::setup::{InitForm, init};
use dastak::books::{Books, DataDir};
use dastak::store::queries::OperatorRow;
use jiff::Timestamp;

/// A kiosk with code `code` initialised at `root` at `t0`, and its admin
/// (code ADMIN, PIN 1234).
pub fn kiosk(root: std::path::PathBuf, code: &str, t0: Timestamp) -> (Books, OperatorRow) {
    let form = InitForm {
        kiosk: code.into(),
        panchayat: "रामपुर".into(),
        block: "सांगानेर".into(),
        district: "जयपुर".into(),
        language: "hi".into(),
        admin_code: "ADMIN".into(),
        admin_name: "अरुण शर्मा".into(),
        admin_pin: "1234".into(),
        district_secret: None,
    };
    let books = init(&DataDir { root }, &form, t0).expect("init");
    let admin = books.operator("ADMIN").expect("query").expect("admin");
    (books, admin)
}

/// Registers a woman of रामपुर in the fund, her relative as nominee;
/// returns her member ID.
pub fn fund_member(
    books: &mut Books,
    admin: &OperatorRow,
    name: &str,
    relative: &str,
    t0: Timestamp,
) -> String {
    let member = MemberForm {
        name: name.into(),
        relative_name: relative.into(),
        gender: "F".into(),
        age: Some("40".into()),
        village: "रामपुर".into(),
        ..MemberForm::default()
    };
    let enrol = EnrolForm {
        scheme: "FUND".into(),
        nominee_name: Some(relative.into()),
        nominee_relation: Some("पति".into()),
        ..EnrolForm::default()
    };
    books
        .register_member_accepting(admin, &member, &[enrol], Some(&namesakes(admin)), t0)
        .expect("member")
        .member_id
}

/// Synthetic names repeat ("Member C" and "Member K" sound alike): the
/// admin accepts them as namesakes, as a supervisor would real ones. Only a
/// registration that resembles an existing member records the acceptance.
pub fn namesakes(admin: &OperatorRow) -> DuplicateOk {
    DuplicateOk {
        supervisor: admin.clone(),
        reason: "synthetic namesakes".into(),
    }
}
