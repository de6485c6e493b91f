//! A private PostgreSQL cluster for running without `DATABASE_URL`.
//!
//! Created on first use with the server binaries found on the machine (`PATH`,
//! `pg_config --bindir`, or `/usr/lib/postgresql/*/bin`), started on a free port on 127.0.0.1
//! (no Unix socket, so nothing collides with the system cluster), reused on the next run, and
//! stopped by [`EmbeddedPostgres::stop`] when this process started it. `initdb` refuses to run
//! as root, so as root every server command runs as the `postgres` system user via `setpriv`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use tokio::process::Command;

const INSTALL_HINT: &str = "No PostgreSQL server binaries (initdb, pg_ctl, postgres) were found. \
Install them (Debian/Ubuntu: `apt-get install postgresql`) or set DATABASE_URL to a running server.";

pub struct EmbeddedPostgres {
    data_dir: PathBuf,
    bin_dir: PathBuf,
    port: u16,
    database: String,
    run_as: Option<String>,
    started_here: bool,
}

impl std::fmt::Debug for EmbeddedPostgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedPostgres")
            .field("data_dir", &self.data_dir)
            .field("port", &self.port)
            .finish()
    }
}

/// Finds a directory holding `initdb`, `pg_ctl` and `postgres`.
pub fn find_bin_dir() -> Option<PathBuf> {
    let has_all = |d: &Path| ["initdb", "pg_ctl", "postgres"].iter().all(|b| d.join(b).is_file());
    if let Some(path) = std::env::var_os("PATH") {
        for d in std::env::split_paths(&path) {
            if has_all(&d) {
                return Some(d);
            }
        }
    }
    if let Ok(out) = std::process::Command::new("pg_config").arg("--bindir").output() {
        let d = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && has_all(&d) {
            return Some(d);
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let d = e.path().join("bin");
            has_all(&d).then_some((v, d))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, d)| d)
}

fn is_root() -> bool {
    // SAFETY-free check: /proc/self/status carries the effective uid without libc.
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|u| u == "0"))
        })
        .unwrap_or(false)
}

fn free_port(preferred: Option<u16>) -> anyhow::Result<u16> {
    if let Some(p) = preferred {
        if TcpListener::bind(("127.0.0.1", p)).is_ok() {
            return Ok(p);
        }
    }
    Ok(TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port())
}

impl EmbeddedPostgres {
    /// Creates (first time), starts (unless already running) and returns the cluster, with
    /// `database` created in it.
    pub async fn start(data_dir: &Path, database: &str) -> anyhow::Result<Self> {
        let bin_dir = find_bin_dir().context(INSTALL_HINT)?;
        let run_as = is_root().then(|| "postgres".to_string());
        std::fs::create_dir_all(data_dir.parent().unwrap_or(Path::new(".")))
            .with_context(|| format!("creating {}", data_dir.display()))?;
        let data_dir = std::path::absolute(data_dir)?;
        let mut pg = Self {
            data_dir,
            bin_dir,
            port: 0,
            database: database.to_string(),
            run_as,
            started_here: false,
        };
        if !pg.data_dir.join("PG_VERSION").exists() {
            pg.init().await?;
        }
        if let Some(port) = pg.running_port() {
            pg.port = port;
        } else {
            pg.launch().await?;
        }
        pg.create_database().await?;
        Ok(pg)
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{}", self.port, self.database)
    }

    pub fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn command(&self, program: &str) -> Command {
        let exe = self.bin_dir.join(program);
        let mut cmd = match &self.run_as {
            Some(user) => {
                let mut c = Command::new("setpriv");
                c.args([
                    &format!("--reuid={user}"),
                    &format!("--regid={user}"),
                    "--init-groups",
                    "--",
                ]);
                c.arg(exe);
                c
            }
            None => Command::new(exe),
        };
        cmd.env("LC_ALL", "C.UTF-8").kill_on_drop(false);
        cmd
    }

    async fn run(&self, mut cmd: Command, what: &str) -> anyhow::Result<()> {
        let out = cmd.output().await.with_context(|| format!("running {what}"))?;
        if !out.status.success() {
            bail!(
                "{what} failed: {}{}",
                String::from_utf8_lossy(&out.stderr),
                String::from_utf8_lossy(&out.stdout)
            );
        }
        Ok(())
    }

    async fn init(&self) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.data_dir)?;
        if let Some(user) = &self.run_as {
            let status = std::process::Command::new("chown")
                .arg(format!("{user}:{user}"))
                .arg(&self.data_dir)
                .status()
                .context("chown of the cluster directory")?;
            if !status.success() {
                bail!(
                    "could not give {} to the {user} user; does that user exist?",
                    self.data_dir.display()
                );
            }
        }
        let mut cmd = self.command("initdb");
        cmd.arg("-D").arg(&self.data_dir).args([
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        ]);
        self.run(cmd, "initdb").await
    }

    /// The port of a postmaster already serving this data directory, if any.
    fn running_port(&self) -> Option<u16> {
        let pid_file = std::fs::read_to_string(self.data_dir.join("postmaster.pid")).ok()?;
        let mut lines = pid_file.lines();
        let pid: u32 = lines.next()?.trim().parse().ok()?;
        let port: u16 = lines.nth(2)?.trim().parse().ok()?;
        let alive = Path::new(&format!("/proc/{pid}")).exists();
        let listening = std::net::TcpStream::connect(("127.0.0.1", port)).is_ok();
        (alive && listening).then_some(port)
    }

    async fn launch(&mut self) -> anyhow::Result<()> {
        let port_file = self.data_dir.join("binhdang.port");
        let preferred = std::fs::read_to_string(&port_file)
            .ok()
            .and_then(|s| s.trim().parse().ok());
        self.port = free_port(preferred)?;
        let mut cmd = self.command("pg_ctl");
        cmd.arg("-D")
            .arg(&self.data_dir)
            .arg("-l")
            .arg(self.data_dir.join("server.log"))
            .arg("-o")
            .arg(format!(
                "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200 -c fsync=off",
                self.port
            ))
            .args(["-w", "-t", "60", "start"]);
        self.run(cmd, "pg_ctl start").await?;
        // Best effort: the next run prefers the same port.
        let _ = std::fs::write(&port_file, self.port.to_string());
        self.started_here = true;
        tracing::info!(port = self.port, dir = %self.data_dir.display(), "embedded PostgreSQL started");
        Ok(())
    }

    async fn create_database(&self) -> anyhow::Result<()> {
        let mut conn = AsyncPgConnection::establish(&self.admin_url())
            .await
            .context("connecting to the embedded cluster")?;
        #[derive(diesel::QueryableByName)]
        struct Found {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            #[allow(dead_code)]
            one: i32,
        }
        let found: Vec<Found> = diesel::sql_query("SELECT 1 AS one FROM pg_database WHERE datname = $1")
            .bind::<diesel::sql_types::Text, _>(&self.database)
            .load(&mut conn)
            .await?;
        if found.is_empty() {
            diesel::sql_query(format!("CREATE DATABASE \"{}\"", self.database.replace('"', "")))
                .execute(&mut conn)
                .await?;
        }
        Ok(())
    }

    /// Stops the cluster if this process started it (a cluster found running is left alone).
    pub async fn stop(&self) -> anyhow::Result<()> {
        if !self.started_here {
            return Ok(());
        }
        let mut cmd = self.command("pg_ctl");
        cmd.arg("-D").arg(&self.data_dir).args(["-m", "fast", "-w", "stop"]);
        self.run(cmd, "pg_ctl stop").await?;
        tracing::info!("embedded PostgreSQL stopped");
        Ok(())
    }
}
