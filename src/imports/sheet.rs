//! Reading an uploaded CSV or XLSX file into tables of cells, and writing the templates.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;

use crate::error::Text;

/// A cell as read.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Bool(bool),
}

impl Cell {
    /// Text as a person typed it: trimmed, and a leading apostrophe an export put before text a
    /// spreadsheet would read as a formula (`'=…`, `'+…`) taken off again.
    fn text(s: &str) -> Cell {
        let s = s.trim();
        let s = match s.strip_prefix('\'') {
            Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
            _ => s,
        };
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s.to_string())
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Cell::Empty
    }
}

/// A sheet: its header row and its data rows, each with the row number a spreadsheet shows.
#[derive(Debug, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<(u32, Vec<Cell>)>,
}

/// What a file holds: the data sheet, and the participants sheet when there is one.
#[derive(Debug, Default)]
pub struct Book {
    pub data: Table,
    pub participants: Option<Table>,
}

pub const DATA_SHEET: (&str, &str) = ("Dữ liệu", "Data");
pub const PARTICIPANT_SHEET: (&str, &str) = ("Người tham dự", "Participants");
pub const CODE_SHEET: (&str, &str) = ("Mã", "Codes");

/// `xlsx` for a ZIP (an Office Open XML workbook), else `csv`.
pub fn format_of(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"PK\x03\x04") {
        "xlsx"
    } else {
        "csv"
    }
}

fn table(rows: Vec<(u32, Vec<Cell>)>) -> Table {
    let mut rows = rows.into_iter().filter(|(_, r)| r.iter().any(|c| !c.is_empty()));
    let Some((_, head)) = rows.next() else {
        return Table::default();
    };
    let headers = head
        .into_iter()
        .map(|c| match c {
            Cell::Text(t) => t,
            Cell::Number(n) => n.to_string(),
            _ => String::new(),
        })
        .collect();
    Table {
        headers,
        rows: rows.collect(),
    }
}

fn same(a: &str, (vi, en): (&str, &str)) -> bool {
    let a = a.trim().to_lowercase();
    a == vi.to_lowercase() || a == en.to_lowercase()
}

/// Reads the file: a CSV (UTF-8, with or without a byte-order mark; comma, semicolon or tab
/// separated) holds the data sheet only; a workbook holds the data sheet (named `Dữ liệu` or
/// `Data`, else the first sheet) and may hold a participants sheet (`Người tham dự` or
/// `Participants`).
pub fn read(bytes: &[u8]) -> Result<Book, Text> {
    if format_of(bytes) == "xlsx" {
        read_xlsx(bytes)
    } else {
        read_csv(bytes)
    }
}

fn read_csv(bytes: &[u8]) -> Result<Book, Text> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        Text::new(
            "The CSV file is not UTF-8: save it as \"CSV UTF-8\"",
            "Tệp CSV không ở dạng UTF-8: hãy lưu dưới dạng \"CSV UTF-8\"",
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().next().unwrap_or("");
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first.matches(*d as char).count())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| {
            Text::new(
                format!("The CSV file cannot be read at row {}: {e}", i + 1),
                format!("Không đọc được tệp CSV ở dòng {}: {e}", i + 1),
            )
        })?;
        // The line the record starts on (the reader skips blank lines).
        let line = record.position().map_or(i as u64 + 1, |p| p.line());
        rows.push((line as u32, record.iter().map(Cell::text).collect()));
    }
    Ok(Book {
        data: table(rows),
        participants: None,
    })
}

fn cell(d: &Data) -> Cell {
    match d {
        Data::Empty | Data::Error(_) => Cell::Empty,
        Data::String(s) => Cell::text(s),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(t) => match t.as_datetime() {
            Some(dt) if !t.is_duration() => Cell::Date(dt.date()),
            _ => Cell::Number(t.as_f64()),
        },
        Data::DateTimeIso(s) => NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d")
            .map(Cell::Date)
            .unwrap_or_else(|_| Cell::text(s)),
        Data::DurationIso(s) => Cell::text(s),
    }
}

fn read_xlsx(bytes: &[u8]) -> Result<Book, Text> {
    let unreadable = || {
        Text::new(
            "The file is not a workbook that can be read (save it as .xlsx)",
            "Không đọc được tệp bảng tính (hãy lưu dưới dạng .xlsx)",
        )
    };
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).map_err(|_| unreadable())?;
    let names = wb.sheet_names();
    let data_name = names
        .iter()
        .find(|n| same(n, DATA_SHEET))
        .or_else(|| {
            names
                .iter()
                .find(|n| !same(n, PARTICIPANT_SHEET) && !same(n, CODE_SHEET))
        })
        .cloned()
        .ok_or_else(unreadable)?;
    let participants_name = names.iter().find(|n| same(n, PARTICIPANT_SHEET)).cloned();
    let mut sheet = |name: &str| -> Result<Table, Text> {
        let range = wb.worksheet_range(name).map_err(|_| unreadable())?;
        let (top, _) = range.start().unwrap_or((0, 0));
        let rows = range
            .rows()
            .enumerate()
            .map(|(i, r)| (top + i as u32 + 1, r.iter().map(cell).collect()))
            .collect();
        Ok(table(rows))
    };
    let data = sheet(&data_name)?;
    let participants = participants_name.map(|n| sheet(&n)).transpose()?;
    Ok(Book { data, participants })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_a_bom_semicolons_and_neutralised_cells() {
        let book = read("\u{feff}Tên lớp;Nữ\n'=HYPERLINK(1);3\n\n ;\nLớp 2;'-5\n".as_bytes()).unwrap();
        assert_eq!(book.data.headers, vec!["Tên lớp", "Nữ"]);
        assert_eq!(book.data.rows.len(), 2, "empty rows are skipped: {:?}", book.data.rows);
        assert_eq!(
            book.data.rows[0],
            (2, vec![Cell::Text("=HYPERLINK(1)".into()), Cell::Text("3".into())])
        );
        assert_eq!(book.data.rows[1].0, 5);
        assert_eq!(book.data.rows[1].1[1], Cell::Text("-5".into()));
    }

    #[test]
    fn not_utf8_is_refused_clearly() {
        let e = read(b"T\xean\n").unwrap_err();
        assert!(e.en.contains("UTF-8"));
    }
}
