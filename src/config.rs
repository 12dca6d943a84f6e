//! Settings: `dastak.toml` in the data directory, parsed and then resolved
//! into [`Settings`] in a second step (as ripgrep does), with `$DASTAK_PRINTER`
//! overriding the printer for scripts and training. A commented example
//! ships as `dastak.example.toml`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::i18n::{Localized, Message, english};
use crate::print::escpos::Profile;
use crate::print::transport::{PrintError, PrinterUrl};

/// The file as written: every key optional.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    #[serde(default)]
    pub printer: RawPrinter,
    #[serde(default, skip_serializing_if = "is_default")]
    pub rules: RawRules,
    #[serde(default, skip_serializing_if = "is_default")]
    pub stick: RawStick,
    #[serde(default, skip_serializing_if = "is_default")]
    pub lab: RawLab,
}

/// A section left out of the written file when nothing in it is set.
fn is_default<T: Default + PartialEq>(section: &T) -> bool {
    section == &T::default()
}

/// The district lab this kiosk belongs to.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RawLab {
    /// Lab keys (64 hex, `dastak-lab identity`'s second line) whose signed
    /// link file the console takes from a USB stick.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trusted_keys: Vec<String>,
}

/// The USB stick on the kiosk image.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RawStick {
    /// A file the console creates to ask the system to unmount the stick
    /// after an export (the image's `dastak-eject.path` watches it).
    pub eject_request: Option<String>,
}

/// Rules a district may set for its kiosks.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RawRules {
    /// One woman per household in "kiosk" (all SHGs of the kiosk, the
    /// drive's rule and the default) or in "group" (per group).
    pub shg_one_per_household: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RawPrinter {
    pub url: Option<String>,
    /// Paper width in millimetres: 58 or 80.
    pub paper: Option<u32>,
    pub cutter: Option<bool>,
    pub native_qr: Option<bool>,
    pub timeout_seconds: Option<u64>,
    /// Folder of receipt templates (relative paths are in the data directory).
    pub templates: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", english(self))]
pub enum ConfigError {
    Read { path: String, detail: String },
    Parse { path: String, detail: String },
    Paper { got: u32 },
    Printer(PrintError),
    HouseholdScope { got: String },
    LabKey { got: String },
}

impl Localized for ConfigError {
    fn message(&self) -> Message {
        match self {
            ConfigError::Read { path, detail } | ConfigError::Parse { path, detail } => {
                Message::new("config.bad")
                    .arg("path", path)
                    .arg("detail", detail)
            }
            ConfigError::Paper { got } => Message::new("config.paper").arg("got", got),
            ConfigError::Printer(e) => e.message(),
            ConfigError::HouseholdScope { got } => {
                Message::new("config.household_scope").arg("got", got)
            }
            ConfigError::LabKey { got } => Message::new("config.lab_key").arg("got", got),
        }
    }
}

/// Resolved settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub printer: Option<PrinterUrl>,
    pub profile: Profile,
    pub timeout: Duration,
    pub templates: Option<PathBuf>,
    pub rules: crate::books::Rules,
    /// After an export to a folder that is a mount point, ask for the
    /// unmount through this file (see [`crate::books::sync::eject`]); `None` off
    /// the kiosk image, where the operator unmounts the stick.
    pub eject_request: Option<PathBuf>,
    /// Labs whose signed link file is taken from a stick
    /// ([`crate::books::Books::link`]).
    pub trusted_labs: Vec<ed25519_dalek::VerifyingKey>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            printer: None,
            profile: Profile {
                width: 384,
                cutter: false,
                native_qr: false,
            },
            timeout: Duration::from_secs(5),
            templates: None,
            rules: crate::books::Rules::default(),
            eject_request: None,
            trusted_labs: Vec::new(),
        }
    }
}

/// The package's default settings, used until the kiosk has its own
/// (`$DASTAK_SYSTEM_CONFIG` names another file, for tests).
pub const SYSTEM_CONFIG: &str = "/etc/dastak/dastak.toml";

