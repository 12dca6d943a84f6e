//! The one way dastak writes a file that must survive a power cut or a
//! pulled stick: a temporary name beside it, written and synced, renamed
//! over the real name, then the folder synced so the rename itself is on
//! the disk. The kiosk's keys and settings, its exports to a stick, and the
//! lab's keys, link files and acknowledgements all go through here.
//!
//! A reader therefore sees the old file or the new one, never half of one.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Who may read the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Owner only (0600): keys, secrets, settings.
    Private,
    /// As the umask says: files carried to another machine.
    Shared,
}

/// What went wrong, and on which path.
#[derive(Debug, thiserror::Error)]
pub enum DurableError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// What was read back is not what was written (a failing stick).
    #[error("{}: read back differs", path.display())]
    ReadBackDiffers { path: PathBuf },
}

impl DurableError {
    pub fn path(&self) -> &Path {
        match self {
            DurableError::Io { path, .. } | DurableError::ReadBackDiffers { path } => path,
        }
    }

    /// The operating system's error, when there was one (for telling a full
    /// stick from a read-only one).
    pub fn io(&self) -> Option<&std::io::Error> {
        match self {
            DurableError::Io { source, .. } => Some(source),
            DurableError::ReadBackDiffers { .. } => None,
        }
    }
}

/// Writes `bytes` to `dir/name` durably (see the module's docs).
pub fn write(dir: &Path, name: &str, bytes: &[u8], access: Access) -> Result<(), DurableError> {
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.tmp"));
    let at = |p: &Path| {
        let p = p.to_path_buf();
        move |source| DurableError::Io { path: p, source }
    };
    let written = (|| -> std::io::Result<()> {
        let mut opts = fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        if access == Access::Private {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(at(&tmp)(e));
    }
    if let Err(e) = fs::rename(&tmp, &path) {
        let _ = fs::remove_file(&tmp);
        return Err(at(&path)(e));
    }
    sync_dir(dir).map_err(at(dir))
}

/// [`write`], then reads the file back and compares: for a USB stick, whose
/// cheap flash can acknowledge a write it did not keep.
pub fn write_checked(
    dir: &Path,
    name: &str,
    bytes: &[u8],
    access: Access,
) -> Result<(), DurableError> {
    write(dir, name, bytes, access)?;
    let path = dir.join(name);
    let mut back = Vec::with_capacity(bytes.len());
    fs::File::open(&path)
        .and_then(|mut f| f.read_to_end(&mut back))
        .map_err(|source| DurableError::Io {
            path: path.clone(),
            source,
        })?;
    if back != bytes {
        return Err(DurableError::ReadBackDiffers { path });
    }
    Ok(())
}

/// Syncs a folder so a rename in it is durable. Some filesystems cannot sync
/// a folder at all (EINVAL): there the rename is as durable as it gets, and
/// failing would only stop a kiosk from starting.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    match fs::File::open(dir).and_then(|d| d.sync_all()) {
        Err(e) if e.raw_os_error() == Some(libc::EINVAL) => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_private_file_is_owner_only_and_leaves_no_temporary_file() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().expect("dir");
        write(d.path(), "k", b"one", Access::Private).expect("write");
        write(d.path(), "k", b"two", Access::Private).expect("again");
        assert_eq!(fs::read(d.path().join("k")).expect("read"), b"two");
        let mode = fs::metadata(d.path().join("k"))
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let names: Vec<_> = fs::read_dir(d.path()).expect("ls").collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn a_folder_that_is_gone_is_an_error_naming_the_path() {
        let d = tempfile::tempdir().expect("dir");
        let gone = d.path().join("gone");
        let e = write_checked(&gone, "f", b"x", Access::Shared).expect_err("no folder");
        assert!(e.path().starts_with(&gone), "{e}");
        assert!(e.io().is_some());
    }
}
