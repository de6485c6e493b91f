//! Processing an import: every row through the API's own create or update, inside one
//! transaction (each row in a savepoint of its own), kept or rolled back as the mode and the
//! atomicity say; and the worker that runs large files in the background.

use std::collections::HashMap;
use std::time::Duration;

use diesel_async::AsyncConnection;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::api::{Atomicity, ImportMode, ImportResource, RowError};
use super::columns::{self, Parsed, UnitRef};
use super::model::{ImportRow, Report};
use super::queries;
use super::sheet::Book;
use crate::auth::Caller;
use crate::db::{Conn, Pool};
use crate::error::{ApiError, Lang, Text};
use crate::http::{IdempotencyKey, IfMatch};

/// The largest file and the most rows one import takes.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
pub const MAX_ROWS: usize = 5_000;
/// Up to this many rows an import is processed while the request waits; more go to the
/// background worker.
pub const INLINE_ROWS: usize = 200;
/// How long a worker holds a job between progress reports, and how often a job may be taken
/// again after its worker died.
pub const LEASE_SECONDS: f64 = 60.0;
pub const MAX_ATTEMPTS: i32 = 3;
/// Progress is reported every this many rows.
const PROGRESS_EVERY: usize = 50;

/// What one row came to.
enum Outcome {
    Created,
    Updated,
    Skipped,
}

/// How a transaction ends: kept (`Ok`), rolled back with its report, or broken.
enum End {
    RolledBack(Report),
    Broken(ApiError),
}

impl From<diesel::result::Error> for End {
    fn from(e: diesel::result::Error) -> Self {
        End::Broken(e.into())
    }
}

impl From<ApiError> for End {
    fn from(e: ApiError) -> Self {
        End::Broken(e)
    }
}

/// The row errors an API error stands for: one per field (under its column), or the row's.
/// (The caller puts each under its column.)
fn row_errors(e: &ApiError, row: u32, lang: Lang) -> Vec<RowError> {
    let problem = e.to_problem();
    let code = |e: &ApiError| match e {
        ApiError::PreconditionFailed { .. } => "conflict".to_string(),
        _ => problem.type_.rsplit('/').next().unwrap_or("invalid").to_string(),
    };
    match problem.errors {
        Some(errors) if !errors.is_empty() => errors
            .into_iter()
            .map(|f| RowError {
                row,
                column: None,
                field: Some(f.field),
                code: f.code,
                message: f.message,
            })
            .collect(),
        _ => {
            let message = match e {
                ApiError::PreconditionFailed { .. } => Text::new(
                    "the record changed after it was exported: export it again and redo the change",
                    "bản ghi đã thay đổi sau khi xuất: hãy xuất lại rồi sửa lại",
                )
                .get(lang)
                .to_string(),
                ApiError::NotFound => Text::new(
                    "no such record in your scope",
                    "không có bản ghi này trong phạm vi của bạn",
                )
                .get(lang)
                .to_string(),
                ApiError::Internal(err) => {
                    tracing::error!(error = %err, "import row failed");
                    problem.title
                }
                _ => problem.detail,
            };
            vec![RowError {
                row,
                column: None,
                field: None,
                code: code(e),
                message,
            }]
        }
    }
}

