//! The sanction rules, as pure functions of the catalogue's data (tested article by article).

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{Authority, Decree, Rule};
use crate::error::{ApiError, ApiResult};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OffenderKind {
    Individual,
    Organization,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Penalty {
    Warning,
    Fine,
}

fn in_force(from: NaiveDate, to: Option<NaiveDate>, on: NaiveDate) -> bool {
    from <= on && to.is_none_or(|t| on <= t)
}

/// The decree in force on `on`.
pub fn decree_on(decrees: &[Decree], on: NaiveDate) -> Option<&Decree> {
    decrees.iter().find(|d| in_force(d.effective_from, d.effective_to, on))
}

/// The rule must belong to the decree in force on the day of the act.
pub fn check_rule_for_act(decrees: &[Decree], rule: &Rule, act_on: NaiveDate) -> ApiResult<()> {
    match decree_on(decrees, act_on) {
        Some(d) if d.code == rule.decree_code => Ok(()),
        Some(d) => Err(ApiError::field(
            "rule_id",
            "wrong_decree",
            format!(
                "an act of {act_on} is judged under {}, not {}",
                d.code, rule.decree_code
            ),
            format!(
                "hành vi ngày {act_on} được xử lý theo {}, không theo {}",
                d.code, rule.decree_code
            ),
        )),
        None => Err(ApiError::field(
            "act_on",
            "no_decree",
            "no sanctioning decree is in force on this day",
            "không có nghị định xử phạt nào có hiệu lực vào ngày này",
        )),
    }
}

/// The band for the offender: an organisation's is the individual's times the multiplier.
pub fn band(decree: &Decree, rule: &Rule, offender: OffenderKind) -> (i64, i64) {
    let m = match offender {
        OffenderKind::Individual => 1,
        OffenderKind::Organization => decree.organization_multiplier as i64,
    };
    (rule.min_fine_vnd * m, rule.max_fine_vnd * m)
}

/// The most a position may fine this offender under this decree, or `None` when it may only warn.
pub fn ceiling(decree: &Decree, authority: &Authority, offender: OffenderKind) -> Option<i64> {
    if authority.warning_only {
        return None;
    }
    let field_max = match offender {
        OffenderKind::Individual => decree.individual_max_vnd,
        OffenderKind::Organization => decree.individual_max_vnd * decree.organization_multiplier as i64,
    };
    // A share of the field's maximum, capped by a fixed amount where the law sets one (both
    // scale with an organisation's multiple, as the powers apply to one act of an individual).
    let multiple = match offender {
        OffenderKind::Individual => 1,
        OffenderKind::Organization => decree.organization_multiplier as i64,
    };
    let by_share = authority.max_percent.map_or(field_max, |p| field_max * p as i64 / 100);
    let cap = authority.max_vnd.map_or(field_max, |v| v * multiple);
    Some(by_share.min(cap).min(field_max))
}

/// Everything a sanction decision must satisfy.
pub struct Decision<'a> {
    pub decree: &'a Decree,
    pub rule: &'a Rule,
    pub authority: Option<&'a Authority>,
    pub offender: OffenderKind,
    pub penalty: Penalty,
    pub fine_vnd: Option<i64>,
    pub act_on: NaiveDate,
    pub decided_on: NaiveDate,
}

fn vnd(v: i64) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    out
}

pub fn check_decision(d: &Decision<'_>) -> ApiResult<()> {
    if d.decided_on < d.act_on {
        return Err(ApiError::field(
            "decided_on",
            "before_act",
            "must not be before the act",
            "không được trước ngày vi phạm",
        ));
    }
    // The limitation period runs from the act: the day it ends is still in time.
    let barred_after = d
        .act_on
        .checked_add_months(Months::new(d.decree.limitation_months as u32))
        .unwrap_or(d.act_on);
    if d.decided_on > barred_after {
        return Err(ApiError::field(
            "decided_on",
            "time_barred",
            format!(
                "the limitation period ({} months from the act) ended on {barred_after}",
                d.decree.limitation_months
            ),
            format!(
                "đã hết thời hiệu xử phạt ({} tháng kể từ ngày vi phạm), kết thúc ngày {barred_after}",
                d.decree.limitation_months
            ),
        ));
    }
    let authority = d.authority.filter(|a| a.may_sanction).ok_or_else(|| {
        ApiError::field(
            "decided_by_position",
            "no_power",
            "this position has no fining power on that day",
            "chức danh này không có thẩm quyền xử phạt vào ngày đó",
        )
    })?;
    match (d.penalty, d.fine_vnd) {
        (Penalty::Warning, None) => Ok(()),
        (Penalty::Warning, Some(_)) => Err(ApiError::field(
            "fine_vnd",
            "not_with_warning",
            "a warning carries no fine",
            "cảnh cáo không kèm tiền phạt",
        )),
        (Penalty::Fine, None) => Err(ApiError::field(
            "fine_vnd",
            "required",
            "a fine needs its amount",
            "phạt tiền cần số tiền",
        )),
        (Penalty::Fine, Some(fine)) => {
            let (lo, hi) = band(d.decree, d.rule, d.offender);
            if fine < lo || fine > hi {
                return Err(ApiError::field(
                    "fine_vnd",
                    "outside_band",
                    format!(
                        "must be within the band {}–{} VND for this act and offender",
                        vnd(lo),
                        vnd(hi)
                    ),
                    format!(
                        "phải trong khung {}–{} đồng cho hành vi và đối tượng này",
                        vnd(lo),
                        vnd(hi)
                    ),
                ));
            }
            match ceiling(d.decree, authority, d.offender) {
                None => Err(ApiError::field(
                    "penalty",
                    "warning_only",
                    format!("a {} may only warn", authority.position),
                    format!("{} chỉ được phạt cảnh cáo", authority.position),
                )),
                Some(max) if fine > max => Err(ApiError::field(
                    "fine_vnd",
                    "above_authority",
                    format!("a {} may fine at most {} VND here", authority.position, vnd(max)),
                    format!("{} chỉ được phạt tối đa {} đồng", authority.position, vnd(max)),
                )),
                Some(_) => Ok(()),
            }
        }
    }
}

/// The authority of a position on a day.
pub fn authority_on<'a>(authorities: &'a [Authority], position: &str, on: NaiveDate) -> Option<&'a Authority> {
    authorities
        .iter()
        .find(|a| a.position == position && in_force(a.effective_from, a.effective_to, on))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_written_the_vietnamese_way() {
        assert_eq!(vnd(30_000_000), "30.000.000");
        assert_eq!(vnd(500_000), "500.000");
        assert_eq!(vnd(999), "999");
    }
}
