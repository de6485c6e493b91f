//! Plan queries. Each reads a plan with its citations and target counts in one round trip.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::api::{Direction, Indicator, PlanFilters, PlanItem};
use super::model::{
    ActivityChanges, ActivityRow, NewPlanRow, PlanChanges, PlanDraft, PlanRow, TargetChanges, TargetRow, PLAN_SELECT,
};
use super::workflow::Status;
use crate::auth::Caller;
use crate::db::schema::{indicators, plan_documents, plan_transitions, plans};
use crate::db::Conn;
use crate::http::json_row::{load_page, WriteRow};
use crate::http::list::{escape_like, Bind, CachedSql, Cursor, ListSql, Sort, SortField};
use crate::write::{NewRecord, Record};

pub const SORTS: &[SortField] = &[
    SortField {
        name: "year",
        column: "p.year",
        sql_type: "integer",
    },
    SortField {
        name: "title",
        column: "p.title",
        sql_type: "text",
    },
    SortField {
        name: "updated_at",
        column: "p.updated_at",
        sql_type: "timestamptz",
    },
];

const PUBLISHED: &str = "('approved', 'in_progress', 'completed')";

/// A page of the plans `caller` may see (`limit + 1` rows, for the cursor), written as its JSON
/// body (`json_row::load_page`).
pub async fn list(
    conn: &mut impl crate::db::Reader,
    caller: &Caller,
    f: &PlanFilters,
    unit_path: Option<&str>,
    sort: &Sort,
    cursor: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<u8>> {
    let mut sql = ListSql::new(format!("SELECT {} FROM plans p", PlanItem::COLUMNS), "p.id");
    sql.filter("p.deleted_at IS NULL", []);
    // The caller's subtree, plus the published plans of the units above it.
    let mut ors = Vec::new();
    let mut binds = Vec::new();
    for scope in &caller.scopes {
        ors.push(format!(
            "p.unit_path LIKE ? OR (p.status IN {PUBLISHED} AND ? LIKE p.unit_path || '%')"
        ));
        binds.push(Bind::Text(format!("{}%", escape_like(scope))));
        binds.push(Bind::Text(scope.clone()));
    }
    if ors.is_empty() {
        ors.push("false".into());
    }
    sql.filter(&format!("({})", ors.join(" OR ")), binds);
    if let Some(unit_id) = f.unit_id {
        match (f.include_descendants, unit_path) {
            (true, Some(path)) => {
                sql.in_subtree("p.unit_path", path);
            }
            _ => {
                sql.filter("p.unit_id = ?", [Bind::Uuid(unit_id)]);
            }
        }
    }
    if let Some(year) = f.year {
        sql.filter("p.year = ?", [Bind::Int(year as i64)]);
    }
    if let Some(status) = f.status {
        sql.filter("p.status = ?", [Bind::Text(status.as_str().into())]);
    }
    if let Some(kind) = f.kind {
        sql.filter("p.kind = ?", [Bind::Text(kind.as_str().into())]);
    }
    if let Some(area) = f.area {
        sql.filter("p.areas @> ARRAY[?]::text[]", [Bind::Text(area.as_str().into())]);
    }
    if let Some(q) = f.q.as_deref().filter(|q| !q.trim().is_empty()) {
        sql.search("p.search", q);
    }
    load_page::<PlanItem, _>(conn, sql.page(sort, cursor, limit), limit, sort).await
}

pub async fn find(conn: &mut impl crate::db::Reader, id: Uuid) -> QueryResult<Option<PlanRow>> {
    CachedSql::new(
        format!("{PLAN_SELECT} WHERE p.id = $1 AND p.deleted_at IS NULL"),
        vec![Bind::Uuid(id)],
    )
    .get_result(conn)
    .await
    .optional()
}

/// Inserts the plan and its citations unless the id is taken (`None` then).
pub async fn insert_new(
    conn: &mut AsyncPgConnection,
    row: &NewPlanRow,
    documents: &[Uuid],
) -> QueryResult<Option<PlanRow>> {
    let inserted = diesel::insert_into(plans::table)
        .values(row)
        .on_conflict(plans::id)
        .do_nothing()
        .execute(conn)
        .await?;
    if inserted == 0 {
        return Ok(None);
    }
    set_documents(conn, row.id, documents).await?;
    find(conn, row.id).await
}

pub async fn set_documents(conn: &mut AsyncPgConnection, plan_id: Uuid, documents: &[Uuid]) -> QueryResult<()> {
    diesel::delete(plan_documents::table.filter(plan_documents::plan_id.eq(plan_id)))
        .execute(conn)
        .await?;
    let rows: Vec<_> = documents
        .iter()
        .map(|d| (plan_documents::plan_id.eq(plan_id), plan_documents::document_id.eq(*d)))
        .collect();
    diesel::insert_into(plan_documents::table)
        .values(rows)
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}

/// Applies changes at `version` (and, for a transition, only from `from`): false when the plan
/// moved on in between.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    version: i64,
    changes: &PlanChanges,
    from: Option<Status>,
) -> QueryResult<bool> {
    let mut q = diesel::update(plans::table)
        .filter(plans::id.eq(id))
        .filter(plans::version.eq(version))
        .filter(plans::deleted_at.is_null())
        .into_boxed();
    if let Some(from) = from {
        q = q.filter(plans::status.eq(from.as_str()));
    }
    // The version grows even when only the citations change.
    let n = q
        .set((
            changes,
            plans::version.eq(plans::version + 1),
            plans::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(n == 1)
}

/// True while live plans implement this one.
pub async fn has_children(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        plans::table
            .filter(plans::parent_plan_id.eq(id))
            .filter(plans::deleted_at.is_null()),
    ))
    .get_result(conn)
    .await
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = plan_transitions, check_for_backend(diesel::pg::Pg))]
pub struct TransitionRow {
    pub id: i64,
    pub plan_id: Uuid,
    pub action: String,
    pub from_status: String,
    pub to_status: String,
    pub reason: Option<String>,
    pub actor_id: Uuid,
    pub actor_name: String,
    pub actor_role: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

pub async fn record_transition(
    conn: &mut AsyncPgConnection,
    plan_id: Uuid,
    caller: &Caller,
    (action, from, to): (&str, Status, Status),
    reason: Option<&str>,
) -> QueryResult<()> {
    diesel::insert_into(plan_transitions::table)
        .values((
            plan_transitions::plan_id.eq(plan_id),
            plan_transitions::action.eq(action),
            plan_transitions::from_status.eq(from.as_str()),
            plan_transitions::to_status.eq(to.as_str()),
            plan_transitions::reason.eq(reason),
            plan_transitions::actor_id.eq(caller.id),
            plan_transitions::actor_name.eq(&caller.name),
            plan_transitions::actor_role.eq(caller.role.as_str()),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn history(conn: &mut AsyncPgConnection, plan_id: Uuid) -> QueryResult<Vec<TransitionRow>> {
    plan_transitions::table
        .filter(plan_transitions::plan_id.eq(plan_id))
        .order(plan_transitions::id)
        .select(TransitionRow::as_select())
        .load(conn)
        .await
}

pub async fn indicators(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Indicator>> {
    #[allow(clippy::type_complexity)]
    let rows: Vec<(
        String,
        String,
        String,
        String,
        String,
        Option<f64>,
        Option<f64>,
        Option<String>,
        bool,
    )> = indicators::table
        .order(indicators::code)
        .select((
            indicators::code,
            indicators::name_en,
            indicators::name_vi,
            indicators::unit_of_measure,
            indicators::direction,
            indicators::target_2025,
            indicators::target_2030,
            indicators::source,
            indicators::verified,
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(code, name_en, name_vi, unit_of_measure, direction, t25, t30, source, verified)| Indicator {
                code,
                name_en,
                name_vi,
                unit_of_measure,
                direction: if direction == "decrease" {
                    Direction::Decrease
                } else {
                    Direction::Increase
                },
                target_2025: t25,
                target_2030: t30,
                source,
                verified,
            },
        )
        .collect())
}

/// True when the indicator code exists.
pub async fn indicator_exists(conn: &mut AsyncPgConnection, code: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(indicators::table.filter(indicators::code.eq(code))))
        .get_result(conn)
        .await
}

/// A part of a plan (a target, an activity) on the write path: it belongs to its plan's unit.
#[derive(Debug, Clone)]
pub struct Planned<T> {
    pub row: T,
    pub unit_id: Uuid,
    pub unit_path: String,
}

impl<T> Planned<T> {
    pub fn of(row: T, plan: &PlanRow) -> Self {
        Self {
            row,
            unit_id: plan.unit_id,
            unit_path: plan.unit_path.clone(),
        }
    }

    /// The same part, as a changed row.
    pub fn with(self, row: T) -> Self {
        Self { row, ..self }
    }
}

/// What the write path needs of a plan's part; targets and activities share one implementation
/// of [`Record`] through [`Planned`].
pub trait PlanPart: Clone + Send + Sync + 'static {
    type Api: serde::Serialize + Send + Sync + From<Self>;
    const RESOURCE: &'static str;
    const TABLE: &'static str;
    fn id(&self) -> Uuid;
    fn version(&self) -> i64;
    fn plan_id(&self) -> Uuid;
    /// The live part with this id, with its plan's unit.
    fn find(
        conn: &mut impl crate::db::Reader,
        id: Uuid,
    ) -> impl std::future::Future<Output = QueryResult<Option<(Self, Uuid, String)>>> + Send;
    /// The plan's live parts of this kind, oldest first.
    fn of_plan(conn: &mut Conn, plan_id: Uuid) -> impl std::future::Future<Output = QueryResult<Vec<Self>>> + Send;
    fn insert<'a>(
        &'a self,
        conn: &'a mut Conn,
    ) -> impl std::future::Future<Output = QueryResult<Option<Self>>> + Send + 'a;
    /// What a correction sets.
    type Changes: Send + Sync + 'static;
    /// The versioned UPDATE (`None` when the part moved on).
    fn update<'a>(
        conn: &'a mut Conn,
        id: Uuid,
        version: i64,
        changes: &'a Self::Changes,
    ) -> impl std::future::Future<Output = QueryResult<Option<Self>>> + Send + 'a;
}

/// The plan and its part for a write: the plan readable, the part of that plan, the caller its
/// unit's manager (or an admin above).
pub async fn writable_part<T: PlanPart>(
    conn: &mut Conn,
    caller: &Caller,
    plan_id: Uuid,
    id: Uuid,
) -> crate::error::ApiResult<(PlanRow, Planned<T>)> {
    let plan = readable_plan(conn, caller, plan_id).await?;
    let part = find_part(conn, &plan, id).await?;
    caller.require_manager_of(plan.unit_id, &plan.unit_path)?;
    Ok((plan, part))
}

/// Corrects a part (`If-Match`, audit, 412).
pub async fn update_part<T: PlanPart>(
    conn: &mut Conn,
    caller: &Caller,
    current: Planned<T>,
    if_match: &crate::http::IfMatch,
    changes: T::Changes,
) -> crate::error::ApiResult<actix_web::HttpResponse> {
    let (id, version, owner) = (current.row.id(), current.row.version(), current.clone());
    let apply = crate::write::apply(move |conn| {
        Box::pin(async move { Ok(T::update(conn, id, version, &changes).await?.map(|row| owner.with(row))) })
    });
    Ok(crate::write::update(conn, caller, current, if_match, "update", apply)
        .await?
        .respond())
}

/// The part of this plan with this id, or 404.
pub async fn find_part<T: PlanPart>(conn: &mut Conn, plan: &PlanRow, id: Uuid) -> crate::error::ApiResult<Planned<T>> {
    match T::find(conn, id).await? {
        Some((row, _, _)) if row.plan_id() == plan.id => Ok(Planned::of(row, plan)),
        _ => Err(crate::error::ApiError::NotFound),
    }
}

impl<T: PlanPart> Record for Planned<T> {
    type Api = T::Api;
    const RESOURCE: &'static str = T::RESOURCE;
    const TABLE: &'static str = T::TABLE;

