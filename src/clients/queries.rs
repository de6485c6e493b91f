use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{ClientChanges, ClientDraft, ClientRow, NewClient};
use crate::db::schema::{api_client_units, api_clients};
use crate::db::Conn;
use crate::write::NewRecord;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = api_clients, check_for_backend(diesel::pg::Pg))]
struct Base {
    id: Uuid,
    client_id: String,
    name: String,
    active: bool,
    rate_limit_per_minute: i32,
    owner_unit_id: Uuid,
    owner_unit_path: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i64,
}

impl Base {
    fn with_units(self, unit_ids: Vec<Uuid>) -> ClientRow {
        ClientRow {
            id: self.id,
            client_id: self.client_id,
            name: self.name,
            active: self.active,
            rate_limit_per_minute: self.rate_limit_per_minute,
            owner_unit_id: self.owner_unit_id,
            owner_unit_path: self.owner_unit_path,
            created_at: self.created_at,
            updated_at: self.updated_at,
            version: self.version,
            unit_ids,
        }
    }
}

async fn granted(conn: &mut impl crate::db::Reader, ids: &[Uuid]) -> QueryResult<Vec<(Uuid, Uuid)>> {
    api_client_units::table
        .filter(api_client_units::client_id.eq_any(ids))
        .order((api_client_units::client_id, api_client_units::unit_id))
        .select((api_client_units::client_id, api_client_units::unit_id))
        .load(conn)
        .await
}

/// The units client `id` is granted, with their paths (none when the client is disabled).
pub async fn granted_units(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Vec<(Uuid, String)>> {
    use crate::db::schema::units;
    api_client_units::table
        .inner_join(units::table)
        .inner_join(api_clients::table)
        .filter(api_client_units::client_id.eq(id))
        .filter(api_clients::active)
        .order(units::path)
        .select((units::id, units::path))
        .load(conn)
        .await
}

pub async fn find(conn: &mut impl crate::db::Reader, id: Uuid) -> QueryResult<Option<ClientRow>> {
    let Some(base) = api_clients::table
        .find(id)
        .select(Base::as_select())
        .first(conn)
        .await
        .optional()?
    else {
        return Ok(None);
    };
    let units = granted(conn, &[id]).await?.into_iter().map(|(_, u)| u).collect();
    Ok(Some(base.with_units(units)))
}

/// The clients registered by units under `owner_prefix`, by name (two queries, not one per client).
pub async fn list(conn: &mut AsyncPgConnection, owner_prefix: &str) -> QueryResult<Vec<ClientRow>> {
    let bases: Vec<Base> = api_clients::table
        .filter(api_clients::owner_unit_path.like(format!("{}%", crate::http::list::escape_like(owner_prefix))))
        .order((api_clients::name, api_clients::id))
        .select(Base::as_select())
        .load(conn)
        .await?;
    let ids: Vec<Uuid> = bases.iter().map(|b| b.id).collect();
    let grants = granted(conn, &ids).await?;
    Ok(bases
        .into_iter()
        .map(|b| {
            let units = grants.iter().filter(|(c, _)| *c == b.id).map(|(_, u)| *u).collect();
            b.with_units(units)
        })
        .collect())
}

pub async fn insert(conn: &mut AsyncPgConnection, c: &NewClient, unit_ids: &[Uuid]) -> QueryResult<ClientRow> {
    diesel::insert_into(api_clients::table)
        .values((
            api_clients::id.eq(c.id),
            api_clients::client_id.eq(&c.client_id),
            api_clients::name.eq(&c.name),
            api_clients::secret_hash.eq(&c.secret_hash),
            api_clients::rate_limit_per_minute.eq(c.rate_limit_per_minute),
            api_clients::owner_unit_id.eq(c.owner_unit_id),
            api_clients::owner_unit_path.eq(&c.owner_unit_path),
        ))
        .execute(conn)
        .await?;
    set_units(conn, c.id, unit_ids).await?;
    find(conn, c.id).await?.ok_or(diesel::result::Error::NotFound)
}

async fn set_units(conn: &mut AsyncPgConnection, id: Uuid, unit_ids: &[Uuid]) -> QueryResult<()> {
    diesel::delete(api_client_units::table.filter(api_client_units::client_id.eq(id)))
        .execute(conn)
        .await?;
    let rows: Vec<_> = unit_ids
        .iter()
        .map(|u| (api_client_units::client_id.eq(id), api_client_units::unit_id.eq(*u)))
        .collect();
    diesel::insert_into(api_client_units::table)
        .values(rows)
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}

/// Applies the changes at `expected_version`; `None` when the version moved on.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    expected_version: i64,
    changes: &ClientChanges,
    unit_ids: Option<&[Uuid]>,
) -> QueryResult<Option<ClientRow>> {
    let bumped = diesel::update(
        api_clients::table
            .find(id)
            .filter(api_clients::version.eq(expected_version)),
    )
    .set((
        changes,
        api_clients::version.eq(api_clients::version + 1),
        api_clients::updated_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
    .await?;
    if bumped == 0 {
        return Ok(None);
    }
    if let Some(u) = unit_ids {
        set_units(conn, id, u).await?;
    }
    find(conn, id).await
}

/// For token exchange: (id, secret hash, active, owner unit id).
pub async fn by_client_id(
    conn: &mut AsyncPgConnection,
    client_id: &str,
) -> QueryResult<Option<(Uuid, String, bool, Uuid)>> {
    api_clients::table
        .filter(api_clients::client_id.eq(client_id))
        .select((
            api_clients::id,
            api_clients::secret_hash,
            api_clients::active,
            api_clients::owner_unit_id,
        ))
        .first(conn)
        .await
        .optional()
}

// A client belongs to its owner unit (the unit of the admin who registered it).
crate::record!(
    ClientRow,
    super::api::ApiClient,
    "api_client",
    api_clients,
    find,
    unit = (owner_unit_id, owner_unit_path)
);

impl NewRecord for ClientDraft {
    type Row = ClientRow;

    fn id(&self) -> Uuid {
        self.client.id
    }
    async fn insert(&self, conn: &mut Conn) -> QueryResult<Option<ClientRow>> {
        insert(conn, &self.client, &self.unit_ids).await.map(Some)
    }
}
