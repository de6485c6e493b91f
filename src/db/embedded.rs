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

/// The `postgres` role's password of a durable cluster, inside its data directory (mode 0600).
pub const PASSWORD_FILE: &str = "binhdang.password";

const INSTALL_HINT: &str = "No PostgreSQL server binaries (initdb, pg_ctl, postgres) were found. \
Install them (Debian/Ubuntu: `apt-get install postgresql`) or set DATABASE_URL to a running server.";

pub struct EmbeddedPostgres {
    data_dir: PathBuf,
    /// The service's own cluster: `fsync` and `full_page_writes` on, password authentication.
    /// A throwaway one (the test suite's) keeps `fsync` off and trust, for speed.
    durable: bool,
    /// The `postgres` role's password (durable clusters), kept in [`PASSWORD_FILE`].
    password: Option<crate::config::Secret>,
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
    /// `database` created in it. A `durable` cluster syncs to disk and asks for a password: one
    /// generated on first start and kept in the data directory (mode 0600); a cluster made
    /// before that (trust, `fsync=off`) is converted on its next start.
    pub async fn start(data_dir: &Path, database: &str, durable: bool) -> anyhow::Result<Self> {
        let bin_dir = find_bin_dir().context(INSTALL_HINT)?;
        let run_as = is_root().then(|| "postgres".to_string());
        std::fs::create_dir_all(data_dir.parent().unwrap_or(Path::new(".")))
            .with_context(|| format!("creating {}", data_dir.display()))?;
        let data_dir = std::path::absolute(data_dir)?;
        let mut pg = Self {
            data_dir,
            durable,
            password: None,
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
        if durable {
            pg.require_password().await?;
        }
        pg.create_database().await?;
        Ok(pg)
    }

    fn credentials(&self) -> String {
        match &self.password {
            Some(p) => format!("postgres:{}", p.expose()),
            None => "postgres".to_string(),
        }
    }

    pub fn url(&self) -> String {
        format!(
            "postgres://{}@127.0.0.1:{}/{}",
            self.credentials(),
            self.port,
            self.database
        )
    }

    pub fn admin_url(&self) -> String {
        format!("postgres://{}@127.0.0.1:{}/postgres", self.credentials(), self.port)
    }

    /// Password authentication for a durable cluster: the password from [`PASSWORD_FILE`], or,
    /// for a cluster still on trust (new, or made by an earlier version), a new password set on
    /// the `postgres` role, written to the file (0600), and `pg_hba.conf` switched to
    /// `scram-sha-256` and reloaded.
    async fn require_password(&mut self) -> anyhow::Result<()> {
        use std::os::unix::fs::PermissionsExt;
        let file = self.data_dir.join(PASSWORD_FILE);
        if let Ok(stored) = std::fs::read_to_string(&file) {
            self.password = Some(crate::config::Secret::new(stored.trim()));
            return Ok(());
        }
        let password = hex::encode(rand::random::<[u8; 24]>());
        let mut conn = AsyncPgConnection::establish(&self.admin_url())
            .await
            .context("connecting to the embedded cluster to set its password")?;
        diesel::sql_query("SET password_encryption = 'scram-sha-256'")
            .execute(&mut conn)
            .await?;
        // The password is random hex: quoting it as a literal is safe.
        diesel::sql_query(format!("ALTER ROLE postgres PASSWORD '{password}'"))
            .execute(&mut conn)
            .await?;
        drop(conn);
        std::fs::write(&file, &password).with_context(|| format!("writing {}", file.display()))?;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
        let hba = self.data_dir.join("pg_hba.conf");
        std::fs::write(
            &hba,
            "# Written by binhdang: password (SCRAM) authentication on loopback only.\n\
             host all all 127.0.0.1/32 scram-sha-256\n\
             host all all ::1/128 scram-sha-256\n",
        )?;
        if let Some(user) = &self.run_as {
            let _ = std::process::Command::new("chown")
                .arg(format!("{user}:{user}"))
                .arg(&hba)
                .status();
        }
        let mut reload = self.command("pg_ctl");
        reload.arg("-D").arg(&self.data_dir).arg("reload");
        self.run(reload, "pg_ctl reload").await?;
        self.password = Some(crate::config::Secret::new(password));
        tracing::info!(dir = %self.data_dir.display(), "embedded PostgreSQL now asks for a password");
        Ok(())
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
        cmd.arg("-D")
            .arg(&self.data_dir)
            .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"]);
        if !self.durable {
            cmd.arg("--no-sync");
        }
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
                "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200 {}",
                self.port,
                if self.durable {
                    "-c fsync=on -c full_page_writes=on"
                } else {
                    "-c fsync=off"
                }
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