/// The unit a row names, as an id for its body: an id in the caller's scope, or an official code
/// valid on the row's start date in the caller's scope (422 when two units have it then).
async fn resolve_unit(conn: &mut Conn, caller: &Caller, p: &Parsed, lang: Lang) -> Result<Option<Uuid>, RowError> {
    let Some((unit, header)) = &p.unit else { return Ok(None) };
    let code = match unit {
        UnitRef::Id(id) => return Ok(Some(*id)),
        UnitRef::Code(c) => c.clone(),
    };
    // A record's start date; a year's figures, the year.
    let year = p.body.get("year").and_then(Value::as_i64).map(|y| y as i32);
    let day = p
        .body
        .get("starts_on")
        .and_then(Value::as_str)
        .and_then(|d| d.parse().ok())
        .unwrap_or_else(crate::calendar::today);
    let during = match year
        .and_then(|y| chrono::NaiveDate::from_ymd_opt(y, 1, 1).zip(chrono::NaiveDate::from_ymd_opt(y, 12, 31)))
    {
        Some(year) => year,
        None => (day, day),
    };
    let when = match year {
        Some(y) => y.to_string(),
        None => day.to_string(),
    };
    let fail = |code: &str, t: Text| columns::error(p.row, Some(header), Some("unit_id"), code, t, lang);
    // A code typed as a number loses its leading zeros: try it padded to a commune's, a
    // district's and a province's length.
    let mut tries = vec![code.clone()];
    if code.chars().all(|c| c.is_ascii_digit()) {
        for width in [5, 3, 2] {
            if code.len() < width {
                tries.push(format!("{code:0>width$}"));
            }
        }
    }
    for code in tries {
        let found: Vec<_> = crate::units::queries::with_code_between(conn, &code, during)
            .await
            .map_err(|_| {
                fail(
                    "invalid",
                    Text::new("the unit could not be looked up", "không tra được đơn vị"),
                )
            })?
            .into_iter()
            .filter(|u| caller.sees(&u.path))
            .collect();
        match found.len() {
            0 => continue,
            1 => return Ok(Some(found[0].id)),
            n => {
                return Err(fail(
                    "ambiguous",
                    Text::new(
                        format!("{n} units had code {code} in {when}: give the unit's id"),
                        format!("{n} đơn vị có mã {code} vào {when}: hãy ghi mã định danh của đơn vị"),
                    ),
                ))
            }
        }
    }
    Err(fail(
        "unknown",
        Text::new(
            format!("no unit in your scope had code {code} in {when}"),
            format!("không có đơn vị nào trong phạm vi của bạn mang mã {code} vào {when}"),
        ),
    ))
}

fn parse_body<T: serde::de::DeserializeOwned + validator::Validate>(body: &Map<String, Value>) -> Result<T, ApiError> {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let value: T = crate::http::json::parse(&bytes)?;
    value.validate()?;
    Ok(value)
}

/// The fields of `row` that differ from the record as it is (`current`, its API form): what an
/// update must send. Counts compare by sex; a participant list sent is always sent.
fn changed(row: &Map<String, Value>, current: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    for (k, v) in row {
        let now = &current[k];
        let same = match k.as_str() {
            "participant_list" => false,
            "participants" => ["female", "male", "other"].iter().all(|s| v[s] == now[s]),
            "topics" | "audiences" => {
                let set = |v: &Value| {
                    let mut s: Vec<String> = v
                        .as_array()
                        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
                        .unwrap_or_default();
                    s.sort();
                    s
                };
                set(v) == set(now)
            }
            // An empty cell and an absent value are the same.
            _ => v == now || (v.as_str() == Some("") && now.is_null()),
        };
        if !same {
            out.insert(k.clone(), v.clone());
        }
    }
    out
}

