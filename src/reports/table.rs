//! The shape every report section shares: metrics (columns), a total row and breakdowns (rows by
//! status, kind, child unit...), and the small-count suppression applied for partners.
//!
//! One model serves JSON, CSV and XLSX, and suppression is written once against it.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::error::Lang;

/// How a metric's numbers are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MetricKind {
    /// Records or people: suppressed for partners when 1 to 4.
    Count,
    /// Đồng (VND): never suppressed by size, but hidden with the count it comes from.
    Money,
    /// A share in percent (0-100), computed from two counts; hidden when either is.
    Percent,
}

/// A column of a section.
pub struct Metric {
    pub key: &'static str,
    pub en: &'static str,
    pub vi: &'static str,
    pub kind: MetricKind,
    /// For a money metric, the count it comes from (hidden together); for a percent metric,
    /// its numerator and denominator.
    pub basis: &'static [&'static str],
}

impl Metric {
    pub const fn count(key: &'static str, en: &'static str, vi: &'static str) -> Metric {
        Metric {
            key,
            en,
            vi,
            kind: MetricKind::Count,
            basis: &[],
        }
    }
    pub fn title(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Vi => self.vi,
        }
    }
}

/// A cell's value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell {
    Int(i64),
    Percent(f64),
    /// Not computable (a share of nothing).
    Empty,
    /// Hidden from a partner: a count from 1 to 4, or a cell that would give one away.
    Suppressed,
}

impl Cell {
    pub fn int(self) -> Option<i64> {
        match self {
            Cell::Int(v) => Some(v),
            _ => None,
        }
    }
    fn is_suppressed(self) -> bool {
        self == Cell::Suppressed
    }
}

impl Serialize for Cell {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Cell::Int(v) => s.serialize_i64(*v),
            Cell::Percent(v) => s.serialize_f64((v * 10.0).round() / 10.0),
            Cell::Empty | Cell::Suppressed => s.serialize_none(),
        }
    }
}

/// A row: what it is about (`key`, and a readable `label`) and its values by metric key.
#[derive(Clone, Debug)]
pub struct Row {
    pub key: String,
    pub label: String,
    pub values: BTreeMap<&'static str, Cell>,
}

impl Row {
    pub fn new(key: impl Into<String>, label: impl Into<String>) -> Row {
        Row {
            key: key.into(),
            label: label.into(),
            values: BTreeMap::new(),
        }
    }
    pub fn get(&self, metric: &str) -> Option<Cell> {
        self.values.get(metric).copied()
    }
    pub fn int(&self, metric: &str) -> i64 {
        self.get(metric).and_then(Cell::int).unwrap_or(0)
    }
    pub fn set(&mut self, metric: &'static str, value: i64) {
        self.values.insert(metric, Cell::Int(value));
    }
    /// Adds `value` to the metric (a total built from parts).
    pub fn add(&mut self, metric: &'static str, value: i64) {
        let v = self.int(metric) + value;
        self.set(metric, v);
    }
}

/// Rows that break a section's total down by one attribute.
pub struct Breakdown {
    pub id: &'static str,
    pub en: &'static str,
    pub vi: &'static str,
    /// True when every record falls in exactly one row, so the rows add up to the total (a
    /// partition); false for multi-valued attributes such as topics.
    pub additive: bool,
    pub rows: Vec<Row>,
}

/// One part of a report.
pub struct Section {
    pub id: &'static str,
    pub en: &'static str,
    pub vi: &'static str,
    pub metrics: &'static [Metric],
    /// Metrics that are the sum of others in the same row (`participants = female + male +
    /// other`).
    pub sums: &'static [(&'static str, &'static [&'static str])],
    pub total: Row,
    pub breakdowns: Vec<Breakdown>,
    /// Its small counts are hidden (a partner's report; the survivors' section for everyone
    /// outside the handling unit's case supervisors).
    pub suppressed: bool,
}