impl RawConfig {
    /// The kiosk's configuration: `dastak.toml` in the data directory when
    /// it exists, else the system default ([`SYSTEM_CONFIG`], installed by
    /// the Debian package; the image's root is read-only, so the settings
    /// screen's first save copies it, with the change, to the data
    /// directory). The two files are never merged: what the kiosk's file
    /// says is all there is.
    pub fn read_kiosk(data_dir: &Path) -> Result<RawConfig, ConfigError> {
        let own = data_dir.join(crate::books::datadir::CONFIG_FILE);
        if own.exists() {
            return RawConfig::read(&own);
        }
        let system = std::env::var_os("DASTAK_SYSTEM_CONFIG")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(SYSTEM_CONFIG));
        RawConfig::read(&system)
    }

    /// Reads `path`; a missing file is an empty configuration.
    pub fn read(path: &Path) -> Result<RawConfig, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(RawConfig::default()),
            Err(e) => {
                return Err(ConfigError::Read {
                    path: path.display().to_string(),
                    detail: e.to_string(),
                });
            }
        };
        toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.display().to_string(),
            detail: e.message().to_string(),
        })
    }

    /// Resolves into settings. `printer_env` (from `$DASTAK_PRINTER`) wins
    /// over the file; relative template folders are under `data_dir`.
    pub fn resolve(
        &self,
        data_dir: &Path,
        printer_env: Option<&str>,
    ) -> Result<Settings, ConfigError> {
        let p = &self.printer;
        let width = match p.paper.unwrap_or(58) {
            58 => 384,
            80 => 576,
            got => return Err(ConfigError::Paper { got }),
        };
        let url = printer_env
            .map(str::to_string)
            .or_else(|| p.url.clone())
            .filter(|u| !u.trim().is_empty() && u.trim() != "none");
        let printer = url
            .map(|u| PrinterUrl::parse(&u))
            .transpose()
            .map_err(ConfigError::Printer)?;
        let templates = p.templates.as_ref().map(|t| {
            let path = PathBuf::from(t);
            if path.is_absolute() {
                path
            } else {
                data_dir.join(path)
            }
        });
        let shg_household = match self.rules.shg_one_per_household.as_deref().map(str::trim) {
            None | Some("kiosk") => crate::books::HouseholdScope::Kiosk,
            Some("group") => crate::books::HouseholdScope::Group,
            Some(other) => {
                return Err(ConfigError::HouseholdScope {
                    got: other.chars().take(20).collect(),
                });
            }
        };
        let trusted_labs = self
            .lab
            .trusted_keys
            .iter()
            .map(|k| {
                crate::domain::proof::parse_public_key(k).ok_or_else(|| ConfigError::LabKey {
                    got: k.chars().take(70).collect(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Settings {
            trusted_labs,
            rules: crate::books::Rules { shg_household },
            printer,
            profile: Profile {
                width,
                cutter: p.cutter.unwrap_or(false),
                native_qr: p.native_qr.unwrap_or(false),
            },
            timeout: Duration::from_secs(p.timeout_seconds.unwrap_or(5).clamp(1, 120)),
            templates,
            eject_request: self
                .stick
                .eject_request
                .as_deref()
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(PathBuf::from),
        })
    }

    /// The file's text, with a header saying what it is.
    pub fn to_text(&self) -> String {
        self.to_text_headed(
            "# dastak settings (see dastak.example.toml for every key).\n# Written by the console's settings screen; edit freely.\n",
        )
    }

    /// The file's text under `header` (comment lines).
    pub fn to_text_headed(&self, header: &str) -> String {
        let body = toml::to_string(self).unwrap_or_default();
        format!("{header}\n{body}")
    }

    /// `dastak demo`'s settings: these (the system's, on a kiosk image:
    /// its stick and its lab), with receipts going to the printer emulator.
    pub fn for_demo(mut self) -> RawConfig {
        self.printer = RawPrinter {
            url: Some("tcp://127.0.0.1:9100".into()),
            paper: Some(58),
            timeout_seconds: Some(3),
            ..RawPrinter::default()
        };
        self
    }
}

/// Loads and resolves the settings of a data directory.
pub fn load(data_dir: &Path) -> Result<Settings, ConfigError> {
    let env = std::env::var("DASTAK_PRINTER")
        .ok()
        .filter(|v| !v.trim().is_empty());
    RawConfig::read_kiosk(data_dir)?.resolve(data_dir, env.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_config_parses_and_resolves() {
        let raw: RawConfig =
            toml::from_str(include_str!("../dastak.example.toml")).expect("example parses");
        let s = raw.resolve(Path::new("/data"), None).expect("resolves");
        assert_eq!(s.profile.width, 384);
        assert!(s.printer.is_some());
    }

    #[test]
    fn the_debian_packages_default_config_parses_and_names_the_usb_printer() {
        let raw: RawConfig = toml::from_str(include_str!("../kiosk-image/debian/dastak.toml"))
            .expect("the package's dastak.toml parses");
        let s = raw
            .resolve(Path::new("/var/lib/dastak"), None)
            .expect("resolves");
        assert_eq!(s.profile.width, 384);
        let printer = s.printer.map(|p| p.to_string()).unwrap_or_default();
        assert!(printer.contains("/dev/dastak-printer"), "{printer}");
        // The path the image's dastak-eject.path watches.
        assert_eq!(
            s.eject_request.as_deref(),
            Some(Path::new("/run/dastak/eject"))
        );
        // The settings screen's first save copies the file to the data
        // directory: the stick's section must survive the copy.
        let copied: RawConfig = toml::from_str(&raw.to_text()).expect("the copy parses");
        assert_eq!(copied, raw);
    }

    #[test]
    fn a_wrong_paper_width_or_url_is_refused() {
        let raw: RawConfig = toml::from_str("[printer]\npaper = 72\n").expect("parses");
        assert_eq!(
            raw.resolve(Path::new("/d"), None),
            Err(ConfigError::Paper { got: 72 })
        );
        let raw: RawConfig = toml::from_str("[lab]\ntrusted_keys = [\"abcd\"]\n").expect("parses");
        assert_eq!(
            raw.resolve(Path::new("/d"), None),
            Err(ConfigError::LabKey { got: "abcd".into() })
        );
        let raw: RawConfig = toml::from_str("[printer]\nurl = \"lpt1\"\n").expect("parses");
        assert!(raw.resolve(Path::new("/d"), None).is_err());
        assert!(toml::from_str::<RawConfig>("[printer]\ncolour = 1\n").is_err());
    }

    #[test]
    fn the_environment_names_the_printer_over_the_file() {
        let raw: RawConfig =
            toml::from_str("[printer]\nurl = \"tcp://10.0.0.9:9100\"\n").expect("parses");
        let s = raw
            .resolve(Path::new("/d"), Some("file:///tmp/r.bin"))
            .expect("resolves");
        assert_eq!(
            s.printer,
            Some(PrinterUrl::File {
                path: "/tmp/r.bin".into()
            })
        );
    }
}