/// One row through the API's write path, inside the caller's savepoint.
async fn apply(
    conn: &mut Conn,
    caller: &Caller,
    resource: ImportResource,
    mut p: Parsed,
    lang: Lang,
) -> Result<Outcome, Vec<RowError>> {
    let row = p.row;
    let unit = resolve_unit(conn, caller, &p, lang).await.map_err(|e| vec![e])?;
    let trainings = match resource {
        ImportResource::UnitFigures => {
            return figures(conn, caller, unit, p)
                .await
                .map_err(|e| row_errors(&e, row, lang));
        }
        ImportResource::Trainings => true,
        ImportResource::OutreachEvents => false,
    };
    let result: Result<Outcome, ApiError> = async {
        match p.id {
            None => {
                if let Some(u) = unit {
                    p.body.insert("unit_id".into(), Value::String(u.to_string()));
                }
                let (key, hash) = (IdempotencyKey(None), Vec::new());
                match trainings {
                    true => {
                        let body = parse_body(&p.body)?;
                        crate::trainings::api::create(conn, caller, &key, &hash, body).await?;
                    }
                    false => {
                        let body = parse_body(&p.body)?;
                        crate::outreach::api::create(conn, caller, &key, &hash, body).await?;
                    }
                }
                Ok(Outcome::Created)
            }
            Some(id) => {
                let current = match trainings {
                    true => {
                        let r: crate::trainings::model::TrainingRow =
                            crate::records::visible(conn, caller, id, crate::trainings::api::partner_may_see).await?;
                        serde_json::to_value(crate::trainings::api::Training::from(r)).unwrap_or_default()
                    }
                    false => {
                        let r: crate::outreach::model::EventRow =
                            crate::records::visible(conn, caller, id, crate::outreach::api::partner_may_see).await?;
                        serde_json::to_value(crate::outreach::api::OutreachEvent::from(r)).unwrap_or_default()
                    }
                };
                let Some(version) = p.version else {
                    return Err(ApiError::field(
                        "version",
                        "required",
                        "a row with an id needs the version it was exported at",
                        "dòng có mã định danh cần số phiên bản lúc xuất",
                    ));
                };
                if unit.is_some_and(|u| current["unit_id"] != Value::String(u.to_string())) {
                    return Err(ApiError::field(
                        "unit_id",
                        "immutable",
                        "a record's unit cannot change: delete it and record it in the other unit",
                        "không đổi được đơn vị của bản ghi: hãy xóa và ghi lại ở đơn vị kia",
                    ));
                }
                if current["version"].as_i64() != Some(version) {
                    return Err(ApiError::PreconditionFailed { current: Value::Null });
                }
                let patch = changed(&p.body, &current);
                if patch.is_empty() {
                    return Ok(Outcome::Skipped);
                }
                let if_match = IfMatch(Some(version));
                match trainings {
                    true => {
                        let body = parse_body(&patch)?;
                        crate::trainings::api::update(conn, caller, id, &if_match, body).await?;
                    }
                    false => {
                        let body = parse_body(&patch)?;
                        crate::outreach::api::update(conn, caller, id, &if_match, body).await?;
                    }
                }
                Ok(Outcome::Updated)
            }
        }
    }
    .await;
    result.map_err(|e| row_errors(&e, row, lang))
}

/// A unit's figures for a year (the row's unit, else the caller's): created when the year has
/// none; when it has, replaced at the version the row names, skipped when they are the same.
async fn figures(conn: &mut Conn, caller: &Caller, unit: Option<Uuid>, mut p: Parsed) -> Result<Outcome, ApiError> {
    let Some(year) = p.body.remove("year").and_then(|y| y.as_i64()) else {
        return Err(ApiError::field("year", "required", "the year is missing", "thiếu năm"));
    };
    let year = i32::try_from(year).unwrap_or(0);
    let unit = crate::units::queries::in_scope(conn, caller, unit, "unit_id").await?;
    let body: crate::units::api::FiguresInput = parse_body(&p.body)?;
    let current = crate::units::queries::figures_of_year(conn, unit.id, year).await?;
    let outcome = match &current {
        None => Outcome::Created,
        Some(c)
            if (c.ge_officials, c.gbv_victims_detected, c.gbv_victims_supported)
                == (body.ge_officials, body.gbv_victims_detected, body.gbv_victims_supported) =>
        {
            return Ok(Outcome::Skipped)
        }
        Some(_) if p.version.is_none() => {
            return Err(ApiError::field(
                "version",
                "required",
                "this unit's figures for the year exist: name their version to replace them",
                "số liệu năm này của đơn vị đã có: hãy ghi số phiên bản để thay thế",
            ))
        }
        Some(_) => Outcome::Updated,
    };
    let if_match = current.map(|_| IfMatch(p.version));
    crate::units::figures::put(conn, caller, unit.id, year, body, if_match).await?;
    Ok(outcome)
}

