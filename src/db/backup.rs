//! `binhdang backup FILE` and `binhdang restore FILE`: the whole database (records, audit trail,
//! attachment files: all in PostgreSQL) through PostgreSQL's own `pg_dump` and `pg_restore`,
//! in its custom format (compressed; one consistent snapshot, taken without stopping writers).
//!
//! The password never appears on a command line (`ps` would show it): it goes to the tools in
//! `PGPASSWORD`. The backup file is created with mode 0600 (it holds password hashes).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};

/// `url` without its password, and the password.
fn split_password(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_string(), None);
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return (url.to_string(), None);
    };
    match userinfo.split_once(':') {
        Some((user, password)) => (
            format!("{scheme}://{user}@{host}"),
            Some(
                percent_encoding::percent_decode_str(password)
                    .decode_utf8_lossy()
                    .into_owned(),
            ),
        ),
        None => (url.to_string(), None),
    }
}

/// The directory holding `pg_dump` and `pg_restore`: beside the server binaries the embedded
/// cluster uses, else `PATH`.
fn tool(name: &str) -> PathBuf {
    if let Some(dir) = super::embedded::find_bin_dir() {
        if dir.join(name).is_file() {
            return dir.join(name);
        }
    }
    PathBuf::from(name)
}

async fn run(name: &str, url: &str, args: &[&std::ffi::OsStr]) -> anyhow::Result<()> {
    let (url, password) = split_password(url);
    let mut cmd = tokio::process::Command::new(tool(name));
    cmd.args(args).arg(format!("--dbname={url}"));
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    let out = cmd
        .output()
        .await
        .with_context(|| format!("running {name} (install PostgreSQL's client tools)"))?;
    if !out.status.success() {
        bail!("{name} failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}

/// Writes a backup of the database at `url` to `file` (replacing it).
pub async fn backup(url: &str, file: &Path) -> anyhow::Result<u64> {
    // Created (or truncated) first with mode 0600, so the dump never sits readable by others.
    {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options
            .open(file)
            .with_context(|| format!("creating {}", file.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    let target = format!("--file={}", file.display());
    run(
        "pg_dump",
        url,
        &["--format=custom", "--no-owner", "--no-privileges", target.as_str()].map(std::ffi::OsStr::new),
    )
    .await?;
    Ok(std::fs::metadata(file)?.len())
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Restores `file` into the database at `url`. An empty database takes it as it is; one that
/// already holds tables is refused unless `replace`, which empties it first (everything in it
/// is lost). The restore is one transaction: it lands whole or not at all.
pub async fn restore(url: &str, file: &Path, replace: bool) -> anyhow::Result<()> {
    if !file.is_file() {
        bail!("no backup file at {}", file.display());
    }
    let mut conn = AsyncPgConnection::establish(url)
        .await
        .with_context(|| format!("connecting to {}", super::describe(url)))?;
    let tables: Count = diesel::sql_query(
        "SELECT count(*) AS n FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
    )
    .get_result(&mut conn)
    .await?;
    if tables.n > 0 {
        if !replace {
            bail!(
                "the database at {} is not empty ({} tables): restore into an empty database, or pass \
                 --replace to empty this one first (stop every binhdang serve using it)",
                super::describe(url),
                tables.n
            );
        }
        conn.batch_execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
            .await?;
    }
    drop(conn);
    let source = file.as_os_str();
    run(
        "pg_restore",
        url,
        &[
            std::ffi::OsStr::new("--no-owner"),
            std::ffi::OsStr::new("--no-privileges"),
            std::ffi::OsStr::new("--single-transaction"),
            std::ffi::OsStr::new("--exit-on-error"),
            source,
        ],
    )
    .await
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_password_leaves_the_url() {
        assert_eq!(
            super::split_password("postgres://bd:s%40cret@127.0.0.1:5432/binhdang"),
            (
                "postgres://bd@127.0.0.1:5432/binhdang".to_string(),
                Some("s@cret".to_string())
            )
        );
        assert_eq!(
            super::split_password("postgres://postgres@127.0.0.1/x"),
            ("postgres://postgres@127.0.0.1/x".to_string(), None)
        );
    }
}