impl Section {
    pub fn title(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Vi => self.vi,
        }
    }

    fn metric(&self, key: &str) -> Option<&'static Metric> {
        self.metrics.iter().find(|m| m.key == key)
    }

    /// Every row: the total first, then each breakdown's.
    pub fn rows(&self) -> impl Iterator<Item = (&str, &Row)> {
        std::iter::once(("total", &self.total)).chain(
            self.breakdowns
                .iter()
                .flat_map(|b| b.rows.iter().map(move |r| (b.id, r))),
        )
    }

    /// Fills each percent metric from its numerator and denominator.
    pub fn compute_percents(&mut self) {
        let metrics = self.metrics;
        let fill = |row: &mut Row| {
            for m in metrics.iter().filter(|m| m.kind == MetricKind::Percent) {
                let (Some(num), Some(den)) = (row.get(m.basis[0]), row.get(m.basis[1])) else {
                    continue;
                };
                let cell = match (num, den) {
                    (Cell::Int(_), Cell::Int(0)) => Cell::Empty,
                    (Cell::Int(n), Cell::Int(d)) => Cell::Percent(n as f64 * 100.0 / d as f64),
                    _ => Cell::Empty,
                };
                row.values.insert(m.key, cell);
            }
        };
        fill(&mut self.total);
        for b in &mut self.breakdowns {
            b.rows.iter_mut().for_each(fill);
        }
    }

    /// Partners' view: every count from 1 to 4 is hidden, and then, until nothing changes, a
    /// second cell in any group that adds up (a row's parts and whole; an additive breakdown's
    /// rows and the total) where exactly one cell is hidden, so no subtraction recovers it.
    /// Money and percents are hidden with the counts they come from.
    pub fn suppress_small_counts(&mut self) {
        let metrics = self.metrics;
        let primary = |row: &mut Row| {
            for m in metrics.iter().filter(|m| m.kind == MetricKind::Count) {
                if let Some(Cell::Int(v)) = row.get(m.key) {
                    if (1..=4).contains(&v) {
                        row.values.insert(m.key, Cell::Suppressed);
                    }
                }
            }
        };
        primary(&mut self.total);
        for b in &mut self.breakdowns {
            b.rows.iter_mut().for_each(primary);
        }
        for _ in 0..64 {
            let mut changed = self.follow_basis();
            // Parts and whole inside each row.
            for (whole, parts) in self.sums {
                let keys: Vec<&'static str> = std::iter::once(*whole).chain(parts.iter().copied()).collect();
                changed |= protect(&mut self.total, &keys);
                for b in &mut self.breakdowns {
                    for row in &mut b.rows {
                        changed |= protect(row, &keys);
                    }
                }
            }
            // Rows and total of each additive breakdown, metric by metric.
            for m in metrics.iter().filter(|m| m.kind != MetricKind::Percent) {
                for b in self.breakdowns.iter_mut().filter(|b| b.additive) {
                    changed |= protect_column(&mut self.total, &mut b.rows, m.key);
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// Hides money and percents whose basis is hidden. True when anything changed.
    fn follow_basis(&mut self) -> bool {
        let metrics = self.metrics;
        let mut changed = false;
        let mut apply = |row: &mut Row| {
            for m in metrics.iter().filter(|m| m.kind != MetricKind::Count) {
                let hidden = m.basis.iter().any(|b| row.get(b).is_some_and(Cell::is_suppressed));
                if hidden && row.get(m.key).is_some_and(|c| !c.is_suppressed()) {
                    row.values.insert(m.key, Cell::Suppressed);
                    changed = true;
                }
            }
        };
        apply(&mut self.total);
        for b in &mut self.breakdowns {
            b.rows.iter_mut().for_each(&mut apply);
        }
        changed
    }

    /// The unit of measure of a metric, for exports.
    pub fn kind_of(&self, key: &str) -> MetricKind {
        self.metric(key).map(|m| m.kind).unwrap_or(MetricKind::Count)
    }
}

/// In one row, the cells `keys` (whole first, then parts) add up: if exactly one is hidden,
/// hide the smallest non-zero visible other.
fn protect(row: &mut Row, keys: &[&'static str]) -> bool {
    let cells: Vec<(&'static str, Cell)> = keys.iter().filter_map(|k| row.get(k).map(|c| (*k, c))).collect();
    if cells.iter().filter(|(_, c)| c.is_suppressed()).count() != 1 {
        return false;
    }
    let pick = cells
        .iter()
        .filter_map(|(k, c)| c.int().filter(|v| *v > 0).map(|v| (v, *k)))
        .min();
    match pick {
        Some((_, k)) => {
            row.values.insert(k, Cell::Suppressed);
            true
        }
        None => false,
    }
}

/// The cells of `metric` in `rows` add up to the total's: if exactly one of them (total
/// included) is hidden, hide the smallest non-zero visible other.
fn protect_column(total: &mut Row, rows: &mut [Row], metric: &'static str) -> bool {
    let hidden = rows
        .iter()
        .filter(|r| r.get(metric).is_some_and(Cell::is_suppressed))
        .count()
        + usize::from(total.get(metric).is_some_and(Cell::is_suppressed));
    if hidden != 1 {
        return false;
    }
    let pick = rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.get(metric).and_then(Cell::int).filter(|v| *v > 0).map(|v| (v, i)))
        .min();
    match pick {
        Some((_, i)) => {
            rows[i].values.insert(metric, Cell::Suppressed);
            true
        }
        None => match total.get(metric).and_then(Cell::int) {
            Some(v) if v > 0 => {
                total.values.insert(metric, Cell::Suppressed);
                true
            }
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static METRICS: [Metric; 4] = [
        Metric::count("people", "People", "Người"),
        Metric::count("female", "Female", "Nữ"),
        Metric::count("male", "Male", "Nam"),
        Metric::count("other", "Other", "Khác"),
    ];

    fn row(key: &str, f: i64, m: i64) -> Row {
        let mut r = Row::new(key, key);
        r.set("female", f);
        r.set("male", m);
        r.set("other", 0);
        r.set("people", f + m);
        r
    }

    fn section(rows: Vec<Row>) -> Section {
        let mut total = Row::new("total", "total");
        for r in &rows {
            for k in ["people", "female", "male", "other"] {
                total.add(METRICS.iter().find(|m| m.key == k).unwrap().key, r.int(k));
            }
        }
        Section {
            id: "s",
            en: "S",
            vi: "S",
            metrics: &METRICS,
            sums: &[("people", &["female", "male", "other"])],
            suppressed: true,
            total,
            breakdowns: vec![Breakdown {
                id: "by_unit",
                en: "By unit",
                vi: "Theo đơn vị",
                additive: true,
                rows,
            }],
        }
    }

    /// No group of cells that adds up may have exactly one hidden cell.
    fn assert_unrecoverable(s: &Section) {
        let hidden = |c: Option<Cell>| c.is_some_and(|c| c == Cell::Suppressed);
        for (_, r) in s.rows() {
            let n = ["people", "female", "male", "other"]
                .iter()
                .filter(|k| hidden(r.get(k)))
                .count();
            assert_ne!(n, 1, "row {} has one hidden cell", r.key);
        }
        for k in ["people", "female", "male", "other"] {
            let n =
                s.breakdowns[0].rows.iter().filter(|r| hidden(r.get(k))).count() + usize::from(hidden(s.total.get(k)));
            assert_ne!(n, 1, "column {k} has one hidden cell");
        }
    }

    #[test]
    fn small_counts_and_their_complements_are_hidden() {
        let mut s = section(vec![row("a", 3, 10), row("b", 20, 30), row("c", 7, 8)]);
        s.suppress_small_counts();
        let a = &s.breakdowns[0].rows[0];
        assert_eq!(a.get("female"), Some(Cell::Suppressed));
        // The 3 in row a would follow from people - male, so a second cell in the row goes.
        assert!([a.get("male"), a.get("people")].contains(&Some(Cell::Suppressed)));
        // And from the column total: another row's female is hidden too.
        let others = s.breakdowns[0].rows[1..]
            .iter()
            .filter(|r| r.get("female") == Some(Cell::Suppressed))
            .count();
        assert!(others >= 1 || s.total.get("female") == Some(Cell::Suppressed));
        assert_unrecoverable(&s);
    }

    #[test]
    fn zeros_and_large_counts_stay() {
        let mut s = section(vec![row("a", 0, 10), row("b", 20, 30)]);
        s.suppress_small_counts();
        assert!(s.rows().all(|(_, r)| r.values.values().all(|c| *c != Cell::Suppressed)));
        assert_eq!(s.total.get("people"), Some(Cell::Int(60)));
    }

    #[test]
    fn a_lone_small_total_is_hidden_with_its_only_part() {
        let mut s = section(vec![row("a", 2, 0), row("b", 0, 0)]);
        s.suppress_small_counts();
        assert_eq!(s.total.get("people"), Some(Cell::Suppressed));
        assert_eq!(s.total.get("female"), Some(Cell::Suppressed));
        assert_unrecoverable(&s);
    }

    #[test]
    fn many_small_cells_never_leave_one_alone() {
        for seed in 0..200i64 {
            let rows = (0..5)
                .map(|i| row(&format!("r{i}"), (seed * 7 + i * 3) % 9, (seed * 5 + i * 11) % 13))
                .collect();
            let mut s = section(rows);
            s.suppress_small_counts();
            assert_unrecoverable(&s);
        }
    }
}