/// Runs the file's rows as `caller`: parsed, applied (each in a savepoint), then kept or rolled
/// back. `progress` hears how many rows are done, every [`PROGRESS_EVERY`].
pub async fn process(
    conn: &mut Conn,
    caller: &Caller,
    job: &ImportRow,
    book: Book,
    lang: Lang,
    mut progress: impl FnMut(usize) -> futures_util::future::BoxFuture<'static, ()> + Send,
) -> Result<Report, ApiError> {
    let resource = ImportResource::parse(&job.resource).unwrap_or(ImportResource::Trainings);
    let commit = job.mode == ImportMode::Commit.as_str();
    let all_or_nothing = job.atomic == Atomicity::All.as_str();
    let cols = columns::recognised(resource);
    let headers = book.data.headers.clone();
    let map = columns::map_headers(&headers, &cols);
    let mut report = Report {
        rows_total: book.data.rows.len() as i32,
        ..Default::default()
    };
    let (mut lists, list_errors) = match &book.participants {
        Some(t) => columns::participants(t, lang),
        None => (HashMap::new(), Vec::new()),
    };
    report.errors.extend(list_errors);
    let rows = book.data.rows;
    let outcome = conn
        .transaction::<Report, End, _>(async |conn| {
            for (i, (n, cells)) in rows.into_iter().enumerate() {
                if i > 0 && i % PROGRESS_EVERY == 0 {
                    progress(i).await;
                }
                let mut p = columns::parse_row(n, &cells, &headers, &map, lang);
                if let Some(list) = lists.remove(&n) {
                    p.body.insert("participant_list".into(), Value::Array(list));
                }
                if !p.errors.is_empty() {
                    report.failed += 1;
                    report.errors.append(&mut p.errors);
                    continue;
                }
                let applied = conn
                    .transaction::<Outcome, RowFailure, _>(async |conn| {
                        apply(conn, caller, resource, p, lang).await.map_err(RowFailure::Row)
                    })
                    .await;
                match applied {
                    Ok(Outcome::Created) => report.created += 1,
                    Ok(Outcome::Updated) => report.updated += 1,
                    Ok(Outcome::Skipped) => report.skipped += 1,
                    Err(RowFailure::Row(errors)) => {
                        report.failed += 1;
                        report.errors.extend(errors.into_iter().map(|mut e| {
                            if e.column.is_none() {
                                if let Some(f) = &e.field {
                                    e.column = columns::column_of(f, &headers, &map);
                                }
                            }
                            e
                        }));
                    }
                    Err(RowFailure::Db(e)) => return Err(End::Broken(e.into())),
                }
            }
            // Participant lists naming a row that is not there.
            for (n, _) in lists.drain() {
                report.errors.push(columns::error(
                    n,
                    Some(super::sheet::PARTICIPANT_SHEET.0),
                    None,
                    "unknown_row",
                    Text::new(
                        format!("participants are listed for row {n}, which the data sheet does not have"),
                        format!("có người tham dự ghi cho dòng {n}, nhưng trang dữ liệu không có dòng này"),
                    ),
                    lang,
                ));
                report.failed += 1;
            }
            let keep = commit && !(all_or_nothing && report.failed > 0);
            report.committed = keep;
            if keep {
                Ok(report.clone())
            } else {
                Err(End::RolledBack(report.clone()))
            }
        })
        .await;
    match outcome {
        Ok(r) | Err(End::RolledBack(r)) => Ok(r),
        Err(End::Broken(e)) => Err(e),
    }
}

/// A row's savepoint ends with its errors, or the database broke.
enum RowFailure {
    Row(Vec<RowError>),
    Db(diesel::result::Error),
}

impl From<diesel::result::Error> for RowFailure {
    fn from(e: diesel::result::Error) -> Self {
        RowFailure::Db(e)
    }
}

/// What a job keeps of the caller that sent it.
pub fn snapshot(c: &Caller) -> Value {
    serde_json::json!({
        "id": c.id, "name": c.name, "unit_id": c.unit_id, "scopes": c.scopes,
        "role": c.role.as_str(), "epoch": c.epoch,
    })
}

