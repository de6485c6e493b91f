//! Exports: a list's or report's data as CSV or XLSX, from operations of their own
//! (`GET /api/v1/trainings/export?format=csv|xlsx`), chosen by `format=` or the `Accept` header;
//! the list operations themselves answer JSON only.
//!
//! Lists are exported page by page (keyset pages of [`EXPORT_PAGE`] rows, each read with its own
//! short database checkout), so a large export holds one page in memory: CSV is streamed to the
//! client as pages arrive; XLSX rows go to a constant-memory worksheet on disk and the finished
//! file is streamed from there. Rows are in the list's sort order; a row changed while an export
//! runs appears as it was when its page was read.

use std::future::Future;
use std::io::{Seek, SeekFrom};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::stream::{self, StreamExt};
use rust_xlsxwriter::{Format as XlsxFormat, Workbook, Worksheet, XlsxError};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ApiResult, Lang};
use std::rc::Rc;

use diesel_async::AsyncPgConnection;
use futures_util::future::BoxFuture;

use crate::db::Pool;
use crate::http::list::{paginate, Cursor, Keyed, Page, Sort, SubtreeFilter};
use crate::http::JsonBody;

pub const CSV: &str = "text/csv; charset=utf-8";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// Rows read per database round trip while exporting a list.
pub const EXPORT_PAGE: i64 = 500;
/// What a suppressed cell shows in CSV and XLSX (JSON has `null`).
pub const SUPPRESSED: &str = "<5";

/// What a list or report answers in: JSON (the list and report operations) or a file (their
/// `/export` operations).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Xlsx,
}

/// The file an export operation writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

/// `format` of an export operation, when the `Accept` header does not say.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `csv` (the default) or `xlsx`; overrides `Accept` (`text/csv`, or
    /// `application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`).
    pub format: Option<ExportFormat>,
}

impl ExportQuery {
    /// `format=` first, then the `Accept` header, then CSV.
    pub fn negotiate(&self, req: &HttpRequest) -> Format {
        let accept = req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        match self.format {
            Some(ExportFormat::Csv) => Format::Csv,
            Some(ExportFormat::Xlsx) => Format::Xlsx,
            None if accept.contains(XLSX) => Format::Xlsx,
            None => Format::Csv,
        }
    }
}

/// The sort of an export (it has no pages, so no `limit` or `cursor`).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SortQuery {
    /// Sort field, `-` prefix for descending; the same fields as the list's.
    pub sort: Option<String>,
}

impl SortQuery {
    /// The whole list from its first row, as one "page" query.
    pub fn into_page(self) -> crate::http::PageQuery {
        crate::http::PageQuery {
            limit: None,
            cursor: None,
            sort: self.sort,
        }
    }
}

/// A file's bytes in the OpenAPI document: `type: string, format: binary`, so that generators
/// hand clients bytes (a `Blob`, `File` or `ArrayBuffer`), never a string or a list of numbers.
pub struct Binary;

impl utoipa::PartialSchema for Binary {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .description(Some("The file's bytes"))
            .into()
    }
}

impl ToSchema for Binary {}

/// A cell of an export.
#[derive(Clone, Debug)]
pub enum Value {
    Text(String),
    Int(i64),
    /// Đồng: a whole number shown with thousands separators.
    Money(i64),
    Percent(f64),
    Date(NaiveDate),
    DateTime(DateTime<Utc>),
    Bool(bool),
    /// Coded values (a status, kinds, topics): written as their names in the request's language.
    Codes(Vec<String>),
    Suppressed,
    Empty,
}

/// Vietnam's offset (UTC+7, no daylight saving): exports show times as people there read them.
fn vietnam() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(7 * 3600).expect("a valid offset")
}

