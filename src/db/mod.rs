//! Database access: the async connection pool, embedded migrations, and the embedded cluster.
//!
//! Query functions everywhere take `&mut AsyncPgConnection`, never the pool, so they compose
//! inside one transaction.

pub mod backup;
pub mod embedded;
pub mod schema;

use std::time::Duration;

use anyhow::Context;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool as dp;
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::AsyncPgConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub use diesel_async::AsyncPgConnection as Conn;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

pub type Pool = dp::Pool<AsyncPgConnection>;
pub type PoolError = dp::PoolError;
pub type PooledConn = dp::Object<AsyncPgConnection>;

/// Builds the pool. Nothing connects until the first request; a wait longer than five seconds
/// for a connection becomes a 503.
pub fn build_pool(url: &str, size: usize) -> anyhow::Result<Pool> {
    // Recycling checks only for an open transaction; a broken connection fails its first query
    // (and the pool drops it), instead of costing every request a test round trip.
    let mut config = diesel_async::pooled_connection::ManagerConfig::default();
    config.recycling_method = diesel_async::pooled_connection::RecyclingMethod::Fast;
    // No JIT: this service's queries are short, and for a report over the whole country the
    // planner's estimates would buy 100-200 ms of compilation to save a few milliseconds.
    // And only a UTF-8 database: PostgreSQL then validates every text it stores, so the lists
    // write text columns' bytes into JSON as they come (`http::json_row`); a SQL_ASCII database
    // would hand back whatever bytes it was given.
    config.custom_setup = Box::new(|url| {
        Box::pin(async move {
            use diesel_async::{AsyncConnection, RunQueryDsl};
            let mut conn = AsyncPgConnection::establish(url).await?;
            let setup: ConnectionSetup = diesel::sql_query(
                "SELECT set_config('jit', 'off', false) AS jit, \
                 current_setting('server_encoding') AS server_encoding",
            )
            .get_result(&mut conn)
            .await
            .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            if setup.server_encoding != "UTF8" {
                return Err(diesel::ConnectionError::BadConnection(format!(
                    "the database's encoding is {}; binhdang needs a UTF8 database \
                     (CREATE DATABASE ... ENCODING 'UTF8')",
                    setup.server_encoding
                )));
            }
            Ok(conn)
        })
    });
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(url, config);
    dp::Pool::builder(manager)
        .max_size(size)
        .runtime(deadpool::Runtime::Tokio1)
        .wait_timeout(Some(Duration::from_secs(5)))
        .create_timeout(Some(Duration::from_secs(5)))
        .recycle_timeout(Some(Duration::from_secs(5)))
        .build()
        .context("building the database pool")
}

/// What a new connection of the pool reads of its database.
#[derive(diesel::QueryableByName)]
struct ConnectionSetup {
    #[diesel(sql_type = diesel::sql_types::Text)]
    server_encoding: String,
}

/// What a read needs of its connection: a pooled one held alone ([`Conn`]), or a worker's
/// shared one (`&Conn`, see [`SharedReads`]), on which the reads of concurrent requests are
/// pipelined. Query functions that only read take `&mut impl Reader`.
pub trait Reader: diesel_async::AsyncConnectionCore<Backend = diesel::pg::Pg> + Send {}
impl<T: diesel_async::AsyncConnectionCore<Backend = diesel::pg::Pg> + Send> Reader for T {}

/// A worker's connection for reads that are one statement outside a transaction (one record,
/// a page of a list), shared by the requests it serves at the same time: their statements go
/// down one connection back to back (PostgreSQL's pipelining, which `tokio-postgres` does
/// for concurrent queries on one client) and their answers come back together, instead of
/// each request waking a server process of its own. On this 2-core machine a pipeline of 16
/// lookups ran at 4x the statements per second of 64 connections one statement at a time
/// (`pgbench -M prepared`, see the README's speed section).
///
/// The connection is taken from the worker's pool while some request uses it and goes back
/// when the last one is done, so it is never held idle; a read that fails at the connection
/// (an internal error or the database unavailable) retires it, and the next read takes
/// another. Nothing that writes, or runs in a transaction, may use it (`&Conn` cannot open
/// one).
#[derive(Clone)]
pub struct SharedReads {
    pool: Pool,
    slot: std::sync::Arc<std::sync::Mutex<std::sync::Weak<PooledConn>>>,
}

