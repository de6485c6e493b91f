//! Participants counted by sex, shared by trainings and outreach events.
//!
//! A record carries counts (`female`, `male`, `other`; the total is derived, never typed) or a
//! list of named participants from which the service derives the counts. Both together must
//! agree (422 otherwise). Names are people's data: partners never see them.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::db::schema::participants;
use crate::error::{ApiError, ApiResult, FieldError, Text};

/// Participants by sex.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"female": 32, "male": 11, "other": 0, "total": 43}))]
pub struct Counts {
    pub female: i32,
    pub male: i32,
    /// Unspecified or another sex.
    pub other: i32,
    /// Derived: `female + male + other`.
    #[serde(default)]
    pub total: i32,
}

impl Counts {
    pub fn new(female: i32, male: i32, other: i32) -> Self {
        Self {
            female,
            male,
            other,
            total: female.saturating_add(male).saturating_add(other),
        }
    }
}

/// Counts as a client sends them (no total: it is derived).
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"female": 32, "male": 11, "other": 0}))]
pub struct CountsInput {
    #[validate(range(min = 0, max = 10_000_000))]
    #[serde(default)]
    pub female: i32,
    #[validate(range(min = 0, max = 10_000_000))]
    #[serde(default)]
    pub male: i32,
    #[validate(range(min = 0, max = 10_000_000))]
    #[serde(default)]
    pub other: i32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
    Other,
}

impl Sex {
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
            Sex::Other => "other",
        }
    }
}

/// A named participant.
#[derive(Clone, Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Nguyễn Thị Lan", "sex": "female", "unit_name": "Phường Hạ Long", "position": "Cộng tác viên"}))]
pub struct Participant {
    #[validate(length(min = 1, max = 200))]
    pub name: String,
    pub sex: Sex,
    #[validate(length(max = 300))]
    pub unit_name: Option<String>,
    #[validate(length(max = 200))]
    pub position: Option<String>,
}

/// The counts to store: from the list when there is one (and then any typed counts must
/// agree), else the typed counts.
pub fn resolve(counts: Option<&CountsInput>, list: Option<&[Participant]>) -> ApiResult<Counts> {
    let Some(list) = list else {
        let c = counts.copied().unwrap_or_default();
        return Ok(Counts::new(c.female, c.male, c.other));
    };
    let count = |s: Sex| list.iter().filter(|p| p.sex == s).count() as i32;
    let derived = Counts::new(count(Sex::Female), count(Sex::Male), count(Sex::Other));
    if let Some(c) = counts {
        if (c.female, c.male, c.other) != (derived.female, derived.male, derived.other) {
            return Err(ApiError::Validation(vec![FieldError::new(
                "participants",
                "counts_disagree",
                Text::new(
                    format!(
                        "the list has {} female, {} male and {} other participants, but the counts say {}, {} and {}",
                        derived.female, derived.male, derived.other, c.female, c.male, c.other
                    ),
                    format!(
                        "danh sách có {} nữ, {} nam, {} khác nhưng số liệu nhập là {}, {}, {}",
                        derived.female, derived.male, derived.other, c.female, c.male, c.other
                    ),
                ),
            )]));
        }
    }
    Ok(derived)
}

/// Replaces the participant list of a record.
pub async fn replace(conn: &mut AsyncPgConnection, record_id: Uuid, list: &[Participant]) -> QueryResult<()> {
    diesel::delete(participants::table.filter(participants::record_id.eq(record_id)))
        .execute(conn)
        .await?;
    let rows: Vec<_> = list
        .iter()
        .enumerate()
        .map(|(i, p)| {
            (
                participants::record_id.eq(record_id),
                participants::ordinal.eq(i as i32),
                participants::name.eq(p.name.trim()),
                participants::sex.eq(p.sex.as_str()),
                participants::unit_name.eq(p.unit_name.as_deref()),
                participants::position.eq(p.position.as_deref()),
            )
        })
        .collect();
    for chunk in rows.chunks(1000) {
        diesel::insert_into(participants::table)
            .values(chunk.to_vec())
            .execute(conn)
            .await?;
    }
    Ok(())
}

pub async fn list(conn: &mut AsyncPgConnection, record_id: Uuid) -> QueryResult<Vec<Participant>> {
    let rows: Vec<(String, String, Option<String>, Option<String>)> = participants::table
        .filter(participants::record_id.eq(record_id))
        .order(participants::ordinal)
        .select((
            participants::name,
            participants::sex,
            participants::unit_name,
            participants::position,
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(name, sex, unit_name, position)| Participant {
            name,
            sex: match sex.as_str() {
                "female" => Sex::Female,
                "male" => Sex::Male,
                _ => Sex::Other,
            },
            unit_name,
            position,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(sex: Sex) -> Participant {
        Participant {
            name: "x".into(),
            sex,
            unit_name: None,
            position: None,
        }
    }

    #[test]
    fn counts_come_from_the_list_and_must_agree() {
        let list = [p(Sex::Female), p(Sex::Female), p(Sex::Male)];
        assert_eq!(resolve(None, Some(&list)).unwrap(), Counts::new(2, 1, 0));
        let agree = CountsInput {
            female: 2,
            male: 1,
            other: 0,
        };
        assert_eq!(resolve(Some(&agree), Some(&list)).unwrap().total, 3);
        let disagree = CountsInput {
            female: 3,
            male: 1,
            other: 0,
        };
        assert!(resolve(Some(&disagree), Some(&list)).is_err());
        assert_eq!(resolve(Some(&disagree), None).unwrap().total, 4);
        assert_eq!(resolve(None, None).unwrap(), Counts::default());
    }
}
