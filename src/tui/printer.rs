//! The console's printer desk: runs on its own thread, so a slow, jammed or
//! unplugged printer never freezes the screen or holds up the books. It
//! renders what the worker prepared, sends it, asks the printer how it is,
//! and answers with messages; the worker records the outcome in the queue.
//!
//! Settings (`dastak.toml`) are read again before every job, so a printer
//! changed on the settings screen is used at once.

use std::path::PathBuf;

use crate::books::DataDir;
use crate::books::datadir::CONFIG_FILE;
use crate::books::receipts::PrintTask;
use crate::config::{RawConfig, Settings};
use crate::i18n::{Localized, Message};
use crate::print::Renderer;
use crate::print::transport::{self, PrintError};
use crate::tui::app::{Effect, Msg};

pub struct PrintDesk {
    dir: PathBuf,
    renderer: Option<(Settings, Renderer)>,
}

impl PrintDesk {
    pub fn new(dir: PathBuf) -> PrintDesk {
        PrintDesk {
            dir,
            renderer: None,
        }
    }

    /// The settings, or what is wrong with the file, said as such (not as
    /// a printer that "could not be reached").
    fn settings(&self) -> Result<Settings, PrintError> {
        use crate::config::ConfigError as C;
        crate::config::load(&self.dir).map_err(|e| match e {
            C::Printer(p) => p,
            C::Read { path, detail } | C::Parse { path, detail } => {
                PrintError::Settings { path, detail }
            }
            other => PrintError::Settings {
                path: self
                    .dir
                    .join(crate::books::datadir::CONFIG_FILE)
                    .display()
                    .to_string(),
                detail: other.to_string(),
            },
        })
    }

    /// The renderer for these settings, kept while they do not change
    /// (building one parses the fonts).
    fn renderer(&mut self, s: &Settings) -> &mut Renderer {
        if self.renderer.as_ref().is_some_and(|(old, _)| old != s) {
            self.renderer = None;
        }
        let (_, r) = self
            .renderer
            .get_or_insert_with(|| (s.clone(), Renderer::new(s.profile, s.templates.as_deref())));
        r
    }

    fn send(&mut self, task: &PrintTask) -> (Result<(), PrintError>, Option<Message>) {
        let s = match self.settings() {
            Ok(s) => s,
            Err(e) => return (Err(e), None),
        };
        let (result, warning) =
            self.renderer(&s)
                .print(s.printer.as_ref(), s.timeout, &task.document);
        (result, warning.map(|w| w.message()))
    }

    /// Performs a printer effect; `None` for effects that are not ours.
    pub fn perform(&mut self, effect: Effect) -> Option<Msg> {
        match effect {
            Effect::Send(task) => {
                let (result, warning) = self.send(&task);
                Some(Msg::PrintSent {
                    task,
                    result,
                    warning,
                })
            }
            Effect::PrinterStatus => {
                // A printer that answers "no paper" is not ready: the home
                // screen says what is wrong, not "ready".
                let r = self.settings().and_then(|s| {
                    let url = s.printer.ok_or(PrintError::NotSet)?;
                    let state = transport::status(&url, s.timeout)?;
                    transport::refuse(state)?;
                    Ok(state)
                });
                Some(Msg::PrinterState(r))
            }
            Effect::LoadSettings => Some(Msg::SettingsLoaded(self.load_settings())),
            Effect::SaveSettings { url, paper } => {
                Some(Msg::SettingsSaved(self.save_settings(&url, paper)))
            }
            _ => None,
        }
    }

    fn load_settings(&self) -> Result<(String, u32), Message> {
        let raw = RawConfig::read_kiosk(&self.dir).map_err(|e| e.message())?;
        Ok((
            raw.printer.url.unwrap_or_default(),
            raw.printer.paper.unwrap_or(58),
        ))
    }

    /// Writes the printer URL and paper width into `dastak.toml`, keeping
    /// the other keys. Checked first: a bad URL is explained, not saved.
    fn save_settings(&self, url: &str, paper: u32) -> Result<(), Message> {
        let mut raw = RawConfig::read_kiosk(&self.dir).map_err(|e| e.message())?;
        let url = url.trim();
        raw.printer.url = (!url.is_empty()).then(|| url.to_string());
        raw.printer.paper = Some(paper);
        raw.resolve(&self.dir, None).map_err(|e| e.message())?;
        let dir = DataDir {
            root: self.dir.clone(),
        };
        dir.write_private(CONFIG_FILE, raw.to_text().as_bytes())
            .map_err(|e| e.message())
    }
}