impl SharedReads {
    pub fn new(pool: Pool) -> Self {
        Self {
            pool,
            slot: Default::default(),
        }
    }

    /// The shared connection, taken from the pool when no request holds it.
    pub async fn get(&self) -> Result<SharedConn, PoolError> {
        let current = self.slot.lock().unwrap_or_else(|p| p.into_inner()).upgrade();
        let conn = match current {
            Some(conn) => conn,
            None => {
                let taken = std::sync::Arc::new(self.pool.get().await?);
                let mut slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
                // Another request of this worker may have taken one meanwhile: share that one
                // (this one goes back to the pool).
                slot.upgrade().unwrap_or_else(|| {
                    *slot = std::sync::Arc::downgrade(&taken);
                    taken
                })
            }
        };
        Ok(SharedConn {
            conn,
            slot: self.slot.clone(),
        })
    }

    /// Runs `read` on the shared connection (as `&mut conn`, with `async |mut conn| ...`) and
    /// passes its result on through [`SharedConn::settle`]: a read that failed at the
    /// connection retires it.
    pub async fn read<T, E>(&self, read: impl AsyncFnOnce(&Conn) -> Result<T, E>) -> Result<T, E>
    where
        E: AtConnection + From<PoolError>,
    {
        let shared = self.get().await?;
        let result = read(shared.conn()).await;
        shared.settle(result)
    }

    /// The pool the shared connection comes from (for a request's other statements).
    pub fn pool(&self) -> &Pool {
        &self.pool
    }
}

/// Whether an error may mean the connection itself failed (an error of the application's
/// that [`SharedConn::settle`] is given; implemented by the error type, which this layer does
/// not know).
pub trait AtConnection {
    fn at_connection(&self) -> bool;
}

/// A hold on a worker's shared connection (see [`SharedReads`]).
pub struct SharedConn {
    conn: std::sync::Arc<PooledConn>,
    slot: std::sync::Arc<std::sync::Mutex<std::sync::Weak<PooledConn>>>,
}

impl SharedConn {
    /// The connection, to pass as `&mut conn.conn()` to a function taking `&mut impl Reader`.
    pub fn conn(&self) -> &Conn {
        &self.conn
    }

    /// Passes a read's result on; when it failed at the connection (see [`AtConnection`]), the
    /// connection is retired so that the next read takes another.
    pub fn settle<T, E: AtConnection>(&self, result: Result<T, E>) -> Result<T, E> {
        if result.as_ref().is_err_and(AtConnection::at_connection) {
            let mut slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
            if std::ptr::eq(slot.as_ptr(), std::sync::Arc::as_ptr(&self.conn)) {
                *slot = std::sync::Weak::new();
            }
        }
        result
    }
}

/// `INSERT` of a new record unless its id is taken (a client-chosen id sent again): the row
/// inserted, or `None` when a record with that id exists.
#[macro_export]
macro_rules! insert_new {
    ($conn:expr, $table:ident, $values:expr, $row:ty) => {{
        #[allow(unused_imports)]
        use diesel::{OptionalExtension, SelectableHelper};
        #[allow(unused_imports)]
        use diesel_async::RunQueryDsl;
        use $crate::db::schema::$table as t;
        diesel::insert_into(t::table)
            .values($values)
            .on_conflict(t::id)
            .do_nothing()
            .returning(<$row>::as_returning())
            .get_result::<$row>($conn)
            .await
            .optional()
    }};
}

/// The live (not deleted) record of `$table` with this id, or `None`. The statement's text is
/// built by Diesel once per table and kept (see [`ById`]): the read of one record is the
/// service's hottest statement.
#[macro_export]
macro_rules! find_live {
    ($conn:expr, $table:ident, $id:expr, $row:ty) => {{
        #[allow(unused_imports)]
        use diesel::{ExpressionMethods, OptionalExtension, QueryDsl, SelectableHelper};
        #[allow(unused_imports)]
        use diesel_async::RunQueryDsl;
        use $crate::db::schema::$table as t;
        static SQL: std::sync::OnceLock<$crate::db::ByIdSql> = std::sync::OnceLock::new();
        $crate::db::ById::new(
            t::table
                .filter(t::id.eq(uuid::Uuid::nil()))
                .filter(t::deleted_at.is_null())
                .select(<$row>::as_select()),
            &SQL,
            $id,
        )
        .get_result::<$row>($conn)
        .await
        .optional()
    }};
}