    fn into_api(self) -> Self::Api {
        self.row.into()
    }
    fn id(&self) -> Uuid {
        self.row.id()
    }
    fn version(&self) -> i64 {
        self.row.version()
    }
    fn unit_id(&self) -> Uuid {
        self.unit_id
    }
    fn unit_path(&self) -> &str {
        &self.unit_path
    }
    async fn find(conn: &mut impl crate::db::Reader, id: Uuid) -> QueryResult<Option<Self>> {
        Ok(T::find(conn, id).await?.map(|(row, unit_id, unit_path)| Planned {
            row,
            unit_id,
            unit_path,
        }))
    }
}

/// Parts are created online, once: an id sent again is 409 (no `same_record`).
impl<T: PlanPart> NewRecord for Planned<T> {
    type Row = Self;

    fn id(&self) -> Uuid {
        self.row.id()
    }
    async fn insert(&self, conn: &mut Conn) -> QueryResult<Option<Self>> {
        Ok(self.row.insert(conn).await?.map(|row| Planned { row, ..self.clone() }))
    }
}

/// Defines a plan part's [`PlanPart`] implementation over its table.
macro_rules! plan_part {
    ($row:ty, $changes:ty, $api:ty, $resource:literal, $table:ident, $order:ident) => {
        impl PlanPart for $row {
            type Api = $api;
            const RESOURCE: &'static str = $resource;
            const TABLE: &'static str = stringify!($table);
            fn id(&self) -> Uuid {
                self.id
            }
            fn version(&self) -> i64 {
                self.version
            }
            fn plan_id(&self) -> Uuid {
                self.plan_id
            }
            async fn find(conn: &mut impl $crate::db::Reader, id: Uuid) -> QueryResult<Option<(Self, Uuid, String)>> {
                use crate::db::schema::$table as t;
                t::table
                    .inner_join(plans::table)
                    .filter(t::id.eq(id))
                    .filter(t::deleted_at.is_null())
                    .select((<$row>::as_select(), plans::unit_id, plans::unit_path))
                    .first(conn)
                    .await
                    .optional()
            }
            async fn of_plan(conn: &mut Conn, plan_id: Uuid) -> QueryResult<Vec<Self>> {
                use crate::db::schema::$table as t;
                t::table
                    .filter(t::plan_id.eq(plan_id))
                    .filter(t::deleted_at.is_null())
                    .order((t::$order, t::id))
                    .select(<$row>::as_select())
                    .load(conn)
                    .await
            }
            async fn insert(&self, conn: &mut Conn) -> QueryResult<Option<Self>> {
                crate::insert_new!(conn, $table, self, $row)
            }
            type Changes = $changes;
            async fn update(conn: &mut Conn, id: Uuid, version: i64, changes: &$changes) -> QueryResult<Option<Self>> {
                crate::versioned_update!(conn, $table, id, version, changes, $row)
            }
        }
    };
}

plan_part!(
    TargetRow,
    TargetChanges,
    super::api::Target,
    "plan_target",
    plan_targets,
    created_at
);
plan_part!(
    ActivityRow,
    ActivityChanges,
    super::api::Activity,
    "plan_activity",
    plan_activities,
    starts_on
);

/// A plan the caller may read, or 404.
pub async fn readable_plan(conn: &mut Conn, caller: &Caller, id: Uuid) -> crate::error::ApiResult<PlanRow> {
    let plan = find(conn, id).await?.ok_or(crate::error::ApiError::NotFound)?;
    super::require_readable(caller, &plan)?;
    Ok(plan)
}

// A plan belongs to its unit; one that other plans implement stays.
crate::record!(
    PlanRow,
    super::api::Plan,
    "plan",
    plans,
    find,
    before_delete = no_children
);

impl NewRecord for PlanDraft {
    type Row = PlanRow;

    fn id(&self) -> Uuid {
        self.row.id
    }
    async fn insert(&self, conn: &mut Conn) -> QueryResult<Option<PlanRow>> {
        insert_new(conn, &self.row, &self.documents).await
    }
    /// The same unit, year, kind and title: the plan an offline client created before.
    fn same_record(&self, e: &PlanRow) -> bool {
        e.unit_id == self.row.unit_id && e.year == self.row.year && e.kind == self.row.kind && e.title == self.row.title
    }
}

async fn no_children(conn: &mut Conn, id: Uuid) -> crate::error::ApiResult<()> {
    if has_children(conn, id).await? {
        return Err(crate::error::ApiError::conflict(
            "Other plans implement this plan",
            "Có kế hoạch khác đang thực hiện kế hoạch này",
        ));
    }
    Ok(())
}
