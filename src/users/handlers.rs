//! `/api/v1/users`: admins manage the accounts of their subtree.

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::api::{NewUser, User, UserFilters, UserPatch, UserWithPassword};
use super::model::{NewUserRow, UserChanges, UserRow};
use super::queries;
use crate::auth::{password, Caller, Role};
use crate::config::Secret;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::idempotency::{self, IdempotencyKey};
use crate::http::list::{paginate, Cursor, Page, PageQuery, Sort};
use crate::http::{etag_response, IfMatch, Json, ValidJson};
use crate::state::AppState;
use crate::write;

/// The account, when the caller administers its unit; 404 outside the caller's subtree.
async fn managed_user(conn: &mut crate::db::Conn, caller: &Caller, id: Uuid) -> ApiResult<UserRow> {
    caller.require_admin()?;
    let user = queries::find(conn, id).await?.ok_or(ApiError::NotFound)?;
    caller.require_visible(&user.unit_path)?;
    caller.require_admin_over(&user.unit_path)?;
    Ok(user)
}

fn user_role(role: Role, field: &str) -> ApiResult<()> {
    if role == Role::Partner {
        return Err(ApiError::field(
            field,
            "invalid",
            "partners are API clients (POST /api/v1/clients), not users",
            "đối tác là ứng dụng (POST /api/v1/clients), không phải người dùng",
        ));
    }
    Ok(())
}

/// The accounts of the caller's subtree (admins).
///
/// Sort: `username` (default), `updated_at`; `-` for descending.
#[utoipa::path(
    tag = "users",
    operation_id = "list_users",
    params(UserFilters, PageQuery),
    responses(
        (status = 200, description = "A page of users", body = Page<User>),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter, sort or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("")]
pub async fn list_users(
    state: web::Data<AppState>,
    caller: Caller,
    filters: crate::http::Query<UserFilters>,
    page: crate::http::Query<PageQuery>,
) -> ApiResult<web::Json<Page<User>>> {
    caller.require_admin()?;
    let sort = Sort::parse(page.sort.as_deref(), queries::SORTS)?;
    let cursor = page.cursor.as_deref().map(|c| Cursor::decode(c, &sort)).transpose()?;
    let limit = page.limit();
    let Some(scope) = caller.scopes.first() else {
        return Ok(web::Json(Page::empty()));
    };
    // Reads only: on the worker's shared connection (see db::SharedReads).
    state
        .reads
        .read(async |mut conn| {
            let rows = queries::list(&mut conn, scope, &filters, &sort, cursor.as_ref(), limit).await?;
            Ok(web::Json(paginate(rows, limit, &sort, User::from)))
        })
        .await
}

