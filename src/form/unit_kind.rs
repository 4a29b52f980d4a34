//! Who fills in a form: the kinds of unit an office adds up.

/// What kind of unit reports to an office, as published reports count them
/// ("全区 12 个乡镇（街道）、25 个区直部门和区政府本级").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// A township-level unit: 乡、镇、街道.
    Township,
    /// A department of the office's government: 区直/县直/市直部门, 直属机构.
    Department,
    /// The government itself (its office's own report): 本级.
    Government,
    /// An office one level below, which sends its own return: a city's district.
    Lower,
}

impl UnitKind {
    /// The kinds in the order a report counts them.
    pub const ALL: [UnitKind; 4] = [
        UnitKind::Township,
        UnitKind::Department,
        UnitKind::Government,
        UnitKind::Lower,
    ];

    /// The word a roster uses for the kind, and the name outputs print.
    pub fn label(self) -> &'static str {
        match self {
            UnitKind::Township => "乡镇（街道）",
            UnitKind::Department => "部门",
            UnitKind::Government => "本级",
            UnitKind::Lower => "下级",
        }
    }

    /// As records and run.json write it.
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Township => "township",
            UnitKind::Department => "department",
            UnitKind::Government => "government",
            UnitKind::Lower => "lower",
        }
    }

    /// The kind a roster line names: 乡镇, 乡, 镇, 街道 (or 乡镇（街道）); 部门 (or
    /// 直属机构); 本级; 下级.
    pub(crate) fn parse(word: &str) -> Option<UnitKind> {
        let word = crate::text::normalize_label(word);
        Some(match word.as_str() {
            "乡镇" | "乡" | "镇" | "街道" | "乡镇（街道）" | "township" => {
                UnitKind::Township
            }
            "部门" | "直属机构" | "department" => UnitKind::Department,
            "本级" | "government" => UnitKind::Government,
            "下级" | "lower" => UnitKind::Lower,
            _ => return None,
        })
    }
}
