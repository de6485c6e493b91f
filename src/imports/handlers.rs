//! `/api/v1/imports`: templates to download, files to import (a dry run or a commit), reports.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use rust_xlsxwriter::Workbook;
use sha2::Digest;
use uuid::Uuid;

use super::api::{Atomicity, Import, ImportMode, ImportQuery, ImportResource, TemplatePath, TemplateQuery};
use super::columns::{self, Kind};
use super::model::NewImport;
use super::{queries, run, sheet};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Lang, Problem};
use crate::http::export::{ExportFormat, Styles, Value};
use crate::http::idempotency::IdempotencyKey;
use crate::http::list::Page;
use crate::http::JsonBody;
use crate::state::AppState;

fn xlsx_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("template: {e}"))
}

/// The example cell of a column: a code's Vietnamese label.
fn example(c: &columns::Col) -> String {
    match c.kind {
        Kind::Codes(_) | Kind::Code(_) if !c.example.is_empty() => crate::labels::label(c.example, Lang::Vi),
        _ => c.example.to_string(),
    }
}

/// Download the template for a resource: Vietnamese headers and an example row on the data sheet;
/// with XLSX, the allowed codes with their labels on a second sheet and (trainings and events)
/// participant lists on a sheet of their own, keyed by the data sheet's row number.
#[utoipa::path(
    tag = "imports",
    operation_id = "import_template",
    params(TemplatePath, TemplateQuery),
    responses(
        (status = 200, description = "The template", content(
            (crate::http::export::Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (crate::http::export::Binary = "text/csv"),
        ), headers(("Content-Disposition" = String, description = "attachment; filename=\"mau-nhap-trainings.xlsx\" (or .csv)"))),
        (status = 403, description = "Partners do not import", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/templates/{resource}")]
pub async fn import_template(
    caller: Caller,
    path: web::Path<TemplatePath>,
    q: crate::http::Query<TemplateQuery>,
) -> ApiResult<HttpResponse> {
    caller.require_not_partner()?;
    let resource = path.resource;
    let cols = columns::template(resource);
    let titles: Vec<&str> = cols.iter().map(|c| c.vi).collect();
    let examples: Vec<Value> = cols.iter().map(|c| Value::Text(example(c))).collect();
    let name = format!("mau-nhap-{}", resource.as_str());
    if q.format == Some(ExportFormat::Csv) {
        let mut body = "\u{feff}".as_bytes().to_vec();
        body.extend(crate::http::export::csv_rows(
            Lang::Vi,
            [titles.iter().map(|t| Value::Text(t.to_string())).collect(), examples],
        ));
        return Ok(HttpResponse::Ok()
            .content_type(crate::http::export::CSV)
            .insert_header(crate::http::export::disposition(&name, "csv"))
            .body(body));
    }
    let styles = Styles::new();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet::DATA_SHEET.0).map_err(xlsx_error)?;
    styles.header(ws, 0, &titles).map_err(xlsx_error)?;
    styles.write(ws, 1, &examples, Lang::Vi).map_err(xlsx_error)?;
    let ws = wb.add_worksheet();
    ws.set_name(sheet::CODE_SHEET.0).map_err(xlsx_error)?;
    styles
        .header(ws, 0, &["Cột", "Mã", "Nhãn (tiếng Việt)", "Label (English)"])
        .map_err(xlsx_error)?;
    let mut row = 1;
    let coded = cols
        .iter()
        .chain(match resource {
            ImportResource::UnitFigures => &[][..],
            _ => columns::PARTICIPANT_COLS,
        })
        .filter_map(|c| match c.kind {
            Kind::Codes(list) | Kind::Code(list) => Some((c.vi, list())),
            _ => None,
        });
    for (column, codes) in coded {
        for code in codes {
            let cells = [
                Value::Text(column.into()),
                Value::Text(code.into()),
                Value::Text(crate::labels::label(code, Lang::Vi)),
                Value::Text(crate::labels::label(code, Lang::En)),
            ];
            styles.write(ws, row, &cells, Lang::Vi).map_err(xlsx_error)?;
            row += 1;
        }
    }
    if resource != ImportResource::UnitFigures {
        let ws = wb.add_worksheet();
        ws.set_name(sheet::PARTICIPANT_SHEET.0).map_err(xlsx_error)?;
        let p: Vec<&str> = columns::PARTICIPANT_COLS.iter().map(|c| c.vi).collect();
        styles.header(ws, 0, &p).map_err(xlsx_error)?;
        let ex: Vec<Value> = columns::PARTICIPANT_COLS
            .iter()
            .map(|c| Value::Text(example(c)))
            .collect();
        styles.write(ws, 1, &ex, Lang::Vi).map_err(xlsx_error)?;
    }
    crate::http::export::xlsx_response(wb, &name).await
}

/// Import a CSV or XLSX file of trainings or outreach events (`multipart/form-data`, field
/// `file`), as a dry run (`mode=validate`, the default: every row goes through the write path's
/// checks, then nothing is kept) or for real (`mode=commit`), all or nothing (`atomic=all`, the
/// default) or row by row (`atomic=row`).
///
/// Rows with an `id` (an exported list, edited) update that record at the `version` they
/// carry: one changed since is a conflict, not overwritten; an unchanged row is skipped; a row
/// without participants keeps the record's list. Units are named by id or by official code as
/// valid on the row's start date. Up to 200 rows are processed while you wait (201); a larger
/// file is queued (202): follow `GET /imports/{id}`. The same file with the same
/// `Idempotency-Key` and mode is never imported twice (200, the import it made).
#[utoipa::path(
    tag = "imports",
    operation_id = "create_import",
    params(
        ImportQuery,
        ("Idempotency-Key" = Option<String>, Header, description = "The same key, file and mode answer the import made the first time"),
    ),
    request_body(content = Vec<u8>, content_type = "multipart/form-data", description = "A form with one file field named `file` (at most 5 MiB, 5,000 rows)"),
    responses(
        (status = 200, description = "The import this key made before", body = Import),
        (status = 201, description = "Processed: the report", body = Import, headers(("Location" = String, description = "The import"))),
        (status = 202, description = "Queued for the background worker", body = Import, headers(("Location" = String, description = "The import, to follow"))),
        (status = 400, description = "A malformed upload", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Partners do not import", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than 5 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not multipart/form-data", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No file, an unreadable file, no known column, more than 5,000 rows, or a reused Idempotency-Key", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("")]
pub async fn create_import(
    state: web::Data<AppState>,
    caller: Caller,
    q: crate::http::Query<ImportQuery>,
    key: IdempotencyKey,
    payload: Multipart,
) -> ApiResult<HttpResponse> {
    caller.require_not_partner()?;
    let lang = Lang::current();
    let (file_name, content) = crate::http::upload::read_file(payload, state.settings.body_timeout, run::MAX_BYTES)
        .await
        .map_err(|e| match e {
            ApiError::Rule(_) => ApiError::PayloadTooLarge,
            other => other,
        })?;
    let sha = hex::encode(sha2::Sha256::digest(&content));
    let mode = q.mode.unwrap_or(ImportMode::Validate);
    let atomic = q.atomic.unwrap_or(Atomicity::All);
    let mut conn = state.pool.get().await?;
    if let Some(k) = &key.0 {
        if let Some(before) = queries::by_key(&mut conn, caller.id, k, mode.as_str()).await? {
            return replay(before, &sha, q.resource, atomic);
        }
    }
    let book = sheet::read(&content).map_err(|t| ApiError::field("file", "unreadable", t.en, t.vi))?;
    let cols = columns::recognised(q.resource);
    if !columns::map_headers(&book.data.headers, &cols)
        .iter()
        .any(|c| c.is_some())
    {
        return Err(ApiError::field(
            "file",
            "no_columns",
            format!("the first row names no column of the {} template", q.resource.as_str()),
            format!("dòng đầu không có cột nào của mẫu {}", q.resource.as_str()),
        ));
    }
    let rows = book.data.rows.len();
    if rows > run::MAX_ROWS {
        return Err(ApiError::field(
            "file",
            "too_many_rows",
            format!("has {rows} rows; at most {} may be imported at once", run::MAX_ROWS),
            format!("có {rows} dòng; mỗi lần nhập tối đa {} dòng", run::MAX_ROWS),
        ));
    }
    let unit = crate::units::queries::find(&mut conn, caller.unit_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let inline = rows <= run::INLINE_ROWS;
    let job = NewImport {
        id: Uuid::now_v7(),
        principal_id: caller.id,
        caller: run::snapshot(&caller),
        unit_id: unit.id,
        unit_path: unit.path,
        resource: q.resource.as_str().into(),
        mode: mode.as_str().into(),
        atomic: atomic.as_str().into(),
        lang: if lang == Lang::Vi { "vi" } else { "en" }.into(),
        file_name,
        file_format: sheet::format_of(&content).into(),
        file_sha256: sha.clone(),
        content: Some(content),
        idempotency_key: key.0.clone(),
        // Processed now, under a lease like a worker's: if this instance dies meanwhile, a
        // worker takes the job over.
        status: if inline { "running" } else { "queued" }.into(),
        rows_total: rows as i32,
    };
    let Some(row) = queries::insert(&mut conn, &job).await? else {
        // The same key won a race meanwhile.
        let k = key.0.as_deref().unwrap_or_default();
        let before = queries::by_key(&mut conn, caller.id, k, mode.as_str())
            .await?
            .ok_or(ApiError::NotFound)?;
        return replay(before, &sha, q.resource, atomic);
    };
    let location = format!("/api/v1/imports/{}", row.id);
    if !inline {
        return Ok(HttpResponse::Accepted()
            .insert_header(("location", location))
            .json_body(&Import::from(row)));
    }
    queries::lease(&mut conn, row.id, run::LEASE_SECONDS).await?;
    drop(conn);
    let content = job.content.unwrap_or_default();
    let done = run::run_job(&state.pool, row, content).await?;
    Ok(HttpResponse::Created()
        .insert_header(("location", location))
        .json_body(&Import::from(done)))
}

/// The import a key made before, when this request is the same (file, resource, atomicity).
fn replay(
    before: super::model::ImportRow,
    sha: &str,
    resource: ImportResource,
    atomic: Atomicity,
) -> ApiResult<HttpResponse> {
    if before.file_sha256 != sha || before.resource != resource.as_str() || before.atomic != atomic.as_str() {
        return Err(ApiError::field(
            "Idempotency-Key",
            "reused",
            "this key was already used for a different file",
            "khóa này đã được dùng cho một tệp khác",
        ));
    }
    Ok(HttpResponse::build(StatusCode::OK)
        .insert_header(("idempotent-replayed", "true"))
        .json_body(&Import::from(before)))
}

/// The caller's imports, newest first (the last 50).
#[utoipa::path(
    tag = "imports",
    operation_id = "list_imports",
    responses(
        (status = 200, description = "The caller's imports", body = Page<Import>),
        (status = 403, description = "Partners do not import", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("")]
pub async fn list_imports(state: web::Data<AppState>, caller: Caller) -> ApiResult<web::Json<Page<Import>>> {
    caller.require_not_partner()?;
    let mut conn = state.pool.get().await?;
    let rows = queries::of_principal(&mut conn, caller.id, 50).await?;
    Ok(web::Json(Page {
        data: rows.into_iter().map(Import::from).collect(),
        next_cursor: None,
    }))
}

/// An import and its report: status and progress, the counts, and every failing row's number,
/// column and message (in the language of the request that sent the file). Its sender reads
/// it, and the admins over the sender's unit.
#[utoipa::path(
    tag = "imports",
    operation_id = "get_import",
    params(("id" = Uuid, Path, description = "Import id")),
    responses(
        (status = 200, description = "The import", body = Import),
        (status = 404, description = "No such import of the caller's", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/{id}")]
pub async fn get_import(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<Import>> {
    let mut conn = state.pool.get().await?;
    let row = queries::find(&mut conn, *id).await?.ok_or(ApiError::NotFound)?;
    let admin_over = caller.require_admin_over(&row.unit_path).is_ok() && caller.sees(&row.unit_path);
    if row.principal_id != caller.id && !admin_over {
        return Err(ApiError::NotFound);
    }
    Ok(web::Json(Import::from(row)))
}
