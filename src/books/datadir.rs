//! The data directory: where a kiosk keeps its database and secrets.
//!
//! Chosen by `--data-dir`, else `$DASTAK_DATA`, else the platform data
//! directory (`~/.local/share/dastak` on the Pi). Layout:
//! `dastak.db` (+ WAL files) and `district.key` (the Aadhaar HMAC key, mode
//! 0600, kept beside but outside the database so that a copy of the
//! database alone cannot be brute-forced back to Aadhaar numbers),
//! `kiosk.key` (the kiosk's ed25519 signing key, mode 0600: it signs the QR
//! code on every receipt) and `dastak.toml` (settings: the printer).

use std::fs;
use std::path::{Path, PathBuf};

use dastak_core::durable::{self, Access};

use crate::books::{Books, BooksError};
use crate::domain::aadhaar::DistrictSecret;
use crate::store::Store;

pub const DB_FILE: &str = "dastak.db";
pub const SECRET_FILE: &str = "district.key";
pub const KEY_FILE: &str = "kiosk.key";
pub const CONFIG_FILE: &str = "dastak.toml";

#[derive(Clone, Debug)]
pub struct DataDir {
    pub root: PathBuf,
}

fn io_err(path: &Path, e: std::io::Error) -> BooksError {
    BooksError::Io {
        path: path.display().to_string(),
        detail: e.to_string(),
    }
}

impl DataDir {
    /// `--data-dir`, else `$DASTAK_DATA`, else the platform data directory.
    pub fn resolve(arg: Option<PathBuf>) -> DataDir {
        let root = arg
            .or_else(|| {
                std::env::var_os("DASTAK_DATA")
                    .filter(|v| !v.is_empty())
                    .map(PathBuf::from)
            })
            .or_else(|| dirs::data_dir().map(|d| d.join("dastak")))
            .unwrap_or_else(|| PathBuf::from("dastak-data"));
        DataDir { root }
    }

    pub fn db_path(&self) -> PathBuf {
        self.root.join(DB_FILE)
    }

    pub fn secret_path(&self) -> PathBuf {
        self.root.join(SECRET_FILE)
    }

    pub fn is_initialised(&self) -> bool {
        self.db_path().exists()
    }

    fn ensure_root(&self) -> Result<(), BooksError> {
        fs::create_dir_all(&self.root).map_err(|e| io_err(&self.root, e))
    }

    /// Opens the store, creating the directory and database if needed.
    pub fn open_store(&self) -> Result<Store, BooksError> {
        self.ensure_root()?;
        // SQLite in WAL mode writes beside the database even to read it;
        // say which folder cannot be written rather than SQLite's "unable
        // to open database file".
        self.check_writable()?;
        Ok(Store::open(&self.db_path())?)
    }

    fn check_writable(&self) -> Result<(), BooksError> {
        use std::os::unix::ffi::OsStrExt;
        let path = std::ffi::CString::new(self.root.as_os_str().as_bytes()).map_err(|_| {
            BooksError::DataDirReadOnly {
                dir: self.root.display().to_string(),
                detail: "NUL in path".into(),
            }
        })?;
        // SAFETY: `path` is a valid NUL-terminated string that outlives the call.
        if unsafe { libc::access(path.as_ptr(), libc::W_OK | libc::X_OK) } == 0 {
            return Ok(());
        }
        Err(BooksError::DataDirReadOnly {
            dir: self.root.display().to_string(),
            detail: std::io::Error::last_os_error().to_string(),
        })
    }

    /// Opens the books of an initialised kiosk.
    pub fn open_books(&self) -> Result<Books, BooksError> {
        if !self.is_initialised() {
            return Err(BooksError::NotInitialised);
        }
        let store = self.open_store()?;
        let secret = self.read_secret()?;
        let mut books = Books::new(store, secret);
        books.kiosk()?;
        books.key = Some(self.kiosk_key()?);
        Ok(books)
    }

    /// The books when this directory holds a kiosk's, else `None` (the
    /// console then starts its first-run setup). The database is opened,
    /// and checked, once: on a large kiosk that is most of the time to the
    /// console's first frame.
    pub fn open_if_kiosk(&self) -> Result<Option<Books>, BooksError> {
        if !self.is_initialised() {
            return Ok(None);
        }
        let mut books = Books::new(self.open_store()?, None);
        if books.kiosk().is_err() {
            return Ok(None);
        }
        books.secret = self.read_secret()?;
        books.key = Some(self.kiosk_key()?);
        Ok(Some(books))
    }

    pub fn read_secret(&self) -> Result<Option<DistrictSecret>, BooksError> {
        let path = self.secret_path();
        match fs::read_to_string(&path) {
            Ok(s) => DistrictSecret::from_hex(&s)
                .map(Some)
                .ok_or(BooksError::NoDistrictSecret),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_err(&path, e)),
        }
    }

    /// Writes the district secret durably with owner-only permissions.
    pub fn write_secret(&self, secret: &DistrictSecret) -> Result<(), BooksError> {
        self.write_private(SECRET_FILE, secret.to_hex().as_bytes())
    }

    pub fn config_path(&self) -> PathBuf {
        self.root.join(CONFIG_FILE)
    }

    /// The kiosk's signing key, made on first use (`init` makes it; a data
    /// directory from before receipts were signed gets one the first time
    /// it needs one).
    pub fn kiosk_key(&self) -> Result<ed25519_dalek::SigningKey, BooksError> {
        let path = self.root.join(KEY_FILE);
        match fs::read_to_string(&path) {
            Ok(s) => {
                let seed: [u8; 32] = hex::decode(s.trim())
                    .ok()
                    .and_then(|b| b.try_into().ok())
                    .ok_or_else(|| BooksError::Io {
                        path: path.display().to_string(),
                        detail: "not a key".into(),
                    })?;
                Ok(ed25519_dalek::SigningKey::from_bytes(&seed))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut seed = [0u8; 32];
                getrandom::fill(&mut seed).map_err(|e| BooksError::Io {
                    path: "getrandom".into(),
                    detail: e.to_string(),
                })?;
                self.write_private(KEY_FILE, hex::encode(seed).as_bytes())?;
                Ok(ed25519_dalek::SigningKey::from_bytes(&seed))
            }
            Err(e) => Err(io_err(&path, e)),
        }
    }

    /// Writes a file durably with owner-only permissions (see
    /// [`dastak_core::durable`]).
    pub fn write_private(&self, name: &str, contents: &[u8]) -> Result<(), BooksError> {
        self.ensure_root()?;
        durable::write(&self.root, name, contents, Access::Private).map_err(|e| BooksError::Io {
            path: e.path().display().to_string(),
            detail: e.io().map_or_else(|| e.to_string(), |io| io.to_string()),
        })
    }
}
