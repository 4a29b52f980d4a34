//! The forms built into the binary, and which of them a data year fills
//! in: each template says so itself (`in_force`), so a year is matched to
//! its form here and nowhere else.

use std::sync::LazyLock;

use super::Template;

/// The templates compiled into the binary, by id.
const BUILT_IN: &[(&str, &str)] = &[
    ("lps2018", include_str!("../../templates/lps2018.toml")),
    ("nat2019", include_str!("../../templates/nat2019.toml")),
    ("nat2021", include_str!("../../templates/nat2021.toml")),
];

/// The built-in forms, parsed once: what the reader tells a file's form by.
pub fn known() -> &'static [Template] {
    static PARSED: LazyLock<Vec<Template>> = LazyLock::new(|| {
        BUILT_IN
            .iter()
            .filter_map(|(id, text)| Template::parse(text, id).ok())
            .collect()
    });
    &PARSED
}

/// The text of a built-in template.
pub fn text_of(id: &str) -> Option<&'static str> {
    BUILT_IN
        .iter()
        .find(|(i, _)| *i == id)
        .map(|(_, text)| *text)
}

/// The ids of the built-in templates.
pub fn ids() -> impl Iterator<Item = &'static str> {
    BUILT_IN.iter().map(|(id, _)| *id)
}

/// The built-in form in force for a data year: the one whose `in_force`
/// holds it, else the nearest: the earliest form for a year before them
/// all, the latest after.
pub fn for_year(year: i32) -> &'static str {
    let forms = known();
    let in_force = forms
        .iter()
        .find(|t| t.in_force.is_some_and(|f| f.contains(year)));
    let nearest = || {
        forms
            .iter()
            .filter_map(|t| Some((t, t.in_force?)))
            .min_by_key(|(_, f)| {
                let from = f.from.unwrap_or(i32::MIN);
                let to = f.to.unwrap_or(i32::MAX);
                (from - year).max(year - to).max(0)
            })
            .map(|(t, _)| t)
    };
    in_force
        .or_else(nearest)
        .map(|t| t.id.as_str())
        .unwrap_or(BUILT_IN[0].0)
}

/// The data year offices report on now: forms for a year are filled in
/// early the next year.
pub fn current_data_year() -> i32 {
    chrono::Datelike::year(&chrono::Local::now()) - 1
}

/// The last data year a form is in force, up to `until`: the year a demo
/// of it fills in.
pub fn last_year_of(template: &Template, until: i32) -> i32 {
    match template.in_force {
        Some(f) => {
            f.to.map_or(until, |to| to.min(until))
                .max(f.from.unwrap_or(i32::MIN))
        }
        None => until,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_year_picks_the_form_its_template_says_is_in_force() {
        assert_eq!(for_year(2010), "lps2018");
        assert_eq!(for_year(2018), "lps2018");
        assert_eq!(for_year(2019), "nat2019");
        assert_eq!(for_year(2020), "nat2019");
        assert_eq!(for_year(2021), "nat2021");
        assert_eq!(for_year(2025), "nat2021");
    }

    #[test]
    fn no_two_built_in_forms_are_in_force_in_the_same_year() {
        for year in 2000..2040 {
            let n = known()
                .iter()
                .filter(|t| t.in_force.is_some_and(|f| f.contains(year)))
                .count();
            assert!(n <= 1, "{year}: {n} forms in force");
        }
        assert_eq!(known().len(), BUILT_IN.len(), "every built-in form parses");
    }

    #[test]
    fn a_demo_fills_in_the_last_year_of_its_form_up_to_last_year() {
        let form = |id| Template::load(id).unwrap();
        assert_eq!(last_year_of(&form("lps2018"), 2025), 2018);
        assert_eq!(last_year_of(&form("nat2019"), 2025), 2020);
        assert_eq!(last_year_of(&form("nat2021"), 2025), 2025);
    }
}