impl Value {
    pub fn opt_date(d: Option<NaiveDate>) -> Value {
        d.map(Value::Date).unwrap_or(Value::Empty)
    }
    pub fn opt_text(s: Option<impl ToString>) -> Value {
        s.map(|s| Value::Text(s.to_string())).unwrap_or(Value::Empty)
    }
    /// Coded values (serde's names of enum variants).
    pub fn list<T: serde::Serialize>(items: &[T]) -> Value {
        Value::Codes(
            items
                .iter()
                .filter_map(|i| serde_json::to_value(i).ok())
                .map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))
                .collect(),
        )
    }

    /// The cell as a spreadsheet shows it in `lang`, for text cells and CSV.
    fn text(&self, lang: Lang) -> String {
        match self {
            Value::Text(s) => s.clone(),
            Value::Int(v) | Value::Money(v) => v.to_string(),
            Value::Percent(v) => format!("{:.1}", v),
            Value::Date(d) => d.to_string(),
            Value::DateTime(t) => t
                .with_timezone(&vietnam())
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            Value::Bool(b) => b.to_string(),
            Value::Codes(codes) => codes
                .iter()
                .map(|c| crate::labels::label(c, lang))
                .collect::<Vec<_>>()
                .join("; "),
            Value::Suppressed => SUPPRESSED.to_string(),
            Value::Empty => String::new(),
        }
    }

    fn csv_text(&self, lang: Lang) -> String {
        match self {
            Value::Text(_) | Value::Codes(_) => neutralised(&self.text(lang)),
            other => other.text(lang),
        }
    }
}

/// A text cell a spreadsheet would read as a formula (it starts with `=`, `+`, `-`, `@`, a tab or
/// a carriage return) gets a leading apostrophe, so a title like `=HYPERLINK(…)` stays text when
/// the file is opened (OWASP "CSV injection"). Numbers are written as numbers, never through here.
fn neutralised(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

/// A column of a list export.
pub struct Column<T> {
    pub key: &'static str,
    pub en: &'static str,
    pub vi: &'static str,
    pub get: fn(&T) -> Value,
}

impl<T> Column<T> {
    /// A column: its key, its English and Vietnamese titles, and how a record gives its cell.
    pub const fn new(key: &'static str, en: &'static str, vi: &'static str, get: fn(&T) -> Value) -> Self {
        Self { key, en, vi, get }
    }

    pub fn title(&self, lang: Lang) -> &'static str {
        if lang == Lang::Vi {
            self.vi
        } else {
            self.en
        }
    }

    /// A column of unit ids (`unit_id`, `handling_unit_id`): the export adds the unit's name and
    /// official code beside it.
    fn is_unit(&self) -> bool {
        self.key.ends_with("unit_id")
    }

    /// A timestamp column (`created_at`): written in Vietnam time, and its title says so.
    fn is_time(&self) -> bool {
        self.key.ends_with("_at")
    }
}

/// The header row of a list export: each column's title, a unit column followed by the unit's
/// name and code, a time column marked as Vietnam time.
fn header_titles<T>(columns: &[Column<T>], lang: Lang) -> Vec<String> {
    let vi = lang == Lang::Vi;
    let mut out = Vec::new();
    for c in columns {
        if c.is_time() {
            let zone = if vi {
                "giờ Việt Nam, UTC+7"
            } else {
                "Vietnam time, UTC+7"
            };
            out.push(format!("{} ({zone})", c.title(lang)));
        } else {
            out.push(c.title(lang).to_string());
        }
        if c.is_unit() {
            out.push(if vi { "Tên đơn vị" } else { "Unit name" }.to_string());
            out.push(
                if vi {
                    "Mã đơn vị hành chính"
                } else {
                    "Unit official code"
                }
                .to_string(),
            );
        }
    }
    out
}

/// Unit names and official codes by id, for the rows of one export page.
type UnitNames = std::collections::HashMap<uuid::Uuid, (String, Option<String>)>;

fn unit_of(v: &Value) -> Option<uuid::Uuid> {
    match v {
        Value::Text(t) => t.parse().ok(),
        _ => None,
    }
}

