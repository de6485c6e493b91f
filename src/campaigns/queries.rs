use diesel::prelude::*;
use diesel::sql_types::Uuid as SqlUuid;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{CampaignChanges, CampaignRow, Totals};
use crate::auth::Caller;
use crate::db::schema::campaigns;
use crate::http::list::escape_like;

pub async fn find(conn: &mut impl crate::db::Reader, id: Uuid) -> QueryResult<Option<CampaignRow>> {
    crate::find_live!(conn, campaigns, id, CampaignRow)
}

/// Campaigns of the caller's subtrees and of the units above them, newest first.
pub async fn list(conn: &mut AsyncPgConnection, caller: &Caller) -> QueryResult<Vec<CampaignRow>> {
    let mut q = campaigns::table.filter(campaigns::deleted_at.is_null()).into_boxed();
    let mut cond: Box<dyn BoxableExpression<campaigns::table, diesel::pg::Pg, SqlType = diesel::sql_types::Bool>> =
        Box::new(diesel::dsl::sql::<diesel::sql_types::Bool>("false"));
    for scope in &caller.scopes {
        let below = campaigns::unit_path.like(format!("{}%", escape_like(scope)));
        let above = diesel::dsl::sql::<diesel::sql_types::Bool>("")
            .bind::<diesel::sql_types::Text, _>(scope.clone())
            .sql(" LIKE campaigns.unit_path || '%'");
        cond = Box::new(cond.or(below).or(above));
    }
    q = q.filter(cond);
    q.order((campaigns::starts_on.desc(), campaigns::id))
        .select(CampaignRow::as_select())
        .load(conn)
        .await
}

pub async fn totals(conn: &mut AsyncPgConnection, caller: &Caller, id: Uuid) -> QueryResult<Totals> {
    let mut sql = String::from(
        "SELECT count(*) AS events, coalesce(sum(female), 0)::bigint AS female, coalesce(sum(male), 0)::bigint AS male, \
         coalesce(sum(other_sex), 0)::bigint AS other_sex, coalesce(sum(audience_reached), 0)::bigint AS audience_reached \
         FROM outreach_events WHERE campaign_id = $1 AND deleted_at IS NULL AND (false",
    );
    for i in 0..caller.scopes.len() {
        sql.push_str(&format!(" OR unit_path LIKE ${}", i + 2));
    }
    sql.push(')');
    if caller.is_partner() {
        sql.push_str(" AND is_public");
    }
    let mut q = diesel::sql_query(sql)
        .into_boxed::<diesel::pg::Pg>()
        .bind::<SqlUuid, _>(id);
    for s in &caller.scopes {
        q = q.bind::<diesel::sql_types::Text, _>(format!("{}%", escape_like(s)));
    }
    q.get_result(conn).await
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    version: i64,
    c: &CampaignChanges,
) -> QueryResult<Option<CampaignRow>> {
    crate::versioned_update!(conn, campaigns, id, version, c, CampaignRow)
}

// The same unit and name: the campaign an offline client created before.
crate::record!(CampaignRow, super::api::Campaign, "campaign", campaigns, find);
crate::new_record!(
    CampaignRow,
    campaigns,
    same = |n, e| e.unit_id == n.unit_id && e.name == n.name
);
