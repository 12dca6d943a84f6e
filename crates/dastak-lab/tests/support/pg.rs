//! A throwaway PostgreSQL for tests: a cluster made by the system's own
//! `initdb` in a temporary directory (as the `postgres` user when the
//! tests run as root, as initdb refuses root), listening only on a Unix
//! socket there, with fsync off; stopped and removed when the last test
//! holding it lets go. Each test gets a database of its own in it.
//!
//! PostgreSQL missing is a failure that says what to install, never a
//! silent skip.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, Weak};

pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    owner: Option<(u32, u32)>,
}

static SHARED: Mutex<Weak<Cluster>> = Mutex::new(Weak::new());
static NEXT_DB: AtomicU32 = AtomicU32::new(0);

/// The newest PostgreSQL server binaries Debian installed.
fn bin_dir() -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|b| b.join("initdb").exists() && b.join("pg_ctl").exists())
        .collect();
    found.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name()?.to_str()?.parse::<u32>().ok())
            .unwrap_or(0)
    });
    found.pop().unwrap_or_else(|| {
        panic!(
            "PostgreSQL's server is not installed (no /usr/lib/postgresql/*/bin/initdb): \
             apt-get install postgresql — .ci/run does it"
        )
    })
}

/// The `postgres` account's uid and gid, when running as root.
fn owner() -> Option<(u32, u32)> {
    let me = Command::new("id").arg("-u").output().ok()?;
    if String::from_utf8_lossy(&me.stdout).trim() != "0" {
        return None;
    }
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    let line = passwd.lines().find(|l| l.starts_with("postgres:"));
    let Some(line) = line else {
        panic!(
            "running as root and there is no `postgres` account to run initdb: apt-get install postgresql"
        )
    };
    let f: Vec<&str> = line.split(':').collect();
    Some((f[2].parse().ok()?, f[3].parse().ok()?))
}

impl Cluster {
    /// The cluster the running tests share, started if none is up.
    pub fn shared() -> Arc<Cluster> {
        let mut shared = SHARED.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = shared.upgrade() {
            return c;
        }
        let c = Arc::new(Cluster::start());
        *shared = Arc::downgrade(&c);
        c
    }

    fn run(&self, program: &str, args: &[&str]) {
        let mut cmd = Command::new(self.bin.join(program));
        cmd.args(args).current_dir(self.dir.path());
        if let Some((uid, gid)) = self.owner {
            cmd.uid(uid).gid(gid);
        }
        let out = cmd.output().unwrap_or_else(|e| panic!("{program}: {e}"));
        assert!(
            out.status.success(),
            "{program} {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn start() -> Cluster {
        let bin = bin_dir();
        let owner = owner();
        let dir = tempfile::Builder::new()
            .prefix("dastak-pg-")
            .tempdir()
            .expect("temp dir");
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).expect("chown");
        }
        let c = Cluster { dir, bin, owner };
        let data = c.data();
        c.run(
            "initdb",
            &[
                "-D",
                data.to_str().expect("utf-8"),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
        );
        let opts = format!(
            "-k {} -c listen_addresses='' -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off",
            c.dir.path().display()
        );
        let log = c.dir.path().join("log");
        c.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().expect("utf-8"),
                "-o",
                &opts,
                "-l",
                log.to_str().expect("utf-8"),
                "-w",
                "start",
            ],
        );
        c
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn socket_dir(&self) -> &Path {
        self.dir.path()
    }

    /// The URL of database `db`, libpq style, the socket's directory as a
    /// percent-encoded host.
    pub fn url(&self, db: &str) -> String {
        let host: String = self
            .socket_dir()
            .to_str()
            .expect("utf-8")
            .bytes()
            .map(|b| match b {
                b'/' => "%2F".to_string(),
                b => (b as char).to_string(),
            })
            .collect();
        format!("postgresql://postgres@{host}/{db}")
    }

    /// A new empty database, for one test.
    pub fn database(self: &Arc<Cluster>) -> Database {
        self.create("")
    }

    /// A new database; `clause` follows its name in `CREATE DATABASE`
    /// (empty, or ` TEMPLATE other`).
    fn create(self: &Arc<Cluster>, clause: &str) -> Database {
        let name = format!(
            "t{}_{}",
            std::process::id(),
            NEXT_DB.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = postgres::Client::connect(&self.url("postgres"), postgres::NoTls)
            .expect("connect to the test cluster");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}{clause}"))
            .expect("create database");
        Database {
            url: self.url(&name),
            name,
            cluster: Arc::clone(self),
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data();
        let mut cmd = Command::new(self.bin.join("pg_ctl"));
        cmd.args([
            "-D",
            data.to_str().unwrap_or_default(),
            "-m",
            "immediate",
            "-w",
            "stop",
        ]);
        if let Some((uid, gid)) = self.owner {
            cmd.uid(uid).gid(gid);
        }
        let _ = cmd.output();
    }
}

/// One test's database; the cluster stays up while any is held.
pub struct Database {
    pub url: String,
    name: String,
    cluster: Arc<Cluster>,
}

impl Database {
    /// A copy of this database as it is now, as a backup is (nothing may
    /// be connected to it).
    pub fn copy(&self) -> Database {
        self.cluster.create(&format!(" TEMPLATE {}", self.name))
    }
}
