//! Vocabulary of the law shared by several resources.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The eight areas of the Law on Gender Equality (73/2006/QH11, Articles 11-18).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LawArea {
    /// Article 11: politics.
    Politics,
    /// Article 12: economy.
    Economy,
    /// Article 13: labour.
    Labour,
    /// Article 14: education and training.
    EducationTraining,
    /// Article 15: science and technology.
    ScienceTechnology,
    /// Article 16: culture, information and sport.
    CultureInformationSport,
    /// Article 17: health.
    Health,
    /// Article 18: family.
    Family,
}

impl LawArea {
    pub const ALL: [LawArea; 8] = [
        LawArea::Politics,
        LawArea::Economy,
        LawArea::Labour,
        LawArea::EducationTraining,
        LawArea::ScienceTechnology,
        LawArea::CultureInformationSport,
        LawArea::Health,
        LawArea::Family,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LawArea::Politics => "politics",
            LawArea::Economy => "economy",
            LawArea::Labour => "labour",
            LawArea::EducationTraining => "education_training",
            LawArea::ScienceTechnology => "science_technology",
            LawArea::CultureInformationSport => "culture_information_sport",
            LawArea::Health => "health",
            LawArea::Family => "family",
        }
    }

    pub fn parse(s: &str) -> Option<LawArea> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// Areas as stored (sorted, without duplicates).
pub fn areas_to_db(areas: &[LawArea]) -> Vec<String> {
    let mut v: Vec<LawArea> = areas.to_vec();
    v.sort();
    v.dedup();
    v.into_iter().map(|a| a.as_str().to_string()).collect()
}

pub fn areas_from_db(areas: &[String]) -> Vec<LawArea> {
    areas.iter().filter_map(|a| LawArea::parse(a)).collect()
}

/// The `snake_case` name serde gives an enum value (how enums are stored as text).
pub fn enum_text<T: Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The enum value stored as `s`, if it names one.
pub fn enum_parse<T: for<'de> Deserialize<'de>>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
}