/// The caller a job runs as: the one that sent it, unless its account was switched off or its
/// tokens revoked since (a new role, unit or password: the job then runs nothing).
pub async fn caller_of(conn: &mut Conn, job: &ImportRow) -> Result<Caller, ApiError> {
    let s = &job.caller;
    let revoked = || {
        ApiError::rule(
            "the account that sent the file changed or was switched off since",
            "tài khoản gửi tệp đã thay đổi hoặc bị khóa",
        )
    };
    let caller = Caller {
        kind: crate::auth::PrincipalKind::User,
        id: job.principal_id,
        name: s["name"].as_str().unwrap_or_default().to_string(),
        unit_id: s["unit_id"].as_str().and_then(|u| u.parse().ok()).ok_or_else(revoked)?,
        scopes: serde_json::from_value(s["scopes"].clone()).map_err(|_| revoked())?,
        role: s["role"]
            .as_str()
            .and_then(crate::auth::Role::parse)
            .ok_or_else(revoked)?,
        epoch: s["epoch"].as_i64().unwrap_or(0),
        restriction: None,
    };
    match crate::auth::revocation::epoch_of(conn, caller.id).await? {
        Some((epoch, true)) if epoch <= caller.epoch => Ok(caller),
        Some(_) => Err(revoked()),
        // No account row: a caller the test harness made (every real user has one).
        None => Ok(caller),
    }
}

/// Runs a claimed job to its end (completed, or failed with why), reporting progress on a
/// connection of its own.
pub async fn run_job(pool: &Pool, job: ImportRow, content: Vec<u8>) -> Result<ImportRow, ApiError> {
    let lang = if job.lang == "vi" { Lang::Vi } else { Lang::En };
    let context = crate::error::RequestContext {
        lang,
        request_id: format!("import-{}", job.id),
    };
    let id = job.id;
    crate::error::REQUEST_CONTEXT
        .scope(context, async move {
            let mut conn = pool.get().await?;
            let ready = match super::sheet::read(&content) {
                Ok(book) => caller_of(&mut conn, &job)
                    .await
                    .map(|c| (book, c))
                    .map_err(|e| e.to_problem().detail),
                Err(t) => Err(t.get(lang).to_string()),
            };
            let (book, caller) = match ready {
                Ok(r) => r,
                Err(why) => {
                    queries::fail(&mut conn, id, &why).await?;
                    return queries::find(&mut conn, id).await?.ok_or(ApiError::NotFound);
                }
            };
            let progress_pool = pool.clone();
            let progress = move |done: usize| -> futures_util::future::BoxFuture<'static, ()> {
                let pool = progress_pool.clone();
                Box::pin(async move {
                    if let Ok(mut c) = pool.get().await {
                        let _ = queries::progress(&mut c, id, done as i32, LEASE_SECONDS).await;
                    }
                })
            };
            let report = process(&mut conn, &caller, &job, book, lang, progress).await?;
            Ok(queries::finish(&mut conn, id, &report).await?)
        })
        .await
}

/// One round of the worker: takes a job if one waits and runs it. True when it ran one.
pub async fn tick(pool: &Pool) -> Result<bool, ApiError> {
    let claimed = {
        let mut conn = pool.get().await?;
        queries::claim(&mut conn, LEASE_SECONDS, MAX_ATTEMPTS).await?
    };
    let Some(job) = claimed else { return Ok(false) };
    let id = job.row.id;
    if let Err(e) = run_job(pool, job.row, job.content).await {
        tracing::error!(import = %id, error = %e, "import failed");
        let mut conn = pool.get().await?;
        queries::fail(&mut conn, id, "the import stopped on an internal error").await?;
    }
    Ok(true)
}

/// Runs the import worker until the process ends.
pub async fn run(pool: Pool, poll: Duration) {
    loop {
        match tick(&pool).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "import worker round failed"),
        }
        tokio::time::sleep(poll).await;
    }
}