/// One round trip per page: the units its rows name.
async fn unit_names(pool: &Pool, rows: &[Vec<Value>], unit_cells: &[usize]) -> ApiResult<UnitNames> {
    use crate::db::schema::units;
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    let mut ids: Vec<uuid::Uuid> = rows
        .iter()
        .flat_map(|r| unit_cells.iter().filter_map(|i| unit_of(&r[*i])))
        .collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(UnitNames::new());
    }
    let mut conn = pool.get().await?;
    let found: Vec<(uuid::Uuid, String, Option<String>)> = units::table
        .filter(units::id.eq_any(&ids))
        .select((units::id, units::name, units::code))
        .load(&mut conn)
        .await?;
    Ok(found.into_iter().map(|(id, name, code)| (id, (name, code))).collect())
}

/// One page of an export: each record's cells, column by column, with the unit's name and
/// official code after each unit column.
async fn page_rows<T>(pool: &Pool, columns: &[Column<T>], items: &[T]) -> ApiResult<Vec<Vec<Value>>> {
    let rows: Vec<Vec<Value>> = items
        .iter()
        .map(|i| columns.iter().map(|c| (c.get)(i)).collect())
        .collect();
    let unit_cells: Vec<usize> = (0..columns.len()).filter(|i| columns[*i].is_unit()).collect();
    let names = unit_names(pool, &rows, &unit_cells).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let mut out = Vec::with_capacity(row.len() + 2 * unit_cells.len());
            for (i, v) in row.into_iter().enumerate() {
                let unit = unit_cells
                    .contains(&i)
                    .then(|| unit_of(&v).and_then(|id| names.get(&id).cloned()));
                out.push(v);
                if let Some(unit) = unit {
                    let (name, code) = unit.unwrap_or_default();
                    out.push(Value::Text(name));
                    out.push(Value::opt_text(code));
                }
            }
            out
        })
        .collect())
}

/// CSV bytes of some rows (RFC 4180 quoting), coded values named in `lang`.
pub fn csv_rows<'a>(lang: Lang, rows: impl IntoIterator<Item = Vec<Value>> + 'a) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    for row in rows {
        // Writing to a Vec cannot fail.
        let _ = w.write_record(row.iter().map(|v| v.csv_text(lang)));
    }
    w.into_inner().unwrap_or_default()
}

/// The formats of an export's cells, made once per workbook.
pub struct Styles {
    header: XlsxFormat,
    date: XlsxFormat,
    datetime: XlsxFormat,
    money: XlsxFormat,
    percent: XlsxFormat,
}

impl Styles {
    pub fn new() -> Self {
        Styles {
            header: XlsxFormat::new().set_bold(),
            date: XlsxFormat::new().set_num_format("yyyy-mm-dd"),
            datetime: XlsxFormat::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
            money: XlsxFormat::new().set_num_format("#,##0"),
            percent: XlsxFormat::new().set_num_format("0.0"),
        }
    }

    pub fn header(&self, ws: &mut Worksheet, row: u32, titles: &[&str]) -> Result<(), XlsxError> {
        for (c, t) in titles.iter().enumerate() {
            ws.write_string_with_format(row, c as u16, *t, &self.header)?;
        }
        Ok(())
    }

    /// Numbers as numbers, dates as dates.
    pub fn write(&self, ws: &mut Worksheet, row: u32, values: &[Value], lang: Lang) -> Result<(), XlsxError> {
        for (c, v) in values.iter().enumerate() {
            let c = c as u16;
            match v {
                Value::Text(s) => ws.write_string(row, c, s).map(|_| ())?,
                Value::Int(n) => ws.write_number(row, c, *n as f64).map(|_| ())?,
                Value::Money(n) => ws
                    .write_number_with_format(row, c, *n as f64, &self.money)
                    .map(|_| ())?,
                Value::Percent(p) => ws
                    .write_number_with_format(row, c, (p * 10.0).round() / 10.0, &self.percent)
                    .map(|_| ())?,
                Value::Date(d) => ws.write_datetime_with_format(row, c, d, &self.date).map(|_| ())?,
                Value::DateTime(t) => ws
                    .write_datetime_with_format(row, c, t.with_timezone(&vietnam()).naive_local(), &self.datetime)
                    .map(|_| ())?,
                Value::Bool(b) => ws.write_boolean(row, c, *b).map(|_| ())?,
                Value::Codes(_) => ws.write_string(row, c, v.text(lang)).map(|_| ())?,
                Value::Suppressed => ws.write_string(row, c, SUPPRESSED).map(|_| ())?,
                Value::Empty => {}
            }
        }
        Ok(())
    }
}