/// The text of a statement whose one parameter is a record's id, cut at that parameter.
#[derive(Debug)]
pub struct ByIdSql {
    before: String,
    after: String,
}

/// A Diesel query `Q` (filtered on an id, its one bind) run with its SQL built once: Diesel
/// writes a query's text anew on every call (every column of the `SELECT` quoted and pushed),
/// which cost 7% of a one-record read under load. `Q` gives the row type and the statement's
/// identity (its prepared statement is cached by that type); `id` is bound in its place.
pub struct ById<Q> {
    sql: &'static ByIdSql,
    id: uuid::Uuid,
    _query: std::marker::PhantomData<fn() -> Q>,
}

impl<Q> ById<Q>
where
    Q: diesel::query_builder::QueryFragment<diesel::pg::Pg>,
{
    /// `query`'s text, from `cell` (written there the first time), with `id` to bind.
    pub fn new(query: Q, cell: &'static std::sync::OnceLock<ByIdSql>, id: uuid::Uuid) -> Self {
        let sql = cell.get_or_init(|| {
            let text = diesel::debug_query::<diesel::pg::Pg, _>(&query).to_string();
            // The text ends with ` -- binds: [...]`; the one placeholder is `$1`.
            let text = text.rsplit_once(" -- binds:").map_or(text.as_str(), |(sql, _)| sql);
            let (before, after) = text.split_once("$1").expect("a query with one bind");
            assert!(!after.contains("$2"), "a query with one bind");
            ByIdSql {
                before: before.to_string(),
                after: after.to_string(),
            }
        });
        Self {
            sql,
            id,
            _query: std::marker::PhantomData,
        }
    }
}

impl<Q: 'static> diesel::query_builder::QueryId for ById<Q> {
    type QueryId = ById<Q>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<Q: diesel::query_builder::Query> diesel::query_builder::Query for ById<Q> {
    type SqlType = Q::SqlType;
}

impl<Q> diesel::query_builder::QueryFragment<diesel::pg::Pg> for ById<Q> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> diesel::QueryResult<()> {
        out.push_sql(&self.sql.before);
        out.push_bind_param::<diesel::sql_types::Uuid, _>(&self.id)?;
        out.push_sql(&self.sql.after);
        Ok(())
    }
}

/// `UPDATE` of a record at the version its writer read: sets `changes`, grows `version`, stamps
/// `updated_at`, and yields the row after, or `None` when the record moved on (or was deleted,
/// which also grows the version). Every change of a versioned record goes through here.
#[macro_export]
macro_rules! versioned_update {
    ($conn:expr, $table:ident, $id:expr, $version:expr, $changes:expr, $row:ty) => {{
        #[allow(unused_imports)]
        use diesel::{ExpressionMethods, OptionalExtension, QueryDsl, SelectableHelper};
        #[allow(unused_imports)]
        use diesel_async::RunQueryDsl;
        use $crate::db::schema::$table as t;
        diesel::update(t::table)
            .filter(t::id.eq($id))
            .filter(t::version.eq($version))
            .set((
                $changes,
                t::version.eq(t::version + 1),
                t::updated_at.eq(diesel::dsl::now),
            ))
            .returning(<$row>::as_returning())
            .get_result::<$row>($conn)
            .await
            .optional()
    }};
}

/// Soft-deletes the record at `version` (`deleted_at` set, `version` grown, so sync clients get a
/// tombstone); false when it is gone or at another version. `table` is a record type's
/// `Record::TABLE`, a constant.
pub async fn soft_delete(
    conn: &mut AsyncPgConnection,
    table: &'static str,
    id: uuid::Uuid,
    version: i64,
) -> diesel::QueryResult<bool> {
    use diesel_async::RunQueryDsl;
    let sql = format!(
        "UPDATE {table} SET deleted_at = now(), version = version + 1, updated_at = now() \
         WHERE id = $1 AND version = $2 AND deleted_at IS NULL"
    );
    diesel::sql_query(sql)
        .bind::<diesel::sql_types::Uuid, _>(id)
        .bind::<diesel::sql_types::BigInt, _>(version)
        .execute(conn)
        .await
        .map(|n| n == 1)
}

