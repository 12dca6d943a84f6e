//! Setting a kiosk up: `init`, operators, SHG groups.

use jiff::Timestamp;

use crate::books::auth::hash_pin;
use crate::books::{Books, BooksError, DataDir, Field};
use crate::domain::aadhaar::DistrictSecret;
use crate::domain::event::{Body, GroupCreated, KioskInitialised, OperatorAdded, SchemeDefined};
use crate::domain::operator::{Role, check_new_pin};
use crate::domain::scheme::builtin_schemes;
use crate::domain::text;
use crate::i18n::Lang;
use crate::store::auth::set_pin;
use crate::store::queries::{self, OperatorRow};

/// A new operator as typed.
#[derive(Clone, Copy, Debug)]
pub struct NewOperator<'a> {
    pub code: &'a str,
    pub name: &'a str,
    /// admin, supervisor or volunteer
    pub role: &'a str,
    /// hi or en; blank means Hindi
    pub language: &'a str,
    pub pin: &'a str,
}

/// What `init` is given, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InitForm {
    pub kiosk: String,
    pub panchayat: String,
    pub block: String,
    pub district: String,
    pub language: String,
    pub admin_code: String,
    pub admin_name: String,
    pub admin_pin: String,
    /// 64 hex characters shared by the district's kiosks and lab; `None`
    /// makes a fresh one (duplicates are then caught only at this kiosk).
    pub district_secret: Option<String>,
}

fn tx(f: Field) -> impl Fn(text::TextError) -> BooksError {
    move |e| BooksError::Text(f, e)
}

pub(crate) fn parse_language(s: &str) -> Result<Lang, BooksError> {
    if s.trim().is_empty() {
        Ok(Lang::Hi)
    } else {
        Lang::parse(s).ok_or(BooksError::BadLanguage)
    }
}

/// Creates a kiosk's books in `dir`: the kiosk, its first admin, the two
/// built-in schemes, and the district secret.
pub fn init(dir: &DataDir, form: &InitForm, now: Timestamp) -> Result<Books, BooksError> {
    let kiosk = text::code(&form.kiosk).map_err(tx(Field::Kiosk))?;
    let panchayat = text::place_name(&form.panchayat).map_err(tx(Field::Panchayat))?;
    let block = text::place_name(&form.block).map_err(tx(Field::Block))?;
    let district = text::place_name(&form.district).map_err(tx(Field::District))?;
    let language = parse_language(&form.language)?;
    let admin = text::code(&form.admin_code).map_err(tx(Field::OperatorCode))?;
    let admin_name = text::person_name(&form.admin_name).map_err(tx(Field::OperatorName))?;
    let pin = check_new_pin(&form.admin_pin)?;
    let secret = match &form.district_secret {
        Some(hex) => DistrictSecret::from_hex(hex).ok_or(BooksError::NoDistrictSecret)?,
        None => {
            let mut key = [0u8; 32];
            getrandom::fill(&mut key).map_err(|e| BooksError::Io {
                path: "getrandom".into(),
                detail: e.to_string(),
            })?;
            DistrictSecret(key)
        }
    };
    if dir.is_initialised() {
        let store = dir.open_store()?;
        if queries::kiosk(store.conn())?.is_some() {
            return Err(BooksError::AlreadyInitialised);
        }
    }
    let phc = hash_pin(&pin)?;
    dir.write_secret(&secret)?;
    let mut store = dir.open_store()?;
    store.write(|w| -> Result<(), BooksError> {
        w.append(
            now,
            Body::KioskInitialised(KioskInitialised {
                kiosk: kiosk.clone(),
                panchayat,
                block,
                district,
                language,
            }),
        )?;
        w.append(
            now,
            Body::OperatorAdded(OperatorAdded {
                code: admin.clone(),
                name: admin_name,
                role: Role::Admin,
                language,
                by: admin.clone(),
            }),
        )?;
        for scheme in builtin_schemes() {
            w.append(
                now,
                Body::SchemeDefined(SchemeDefined {
                    scheme,
                    by: admin.clone(),
                }),
            )?;
        }
        set_pin(w.conn(), &admin, &phc)?;
        Ok(())
    })?;
    let mut books = Books::new(store, Some(secret));
    books.key = Some(dir.kiosk_key()?);
    Ok(books)
}

impl Books {
    /// Adds an operator (admins only).
    pub fn add_operator(
        &mut self,
        by: &OperatorRow,
        new: &NewOperator<'_>,
        now: Timestamp,
    ) -> Result<OperatorRow, BooksError> {
        let NewOperator {
            code,
            name,
            role,
            language,
            pin,
        } = *new;
        crate::books::require_admin(by)?;
        let code = text::code(code).map_err(tx(Field::OperatorCode))?;
        let name = text::person_name(name).map_err(tx(Field::OperatorName))?;
        let role = Role::parse(role).ok_or(BooksError::BadRole)?;
        let language = parse_language(language)?;
        let pin = check_new_pin(pin)?;
        if queries::operator(self.store.conn(), &code)?.is_some() {
            return Err(BooksError::OperatorExists { code });
        }
        let phc = hash_pin(&pin)?;
        let by_code = by.code.clone();
        self.store.write(|w| -> Result<(), BooksError> {
            w.append(
                now,
                Body::OperatorAdded(OperatorAdded {
                    code: code.clone(),
                    name: name.clone(),
                    role,
                    language,
                    by: by_code,
                }),
            )?;
            set_pin(w.conn(), &code, &phc)?;
            Ok(())
        })?;
        Ok(OperatorRow {
            code,
            name,
            role,
            language,
        })
    }

    /// Creates a group (an SHG) of a scheme that works in groups.
    pub fn create_group(
        &mut self,
        by: &OperatorRow,
        code: &str,
        scheme: &str,
        name: &str,
        village: &str,
        now: Timestamp,
    ) -> Result<queries::GroupRow, BooksError> {
        if !by.role.can_supervise() {
            return Err(BooksError::NeedsSupervisor);
        }
        let code = text::code(code).map_err(tx(Field::Group))?;
        let scheme_code = text::code(scheme).map_err(tx(Field::Scheme))?;
        let name = text::place_name(name).map_err(tx(Field::GroupName))?;
        let village = text::place_name(village).map_err(tx(Field::Village))?;
        let conn = self.store.conn();
        let scheme =
            queries::scheme(conn, &scheme_code)?.ok_or_else(|| BooksError::UnknownScheme {
                code: scheme_code.clone(),
            })?;
        if !scheme.eligibility.needs_group {
            return Err(BooksError::GroupOfOtherScheme {
                group: code,
                scheme: scheme_code,
            });
        }
        if queries::group(conn, &code)?.is_some() {
            return Err(BooksError::GroupExists { code });
        }
        let body = Body::GroupCreated(GroupCreated {
            code: code.clone(),
            scheme: scheme_code.clone(),
            name: name.clone(),
            village: village.clone(),
            by: by.code.clone(),
        });
        self.store
            .write(|w| w.append(now, body).map_err(BooksError::from))?;
        Ok(queries::GroupRow {
            code,
            scheme: scheme_code,
            name,
            village,
        })
    }
}
