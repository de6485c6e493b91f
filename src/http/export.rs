//! Exports: the same data as JSON, CSV or XLSX, chosen by `format=` or the `Accept` header.
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

pub const CSV: &str = "text/csv; charset=utf-8";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// Rows read per database round trip while exporting a list.
pub const EXPORT_PAGE: i64 = 500;
/// What a suppressed cell shows in CSV and XLSX (JSON has `null`).
pub const SUPPRESSED: &str = "<5";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Json,
    Csv,
    Xlsx,
}

/// `format`: the representation, when the `Accept` header does not say.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    /// `json` (default), `csv` or `xlsx`; overrides `Accept` (`text/csv`, or
    /// `application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`).
    pub format: Option<Format>,
}

impl FormatQuery {
    /// `format=` first, then the `Accept` header, then JSON.
    pub fn negotiate(&self, req: &HttpRequest) -> Format {
        if let Some(f) = self.format {
            return f;
        }
        let accept = req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if accept.contains("text/csv") {
            Format::Csv
        } else if accept.contains(XLSX) {
            Format::Xlsx
        } else {
            Format::Json
        }
    }
}

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
    Suppressed,
    Empty,
}

impl Value {
    pub fn opt_date(d: Option<NaiveDate>) -> Value {
        d.map(Value::Date).unwrap_or(Value::Empty)
    }
    pub fn opt_text(s: Option<impl ToString>) -> Value {
        s.map(|s| Value::Text(s.to_string())).unwrap_or(Value::Empty)
    }
    pub fn list<T: serde::Serialize>(items: &[T]) -> Value {
        Value::Text(
            items
                .iter()
                .filter_map(|i| serde_json::to_value(i).ok())
                .map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))
                .collect::<Vec<_>>()
                .join("; "),
        )
    }

    fn csv_text(&self) -> String {
        match self {
            Value::Text(s) => neutralised(s),
            Value::Int(v) | Value::Money(v) => v.to_string(),
            Value::Percent(v) => format!("{:.1}", v),
            Value::Date(d) => d.to_string(),
            Value::DateTime(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            Value::Bool(b) => b.to_string(),
            Value::Suppressed => SUPPRESSED.to_string(),
            Value::Empty => String::new(),
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
    pub fn title(&self, lang: Lang) -> &'static str {
        if lang == Lang::Vi {
            self.vi
        } else {
            self.en
        }
    }
}

/// One record's cells, column by column.
fn row_values<T>(columns: &[Column<T>], item: &T) -> Vec<Value> {
    columns.iter().map(|c| (c.get)(item)).collect()
}

/// CSV bytes of some records (RFC 4180 quoting).
pub fn csv_rows<'a>(rows: impl IntoIterator<Item = Vec<Value>> + 'a) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    for row in rows {
        // Writing to a Vec cannot fail.
        let _ = w.write_record(row.iter().map(Value::csv_text));
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
    pub fn write(&self, ws: &mut Worksheet, row: u32, values: &[Value]) -> Result<(), XlsxError> {
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
                    .write_datetime_with_format(row, c, t.naive_utc(), &self.datetime)
                    .map(|_| ())?,
                Value::Bool(b) => ws.write_boolean(row, c, *b).map(|_| ())?,
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
pub async fn export_list<T, F, Fut>(
    format: Format,
    lang: Lang,
    name: &'static str,
    columns: &'static [Column<T>],
    fetch: F,
) -> ApiResult<HttpResponse>
where
    T: 'static,
    F: Fn(Option<Cursor>) -> Fut + 'static,
    Fut: Future<Output = ApiResult<ExportPage<T>>> + 'static,
{
    let values = |item: &T| row_values(columns, item);
    match format {
        Format::Xlsx => {
            let mut workbook = Workbook::new();
            let styles = Styles::new();
            let ws = workbook.add_worksheet_with_constant_memory();
            ws.set_name(name).map_err(xlsx_error)?;
            let titles: Vec<&str> = columns.iter().map(|c| c.title(lang)).collect();
            styles.header(ws, 0, &titles).map_err(xlsx_error)?;
            let mut row = 1u32;
            let mut cursor = None;
            loop {
                let (items, next) = fetch(cursor).await?;
                for item in &items {
                    styles.write(ws, row, &values(item)).map_err(xlsx_error)?;
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
            // The first page is read before answering, so a failure is still a proper error.
            let first = fetch(None).await?;
            let header: Vec<Value> = columns.iter().map(|c| Value::Text(c.title(lang).into())).collect();
            let mut head = "\u{feff}".as_bytes().to_vec();
            head.extend(csv_rows([header]));
            head.extend(csv_rows(first.0.iter().map(values)));
            let rest = stream::unfold((first.1, fetch), move |(cursor, fetch)| async move {
                let cursor = cursor?;
                match fetch(Some(cursor)).await {
                    Ok((items, next)) => {
                        let bytes = csv_rows(items.iter().map(|i| row_values(columns, i)));
                        Some((Ok(actix_web::web::Bytes::from(bytes)), (next, fetch)))
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "export stopped");
                        Some((Err(e), (None, fetch)))
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

/// What every page of a list needs: the caller's scopes, the list's filters (with anything else
/// its query takes), the resolved subtree and the sort.
pub struct ListArgs<F> {
    pub scopes: Vec<String>,
    pub filters: F,
    pub subtree: SubtreeFilter,
    pub sort: Sort,
}

/// Reads one page of rows (`limit + 1` of them, for the cursor) after a cursor.
pub type Loader<F, R> = for<'a> fn(
    &'a mut AsyncPgConnection,
    &'a ListArgs<F>,
    Option<&'a Cursor>,
    i64,
) -> BoxFuture<'a, diesel::QueryResult<Vec<R>>>;

/// A list endpoint's answer: the page asked for as JSON, or (`format=csv|xlsx`, or `Accept`)
/// the whole list with the same filters and sort, exported. `load` runs once for JSON and once
/// per page of [`EXPORT_PAGE`] rows for an export, each time with its own short checkout.
#[allow(clippy::too_many_arguments)]
pub async fn respond_list<F, R, T>(
    req: &HttpRequest,
    format: &FormatQuery,
    name: &'static str,
    columns: &'static [Column<T>],
    pool: Pool,
    args: ListArgs<F>,
    (cursor, limit): (Option<Cursor>, i64),
    load: Loader<F, R>,
) -> ApiResult<HttpResponse>
where
    F: 'static,
    R: Keyed + 'static,
    T: From<R> + serde::Serialize + 'static,
{
    let sort = args.sort;
    let args = Rc::new(args);
    let fetch = move |cursor: Option<Cursor>, limit: i64| {
        let (pool, args) = (pool.clone(), args.clone());
        async move {
            if matches!(args.subtree, SubtreeFilter::Empty) {
                return Ok::<_, ApiError>(Page::empty());
            }
            let mut conn = pool.get().await?;
            let rows = load(&mut conn, &args, cursor.as_ref(), limit).await?;
            Ok(paginate(rows, limit, &args.sort, T::from))
        }
    };
    match format.negotiate(req) {
        Format::Json => Ok(HttpResponse::Ok().json(fetch(cursor, limit).await?)),
        f => {
            let lang = Lang::current();
            export_list(f, lang, name, columns, move |cursor| {
                let page = fetch(cursor, EXPORT_PAGE);
                async move {
                    let page = page.await?;
                    let next = page.next_cursor.map(|c| Cursor::decode(&c, &sort)).transpose()?;
                    Ok((page.data, next))
                }
            })
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_would_run_as_a_formula_is_neutralised() {
        for bad in ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(Value::Text(bad.into()).csv_text(), format!("'{bad}"));
        }
        assert_eq!(
            Value::Text("Tập huấn = bình đẳng".into()).csv_text(),
            "Tập huấn = bình đẳng"
        );
        assert_eq!(Value::Int(-5).csv_text(), "-5", "numbers stay numbers");
    }
}