/// One account (admins of its unit or above).
#[utoipa::path(
    tag = "users",
    operation_id = "get_user",
    params(("id" = Uuid, Path, description = "User id")),
    responses(
        (status = 200, description = "The user", body = User, headers(("ETag" = String, description = "The user's version"))),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user in the caller's subtree", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/{id}")]
pub async fn get_user(state: web::Data<AppState>, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let user = managed_user(&mut conn, &caller, *id).await?;
    Ok(etag_response(StatusCode::OK, user.version, &User::from(user)))
}

/// Add an account in the caller's subtree (admins). It gets a temporary password, shown once in
/// this response, which the user must change at the first sign-in.
#[utoipa::path(
    tag = "users",
    operation_id = "create_user",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first response (with `temporary_password` null)")),
    request_body = NewUser,
    responses(
        (status = 201, description = "Created; hand the temporary password to the user now", body = UserWithPassword),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The username or the id is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, a unit outside the caller's subtree, or a reused Idempotency-Key", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("")]
pub async fn create_user(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    key: IdempotencyKey,
    body: Json<NewUser>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let body = body.into_valid()?;
    user_role(body.role, "role")?;
    let hash = idempotency::fingerprint(&req, &body);
    let mut conn = state.pool.get().await?;
    crate::units::queries::in_scope(&mut conn, &caller, Some(body.unit_id), "unit_id").await?;
    let temporary = queries::temporary_password();
    let row = NewUserRow {
        id: body.id.unwrap_or_else(Uuid::now_v7),
        username: body.username.trim().to_lowercase(),
        display_name: body.display_name.map(|d| d.trim().to_string()),
        unit_id: body.unit_id,
        role: body.role.as_str().into(),
        case_role: body.case_role.map(|r| r.as_str().into()),
        password_hash: password::hash(Secret::new(temporary.clone())).await?,
        must_change_password: true,
        created_by: (caller.id, caller.name.clone()),
    };
    // What is stored for replays never holds the password: a replay answers `null`.
    let mut stored = write::create_stored(&mut conn, &caller, &key, &hash, row, write::nothing()).await?;
    stored.body["temporary_password"] = match stored.replayed {
        true => serde_json::Value::Null,
        false => serde_json::Value::String(temporary),
    };
    Ok(stored.respond())
}

/// Change an account (admins; needs `If-Match`): display name, unit, role, or switch it off.
///
/// A new unit or role, or deactivation, makes the user's tokens stop working within seconds on
/// every instance. An admin cannot move an account outside its own subtree, nor take away its
/// own admin rights when it is the last active admin of its unit (409).
#[utoipa::path(
    tag = "users",
    operation_id = "update_user",
    params(
        ("id" = Uuid, Path, description = "User id"),
        ("If-Match" = String, Header, description = "The ETag from the last read, e.g. \"3\""),
    ),
    request_body = UserPatch,
    responses(
        (status = 200, description = "Updated", body = User, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user in the caller's subtree", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It would leave the caller's unit without an active admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or a unit outside the caller's subtree", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[patch("/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UserPatch>,
) -> ApiResult<HttpResponse> {
    let body = body.into_valid()?;
    if let Some(role) = body.role {
        user_role(role, "role")?;
    }
    let mut conn = state.pool.get().await?;
    let current = managed_user(&mut conn, &caller, *id).await?;
    if let Some(unit) = body.unit_id {
        crate::units::queries::in_scope(&mut conn, &caller, Some(unit), "unit_id").await?;
    }
    // Does the change take the caller's own admin rights away?
    let self_demoted = current.id == caller.id
        && (body.active == Some(false)
            || body.role.is_some_and(|r| r != Role::Admin)
            || body.unit_id.is_some_and(|u| u != current.unit_id));
    let changes = UserChanges {
        display_name: body.display_name.map(|d| d.map(|d| d.trim().to_string())),
        unit_id: body.unit_id,
        role: body.role.map(|r| r.as_str().to_string()),
        case_role: body.case_role.map(|r| r.map(|r| r.as_str().to_string())),
        active: body.active,
        ..Default::default()
    };
    let (id, version, unit_id) = (current.id, current.version, current.unit_id);
    let actor = (caller.id, caller.name.clone());
    let apply = write::apply(move |conn| {
        Box::pin(async move {
            crate::db::act_as(conn, actor.0, &actor.1).await?;
            if self_demoted && !queries::another_admin(conn, unit_id, id).await? {
                return Err(ApiError::conflict(
                    "You are the last active admin of your unit: make another admin first",
                    "Bạn là quản trị viên cuối cùng còn hoạt động của đơn vị: hãy chỉ định quản trị viên khác trước",
                ));
            }
            Ok(queries::update(conn, id, version, &changes).await?)
        })
    });
    Ok(write::update(&mut conn, &caller, current, &if_match, "update", apply)
        .await?
        .respond())
}

/// Reset an account's password (admins; needs `If-Match`): a new temporary password, shown once,
/// to be changed at the next sign-in. The user's tokens stop working within seconds; its
/// two-factor sign-in stays on.
#[utoipa::path(
    tag = "users",
    operation_id = "reset_user_password",
    params(
        ("id" = Uuid, Path, description = "User id"),
        ("If-Match" = String, Header, description = "The ETag from the last read, e.g. \"3\""),
    ),
    responses(
        (status = 200, description = "The user and its temporary password", body = UserWithPassword, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user in the caller's subtree", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The caller's own account (change it at POST /auth/password)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/{id}/password-reset")]
pub async fn reset_password(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let current = managed_user(&mut conn, &caller, *id).await?;
    if current.id == caller.id {
        return Err(ApiError::conflict(
            "Change your own password at POST /api/v1/auth/password",
            "Hãy đổi mật khẩu của chính bạn tại POST /api/v1/auth/password",
        ));
    }
    let temporary = queries::temporary_password();
    let changes = UserChanges {
        password_hash: Some(password::hash(Secret::new(temporary.clone())).await?),
        must_change_password: Some(true),
        ..Default::default()
    };
    let (id, version) = (current.id, current.version);
    let actor = (caller.id, caller.name.clone());
    let apply = write::apply(move |conn| {
        Box::pin(async move {
            crate::db::act_as(conn, actor.0, &actor.1).await?;
            Ok(queries::update(conn, id, version, &changes).await?)
        })
    });
    let saved = write::update(&mut conn, &caller, current, &if_match, "reset_password", apply).await?;
    Ok(etag_response(
        StatusCode::OK,
        saved.version,
        &UserWithPassword {
            user: saved.value,
            temporary_password: Some(temporary),
        },
    ))
}