/// Names the caller for the database's own triggers in this transaction (the notices a unit's
/// case supervisors are shown name who granted a case role or reset a password).
pub async fn act_as(conn: &mut AsyncPgConnection, id: uuid::Uuid, name: &str) -> diesel::QueryResult<()> {
    use diesel_async::RunQueryDsl;
    diesel::sql_query("SELECT set_config('binhdang.actor_id', $1, true), set_config('binhdang.actor_name', $2, true)")
        .bind::<diesel::sql_types::Text, _>(id.to_string())
        .bind::<diesel::sql_types::Text, _>(name)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The materialized path of a live unit: what the shared layers need of the unit tree (scopes,
/// subtree filters), without reaching into the `units` resource.
pub async fn unit_path(conn: &mut impl Reader, id: uuid::Uuid) -> diesel::QueryResult<Option<String>> {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    use schema::units;
    units::table
        .filter(units::id.eq(id))
        .filter(units::deleted_at.is_null())
        .select(units::path)
        .first(conn)
        .await
        .optional()
}

/// Applies pending migrations; returns the versions applied.
/// Where a database URL points, without its user or password: `host:port/database`.
pub fn describe(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    rest.split('?').next().unwrap_or(rest).to_string()
}

pub async fn run_migrations(url: &str) -> anyhow::Result<Vec<String>> {
    let url = url.to_string();
    tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<String>> {
        use diesel::Connection;
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)
            .context("connecting to the database to migrate")?;
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map_err(|e| anyhow::anyhow!("applying migrations: {e}"))?;
        Ok(applied.iter().map(|v| v.to_string()).collect())
    })
    .await
    .context("migration task")?
}

/// True when every embedded migration has been applied.
pub async fn migrations_applied(conn: &mut AsyncPgConnection) -> anyhow::Result<bool> {
    use diesel::migration::MigrationSource;
    use diesel::sql_types::Text;
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        version: String,
    }
    let rows: Vec<Row> = diesel::sql_query("SELECT version FROM __diesel_schema_migrations")
        .load(conn)
        .await?;
    let have: std::collections::HashSet<String> = rows.into_iter().map(|r| r.version).collect();
    let wanted = MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(wanted.iter().all(|m| have.contains(&m.name().version().to_string())))
}

/// The database URL to use: `DATABASE_URL` when set, otherwise the embedded cluster, started
/// (and created on first use) under the data directory. The returned guard stops the cluster
/// when the process is done with it, if this process started it.
///
/// Only set-up commands (`may_create`) may initialise a new embedded cluster; the others fail,
/// naming the directory they looked in and the two ways to point them elsewhere.
pub async fn resolve(
    settings: &crate::config::Settings,
    may_create: bool,
) -> anyhow::Result<(String, Option<embedded::EmbeddedPostgres>)> {
    if let Some(url) = &settings.database_url {
        return Ok((url.expose().to_string(), None));
    }
    let cluster = settings.data_dir.join("postgres");
    if !may_create && !cluster.join("PG_VERSION").exists() {
        let looked = std::path::absolute(&cluster).unwrap_or(cluster);
        anyhow::bail!(
            "no database: DATABASE_URL is not set and there is no embedded cluster at {}. \
             Run this where `binhdang serve` runs, or set BINHDANG_DATA_DIR to its data directory \
             (the one holding postgres/), or DATABASE_URL to the server's address.",
            looked.display()
        );
    }
    let pg = embedded::EmbeddedPostgres::start(&cluster, "binhdang", true).await?;
    Ok((pg.url(), Some(pg)))
}

#[cfg(test)]
mod describe_tests {
    #[test]
    fn a_url_is_described_without_its_credentials() {
        assert_eq!(
            super::describe("postgres://bd:s3cret@db.example:5432/binhdang?sslmode=require"),
            "db.example:5432/binhdang"
        );
        assert_eq!(super::describe("postgres://127.0.0.1:5432/x"), "127.0.0.1:5432/x");
    }
}