impl Default for Styles {
    fn default() -> Self {
        Self::new()
    }
}

fn xlsx_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("xlsx export: {e}"))
}

/// Saves a workbook to an anonymous temporary file (off the async workers) and answers with
/// it, streamed.
pub async fn xlsx_response(mut workbook: Workbook, file_name: &str) -> ApiResult<HttpResponse> {
    let file = actix_web::web::block(move || -> Result<std::fs::File, ApiError> {
        let mut file = tempfile::tempfile().map_err(xlsx_error)?;
        workbook.save_to_writer(&mut file).map_err(xlsx_error)?;
        file.seek(SeekFrom::Start(0)).map_err(xlsx_error)?;
        Ok(file)
    })
    .await
    .map_err(xlsx_error)??;
    let body = tokio_util::io::ReaderStream::new(tokio::fs::File::from_std(file));
    Ok(HttpResponse::Ok()
        .content_type(XLSX)
        .insert_header(disposition(file_name, "xlsx"))
        .streaming(body))
}

pub fn disposition(name: &str, ext: &str) -> (header::HeaderName, String) {
    (
        header::CONTENT_DISPOSITION,
        format!("attachment; filename=\"{name}.{ext}\""),
    )
}

/// One page of an export: its records and the cursor of the next page, if any.
pub type ExportPage<T> = (Vec<T>, Option<Cursor>);

