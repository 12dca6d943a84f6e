//! Asking the system to unmount the USB stick, so that the console says
//! "it can be removed" only once it really is unmounted.
//!
//! The console runs as the unprivileged `dastak` user and cannot unmount
//! anything itself. On the kiosk image it writes a request file
//! (`/run/dastak/eject`); a systemd path unit (`dastak-eject.path`) sees it
//! and, as root, stops the stick's mount service, which syncs and unmounts.
//! The console then watches the mount table until the stick's folder is no
//! longer a mount point. A file and a mount table rather than a D-Bus call
//! or sudo: nothing else runs on the kiosk, and both sides stay a few lines
//! of shell and Rust that a district technician can read.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::i18n::{Localized, Message, english};

/// How long the console waits for the unmount before it says so.
pub const WAIT: Duration = Duration::from_secs(15);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", english(self))]
pub enum EjectError {
    /// The request could not be written (not the kiosk image, or `/run/dastak`
    /// missing).
    Request { path: String, detail: String },
    /// Still mounted after the wait: something holds the stick open, or the
    /// path unit is not running.
    StillMounted { path: String, seconds: u64 },
}

impl EjectError {
    /// A stick still busy may be free a moment later.
    pub fn is_retryable(&self) -> bool {
        matches!(self, EjectError::StillMounted { .. })
    }
}

impl Localized for EjectError {
    fn message(&self) -> Message {
        match self {
            EjectError::Request { path, detail } => Message::new("sync.eject_request")
                .arg("path", path)
                .arg("detail", detail),
            EjectError::StillMounted { path, seconds } => Message::new("sync.eject_busy")
                .arg("path", path)
                .arg("seconds", seconds),
        }
    }
}

/// Writes the request and waits up to `wait` for `folder` to stop being a
/// mount point. A folder that is not mounted at all is already safe.
pub fn eject(request: &Path, folder: &Path, wait: Duration) -> Result<(), EjectError> {
    std::fs::write(request, b"").map_err(|e| EjectError::Request {
        path: request.display().to_string(),
        detail: e.to_string(),
    })?;
    let started = Instant::now();
    loop {
        if !is_mount_point(folder) {
            return Ok(());
        }
        if started.elapsed() >= wait {
            // The request stays: the path unit still acts on it if it was
            // only slow, and a second request is the same file.
            return Err(EjectError::StillMounted {
                path: folder.display().to_string(),
                seconds: wait.as_secs(),
            });
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Whether something is mounted exactly at `folder`, by the kernel's own
/// table (`/proc/self/mountinfo`). An unreadable table counts as "mounted":
/// telling someone to pull a stick that may be mounted is the worse error.
pub fn is_mount_point(folder: &Path) -> bool {
    let want = std::fs::canonicalize(folder).unwrap_or_else(|_| folder.to_path_buf());
    match std::fs::read_to_string("/proc/self/mountinfo") {
        Ok(table) => mount_points(&table).any(|p| p == want),
        Err(_) => true,
    }
}

/// The mount points of a mountinfo table (the fifth field, with the
/// kernel's octal escapes for space, tab, newline and backslash undone).
fn mount_points(table: &str) -> impl Iterator<Item = PathBuf> + '_ {
    table
        .lines()
        .filter_map(|line| line.split(' ').nth(4))
        .map(unescape)
}

fn unescape(field: &str) -> PathBuf {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\'
            && i + 3 < bytes.len()
            && bytes[i + 1..i + 4]
                .iter()
                .all(|b| (b'0'..=b'7').contains(b))
        {
            let digit = |b: u8| u32::from(b - b'0');
            let v = digit(bytes[i + 1]) * 64 + digit(bytes[i + 2]) * 8 + digit(bytes[i + 3]);
            // The kernel escapes only bytes below 0o200; anything larger is
            // not its escape, so the text stays as it is.
            match u8::try_from(v) {
                Ok(b) => out.push(b),
                Err(_) => out.extend_from_slice(&bytes[i..i + 4]),
            }
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    use std::os::unix::ffi::OsStringExt;
    PathBuf::from(std::ffi::OsString::from_vec(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mountinfo_escapes_in_a_stick_label_are_undone() {
        let table = "22 1 8:2 / / rw,relatime shared:1 - ext4 /dev/sda2 rw\n\
                     40 22 8:17 / /media/my\\040stick rw,nosuid - vfat /dev/sdb1 rw\n";
        let points: Vec<PathBuf> = mount_points(table).collect();
        assert_eq!(
            points,
            vec![PathBuf::from("/"), PathBuf::from("/media/my stick")]
        );
    }

    #[test]
    fn a_folder_that_is_not_mounted_is_ejected_at_once_and_the_request_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let request = dir.path().join("eject");
        let folder = dir.path().join("usb");
        std::fs::create_dir(&folder).unwrap();
        assert_eq!(eject(&request, &folder, Duration::from_secs(5)), Ok(()));
        assert!(request.exists());
    }

    /// The fault: nothing serves the request (no path unit, or the stick is
    /// busy). The console must not say the stick can be removed.
    #[test]
    fn a_stick_that_stays_mounted_is_reported_not_called_safe() {
        let dir = tempfile::tempdir().unwrap();
        let request = dir.path().join("eject");
        // `/` is a mount point everywhere these tests run.
        let r = eject(&request, Path::new("/"), Duration::from_millis(300));
        assert_eq!(
            r,
            Err(EjectError::StillMounted {
                path: "/".into(),
                seconds: 0
            })
        );
        assert!(r.unwrap_err().is_retryable());
    }

    #[test]
    fn no_place_for_the_request_is_reported_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let request = dir.path().join("missing").join("eject");
        match eject(&request, dir.path(), Duration::from_secs(1)) {
            Err(EjectError::Request { path, .. }) => assert!(path.ends_with("missing/eject")),
            other => panic!("{other:?}"),
        }
    }
}
