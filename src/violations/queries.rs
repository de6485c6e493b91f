//! Finding and storing violations.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::api::{Offender, Violation, ViolationFilters, ViolationItem};
use super::model::{Authority, Decree, Rule, ViolationRow};
use crate::auth::Caller;
use crate::db::schema::{decrees, fining_authorities, violation_parties, violation_rules};
use crate::db::Conn;
use crate::domain::enum_text;
use crate::error::{ApiError, ApiResult};
use crate::http::json_row::{load_page, WriteRow};
use crate::http::list::{Bind, Cursor, ListSql, Sort, SortField};
use crate::write::{NewRecord, Record};

pub const SORTS: &[SortField] = &[SortField {
    name: "act_on",
    column: "v.act_on",
    sql_type: "date",
}];

pub async fn find(conn: &mut impl crate::db::Reader, id: Uuid) -> QueryResult<Option<ViolationRow>> {
    crate::find_live!(conn, violations, id, ViolationRow)
}

pub async fn visible(conn: &mut Conn, caller: &Caller, id: Uuid) -> ApiResult<ViolationRow> {
    caller.require_not_partner()?;
    let row = find(conn, id).await?.ok_or(ApiError::NotFound)?;
    caller.require_visible(&row.unit_path)?;
    Ok(row)
}

pub async fn view(conn: &mut Conn, caller: &Caller, row: ViolationRow) -> ApiResult<Violation> {
    let reads = caller.reads_identities_of(row.handling_unit_id);
    let id = row.id;
    let mut out = Violation::from(row);
    if reads {
        let party: Option<(String, Option<String>)> = violation_parties::table
            .find(id)
            .select((violation_parties::name, violation_parties::details))
            .first(conn)
            .await
            .optional()?;
        out.offender = party.map(|(name, details)| Offender { name, details });
    }
    Ok(out)
}

/// A page of the violations in the caller's scopes with the list's filters (`limit + 1` rows,
/// for the cursor), written as its JSON body (`json_row::load_page`).
pub async fn list(
    conn: &mut impl crate::db::Reader,
    scopes: &[String],
    f: &ViolationFilters,
    sort: &Sort,
    cursor: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<u8>> {
    let mut sql = ListSql::new(format!("SELECT {} FROM violations v", ViolationItem::COLUMNS), "v.id").prefix_indexed();
    sql.filter("v.deleted_at IS NULL", []).in_scopes("v.unit_path", scopes);
    if let Some(a) = f.area {
        sql.filter("v.area = ?", [Bind::Text(a.as_str().into())]);
    }
    if let Some(s) = f.status {
        sql.filter("v.status = ?", [Bind::Text(enum_text(s))]);
    }
    if let Some(p) = f.penalty {
        sql.filter("v.penalty = ?", [Bind::Text(enum_text(p))]);
    }
    if let Some(i) = f.inspection_id {
        sql.filter("v.inspection_id = ?", [Bind::Uuid(i)]);
    }
    if let Some(d) = f.from {
        sql.filter("v.act_on >= ?", [Bind::Date(d)]);
    }
    if let Some(d) = f.to {
        sql.filter("v.act_on <= ?", [Bind::Date(d)]);
    }
    load_page::<ViolationItem, _>(conn, sql.page(sort, cursor, limit), limit, sort).await
}

/// An individual offender's identity, kept apart from the violation.
pub async fn add_party(conn: &mut Conn, violation_id: Uuid, o: &Offender) -> QueryResult<()> {
    diesel::insert_into(violation_parties::table)
        .values((
            violation_parties::violation_id.eq(violation_id),
            violation_parties::name.eq(o.name.trim()),
            violation_parties::details.eq(o.details.as_deref()),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

// A violation belongs to the handling unit.
crate::record!(
    ViolationRow,
    Violation,
    "violation",
    violations,
    find,
    unit = (handling_unit_id, unit_path)
);

// Violations are recorded online: an id sent again is 409.
crate::new_record!(ViolationRow, violations);

pub async fn load_decrees(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Decree>> {
    decrees::table
        .order(decrees::effective_from)
        .select(Decree::as_select())
        .load(conn)
        .await
}

pub async fn load_authorities(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Authority>> {
    fining_authorities::table
        .order(fining_authorities::code)
        .select(Authority::as_select())
        .load(conn)
        .await
}

pub async fn find_rule(conn: &mut impl crate::db::Reader, id: Uuid) -> QueryResult<Option<Rule>> {
    violation_rules::table
        .find(id)
        .select(Rule::as_select())
        .first(conn)
        .await
        .optional()
}

/// A rule belongs to no unit: every signed-in caller reads the catalogue.
impl Record for Rule {
    type Api = Rule;
    const RESOURCE: &'static str = "violation_rule";
    const TABLE: &'static str = "violation_rules";

    fn into_api(self) -> Self::Api {
        self
    }
    fn id(&self) -> Uuid {
        self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn unit_id(&self) -> Uuid {
        Uuid::nil()
    }
    fn unit_path(&self) -> &str {
        crate::audit::GLOBAL_PATH
    }
    async fn find(conn: &mut impl crate::db::Reader, id: Uuid) -> QueryResult<Option<Self>> {
        find_rule(conn, id).await
    }
}

/// A citation already in the catalogue is 409 (its unique index).
impl NewRecord for Rule {
    type Row = Self;

    fn id(&self) -> Uuid {
        self.id
    }
    async fn insert(&self, conn: &mut Conn) -> QueryResult<Option<Self>> {
        diesel::insert_into(violation_rules::table)
            .values(self)
            .on_conflict(violation_rules::id)
            .do_nothing()
            .returning(Rule::as_returning())
            .get_result(conn)
            .await
            .optional()
    }

    /// The same id with the same citation, band and text is a retry: it replays.
    fn same_record(&self, existing: &Self) -> bool {
        (
            &self.decree_code,
            self.article,
            self.clause,
            &self.point,
            &self.area,
            &self.description,
        ) == (
            &existing.decree_code,
            existing.article,
            existing.clause,
            &existing.point,
            &existing.area,
            &existing.description,
        ) && (self.min_fine_vnd, self.max_fine_vnd, &self.source)
            == (existing.min_fine_vnd, existing.max_fine_vnd, &existing.source)
    }
}