/// A whole list as CSV (streamed page by page) or XLSX (built on disk, then streamed), from
/// `fetch`, which reads the page after a cursor with the list's own filters and scope.
/// A list as a file, page by page: XLSX to a constant-memory sheet, CSV streamed.
pub async fn export_list<T, F, Fut>(
    format: Format,
    lang: Lang,
    name: &'static str,
    columns: &'static [Column<T>],
    pool: Pool,
    fetch: F,
) -> ApiResult<HttpResponse>
where
    T: 'static,
    F: Fn(Option<Cursor>) -> Fut + 'static,
    Fut: Future<Output = ApiResult<ExportPage<T>>> + 'static,
{
    let titles = header_titles(columns, lang);
    match format {
        Format::Xlsx => {
            let mut workbook = Workbook::new();
            let styles = Styles::new();
            let ws = workbook.add_worksheet_with_constant_memory();
            ws.set_name(name).map_err(xlsx_error)?;
            let titles: Vec<&str> = titles.iter().map(String::as_str).collect();
            styles.header(ws, 0, &titles).map_err(xlsx_error)?;
            let mut row = 1u32;
            let mut cursor = None;
            loop {
                let (items, next) = fetch(cursor).await?;
                for values in page_rows(&pool, columns, &items).await? {
                    styles.write(ws, row, &values, lang).map_err(xlsx_error)?;
                    row += 1;
                }
                match next {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
            xlsx_response(workbook, name).await
        }
        _ => {
            let first = fetch(None).await?;
            let mut head = "\u{feff}".as_bytes().to_vec();
            head.extend(csv_rows(lang, [titles.into_iter().map(Value::Text).collect()]));
            head.extend(csv_rows(lang, page_rows(&pool, columns, &first.0).await?));
            let rest = stream::unfold((first.1, fetch, pool), move |(cursor, fetch, pool)| async move {
                let cursor = cursor?;
                let page = match fetch(Some(cursor)).await {
                    Ok((items, next)) => page_rows(&pool, columns, &items).await.map(|rows| (rows, next)),
                    Err(e) => Err(e),
                };
                match page {
                    Ok((rows, next)) => Some((
                        Ok(actix_web::web::Bytes::from(csv_rows(lang, rows))),
                        (next, fetch, pool),
                    )),
                    Err(e) => {
                        tracing::error!(error = %e, "export stopped");
                        Some((Err(e), (None, fetch, pool)))
                    }
                }
            });
            let body = stream::once(async move { Ok::<_, ApiError>(actix_web::web::Bytes::from(head)) }).chain(rest);
            Ok(HttpResponse::Ok()
                .content_type(CSV)
                .insert_header(disposition(name, "csv"))
                .streaming(body))
        }
    }
}

pub struct ListArgs<F> {
    pub scopes: Vec<String>,
    pub filters: F,
    pub subtree: SubtreeFilter,
    pub sort: Sort,
}

/// Reads one page of a list after a cursor (`limit + 1` rows, for the cursor) as `T`.
pub type ReadPage<F, T> = for<'a> fn(
    &'a mut &'a AsyncPgConnection,
    &'a ListArgs<F>,
    Option<&'a Cursor>,
    i64,
) -> BoxFuture<'a, diesel::QueryResult<T>>;

/// Reads one page of rows.
pub type Loader<F, R> = ReadPage<F, Vec<R>>;

/// Reads one page and writes it as the JSON body (`json_row::load_page`): a list whose rows
/// are written straight from the database ([`WriteRow`](super::json_row::WriteRow)).
pub type PageWriter<F> = ReadPage<F, Vec<u8>>;

/// One page of a list, as `page` makes it of what `read` loaded (`None`: the subtree asked for
/// is empty, so no statement runs). A page is one statement, on the worker's shared connection
/// (see SharedReads).
async fn one_page<F, T, P>(
    reads: &crate::db::SharedReads,
    args: &ListArgs<F>,
    (cursor, limit): (Option<&Cursor>, i64),
    read: ReadPage<F, T>,
    page: impl FnOnce(T) -> P,
) -> ApiResult<Option<P>> {
    if matches!(args.subtree, SubtreeFilter::Empty) {
        return Ok(None);
    }
    let shared = reads.get().await?;
    let mut conn = shared.conn();
    let loaded = read(&mut conn, args, cursor, limit).await.map_err(ApiError::from);
    Ok(Some(page(shared.settle(loaded)?)))
}

/// A list endpoint's answer: the page asked for as JSON, or (`format=csv|xlsx`, or `Accept`)
/// the whole list with the same filters and sort, exported. `load` runs once for JSON and once
/// per page of [`EXPORT_PAGE`] rows for an export, each time with its own short checkout.
#[allow(clippy::too_many_arguments)]
pub async fn respond_list<F, R, T>(
    format: Format,
    name: &'static str,
    columns: &'static [Column<T>],
    reads: crate::db::SharedReads,
    args: ListArgs<F>,
    (cursor, limit): (Option<Cursor>, i64),
    load: Loader<F, R>,
    written: Option<PageWriter<F>>,
) -> ApiResult<HttpResponse>
where
    F: 'static,
    R: Keyed + 'static,
    T: From<R> + serde::Serialize + 'static,
{
    let sort = args.sort;
    let args = Rc::new(args);
    let lookups = reads.pool().clone();
    if let (Format::Json, Some(write)) = (format, written) {
        let body = one_page(&reads, &args, (cursor.as_ref(), limit), write, |body| body)
            .await?
            .unwrap_or_else(super::json_row::empty_page);
        return Ok(HttpResponse::Ok().json_bytes(body));
    }
    let fetch = move |cursor: Option<Cursor>, limit: i64| {
        let (reads, args) = (reads.clone(), args.clone());
        async move {
            let page = one_page(&reads, &args, (cursor.as_ref(), limit), load, |rows| {
                paginate(rows, limit, &sort, T::from)
            });
            Ok::<_, ApiError>(page.await?.unwrap_or_else(Page::empty))
        }
    };
    match format {
        Format::Json => Ok(HttpResponse::Ok().json_body(&fetch(cursor, limit).await?)),
        f => {
            let lang = Lang::current();
            // Boxed: an export's state (a workbook, a stream of pages) is large, and unboxed
            // it would size every list request's future, which is moved whole when boxed by
            // actix (a memcpy of kilobytes a request).
            Box::pin(export_list(f, lang, name, columns, lookups, move |cursor| {
                let page = fetch(cursor, EXPORT_PAGE);
                async move {
                    let page = page.await?;
                    let next = page.next_cursor.map(|c| Cursor::decode(&c, &sort)).transpose()?;
                    Ok((page.data, next))
                }
            }))
            .await
        }
    }
}

/// A list's two operations over one `respond(state, caller, filters, page, format)` of the
/// resource's: the JSON page (`GET /things`) and the file (`GET /things/export`). The caller's
/// module imports `Page`, `PageQuery`, `Problem`, `Binary`, `SortQuery`, `ExportQuery`,
/// `Format`, `Caller`, `AppState`, `web`, `get`, `HttpRequest` and `HttpResponse`.
#[macro_export]
macro_rules! list_and_export {
    (
        tag: $tag:literal, filters: $filters:ty, item: $item:ty, respond: $respond:path,
        problems: [$(($status:literal, $description:literal)),* $(,)?],
        list: { $(#[$list_meta:meta])* fn $list:ident = $list_id:literal at $path:literal },
        export: { $(#[$export_meta:meta])* fn $export:ident = $export_id:literal at $export_path:literal, file $file:literal },
    ) => {
        $(#[$list_meta])*
        #[utoipa::path(
            tag = $tag,
            operation_id = $list_id,
            params($filters, PageQuery),
            responses(
                (status = 200, description = "A page of the list", body = Page<$item>),
                $((status = $status, description = $description, body = Problem, content_type = "application/problem+json"),)*
            ),
            security(("bearer" = [])),
        )]
        #[get($path)]
        pub async fn $list(
            state: web::Data<AppState>,
            caller: Caller,
            filters: $crate::http::Query<$filters>,
            page: $crate::http::Query<PageQuery>,
        ) -> $crate::error::ApiResult<HttpResponse> {
            $respond(state, caller, filters.into_inner(), page.into_inner(), Format::Json).await
        }

        $(#[$export_meta])*
        ///
        /// The whole list with the list's filters and sort, streamed as CSV (the default) or
        /// XLSX, chosen by `format` or `Accept`. Columns are titled in the request's language;
        /// each row carries the record's `id` and `version`, its unit's name and official code,
        /// coded values as labels, and times in Vietnam time (UTC+7).
        #[utoipa::path(
            tag = $tag,
            operation_id = $export_id,
            params($filters, SortQuery, ExportQuery),
            responses(
                (status = 200, description = "The file", content(
                    (Binary = "text/csv"),
                    (Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                ), headers(("Content-Disposition" = String, description = $file))),
                $((status = $status, description = $description, body = Problem, content_type = "application/problem+json"),)*
            ),
            security(("bearer" = [])),
        )]
        #[get($export_path)]
        pub async fn $export(
            state: web::Data<AppState>,
            caller: Caller,
            req: HttpRequest,
            filters: $crate::http::Query<$filters>,
            sort: $crate::http::Query<SortQuery>,
            format: $crate::http::Query<ExportQuery>,
        ) -> $crate::error::ApiResult<HttpResponse> {
            let format = format.negotiate(&req);
            $respond(state, caller, filters.into_inner(), sort.into_inner().into_page(), format).await
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_would_run_as_a_formula_is_neutralised() {
        for bad in ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(Value::Text(bad.into()).csv_text(Lang::En), format!("'{bad}"));
        }
        assert_eq!(
            Value::Text("Tập huấn = bình đẳng".into()).csv_text(Lang::En),
            "Tập huấn = bình đẳng"
        );
        assert_eq!(Value::Int(-5).csv_text(Lang::En), "-5", "numbers stay numbers");
    }

    #[test]
    fn codes_are_named_and_times_are_vietnam_time() {
        let kinds = Value::Codes(vec!["street_event".into(), "seminar".into()]);
        assert_eq!(kinds.csv_text(Lang::Vi), "Sự kiện đường phố; Tọa đàm");
        assert_eq!(kinds.csv_text(Lang::En), "Street event; Seminar");
        let t = chrono::DateTime::parse_from_rfc3339("2026-11-30T18:30:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(Value::DateTime(t).csv_text(Lang::En), "2026-12-01T01:30:00+07:00");
    }
}
