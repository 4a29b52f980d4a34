//! The offices of a roster as a tree: a province's cities, each city's
//! districts, each district's own units below it.
//!
//! Every level adds up the same way, so one tree answers every question a
//! run asks of the levels: which offices a unit's form is summed into (its
//! own office and each above it), which offices a return covers, and the
//! path printed beside a unit (贵州省/六盘水市/水城区).

use std::collections::{HashMap, HashSet};

/// The offices of a roster below one top office.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    top: String,
    /// Every office below the top, each right after the office above it
    /// and its siblings in roster order (a return per office, in this order).
    order: Vec<String>,
    /// Each office below the top and the office above it.
    above: HashMap<String, String>,
    /// The offices with an office below them.
    parents: HashSet<String>,
}

/// Why a roster's offices make no tree to roll up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// Offices listed above each other in a circle: no level can be
    /// summed first.
    Cycle(Vec<String>),
    /// An office more than [`DEEPEST`] offices below the top.
    TooDeep { office: String, depth: usize },
}

/// The most offices one office may be below the top: a country's
/// provinces, cities and counties are three; the rest is room, and the
/// bound keeps a roster of a hundred thousand nested lines from making
/// every form's walk up its offices as long.
pub const DEEPEST: usize = 8;

impl Tree {
    /// The tree of `top` from (office above, office below) pairs in roster
    /// order. An office below nothing reachable from `top` is left out; an
    /// office listed under two offices is under the first.
    pub fn new(top: String, edges: &[(String, String)]) -> Result<Tree, Shape> {
        let mut above: HashMap<String, String> = HashMap::new();
        let mut children: HashMap<&str, Vec<&str>> = HashMap::new();
        for (up, down) in edges {
            if down == &top || above.contains_key(down) {
                continue;
            }
            above.insert(down.clone(), up.clone());
            children.entry(up.as_str()).or_default().push(down.as_str());
        }
        // Each office is walked up once: up to an office already settled,
        // the top, or back onto the walk (a circle).
        let mut offices: Vec<&String> = above.keys().collect();
        offices.sort();
        let mut settled: HashSet<&str> = HashSet::new();
        for office in offices {
            let (mut walked, mut on_walk) = (Vec::new(), HashSet::new());
            let mut at = Some(office.as_str());
            while let Some(o) = at.filter(|o| !settled.contains(o)) {
                if !on_walk.insert(o) {
                    let from = walked.iter().position(|w| *w == o).unwrap_or(0);
                    return Err(Shape::Cycle(
                        walked[from..]
                            .iter()
                            .map(|o: &&str| o.to_string())
                            .collect(),
                    ));
                }
                walked.push(o);
                at = above.get(o).map(String::as_str);
            }
            settled.extend(walked);
        }
        let mut order = Vec::new();
        let mut stack: Vec<(&str, usize)> = children
            .get(top.as_str())
            .map(|c| c.iter().rev().map(|o| (*o, 1)).collect())
            .unwrap_or_default();
        while let Some((office, depth)) = stack.pop() {
            if depth > DEEPEST {
                return Err(Shape::TooDeep {
                    office: office.to_string(),
                    depth,
                });
            }
            order.push(office.to_string());
            let below = children.get(office).into_iter().flatten().rev();
            stack.extend(below.map(|o| (*o, depth + 1)));
        }
        let reached: HashSet<&str> = order.iter().map(String::as_str).collect();
        above.retain(|office, _| reached.contains(office.as_str()));
        let parents = above.values().cloned().collect();
        Ok(Tree {
            top,
            order,
            above,
            parents,
        })
    }

    /// The office at the top.
    pub fn top(&self) -> &str {
        &self.top
    }

    /// Every office below the top, each after the office above it.
    pub fn offices(&self) -> &[String] {
        &self.order
    }

    /// Whether any office is below `office`.
    pub fn has_below(&self, office: &str) -> bool {
        self.parents.contains(office)
    }

    pub fn contains(&self, office: &str) -> bool {
        office == self.top || self.above.contains_key(office)
    }

    /// The office right above `office`; `None` for the top and for an
    /// office outside the tree.
    pub fn above(&self, office: &str) -> Option<&str> {
        self.above.get(office).map(String::as_str)
    }

    /// `office` and each office above it, nearest first, up to and without
    /// the top: the offices below the top whose returns a form of `office`'s
    /// units is summed into. An office outside the tree is alone in its
    /// chain; the top's is empty.
    pub fn chain<'a>(&'a self, office: &'a str) -> Vec<&'a str> {
        let mut chain = Vec::new();
        let mut at = Some(office).filter(|o| *o != self.top);
        while let Some(o) = at {
            chain.push(o);
            at = self.above(o).filter(|up| *up != self.top);
        }
        chain
    }

    /// The offices from the top down to `office`: 贵州省, 六盘水市, 水城区.
    pub fn path(&self, office: &str) -> Vec<String> {
        let mut path: Vec<String> = self.chain(office).into_iter().map(String::from).collect();
        path.push(self.top.clone());
        path.reverse();
        path
    }

    /// Whether `office` is `ancestor` or below it.
    pub fn within(&self, office: &str, ancestor: &str) -> bool {
        ancestor == self.top || self.chain(office).contains(&ancestor)
    }

    /// How many offices `office` is below the top: 1 for a city's district.
    pub fn depth(&self, office: &str) -> usize {
        self.chain(office).len()
    }

    /// Each office with the offices below it, in order, found in one pass
    /// (asking each office for its own would grow with the square of a
    /// national year's thousands of districts).
    pub fn below_each(&self) -> HashMap<&str, Vec<&str>> {
        let mut below: HashMap<&str, Vec<&str>> = HashMap::new();
        for office in &self.order {
            for above in self.chain(office).into_iter().skip(1) {
                below.entry(above).or_default().push(office);
            }
        }
        below
    }

    /// The tree of `office` and everything below it, with `office` at the top.
    pub fn subtree(&self, office: &str) -> Tree {
        let order: Vec<String> = self
            .order
            .iter()
            .filter(|o| *o != office && self.within(o, office))
            .cloned()
            .collect();
        let above: HashMap<String, String> = order
            .iter()
            .filter_map(|o| Some((o.clone(), self.above.get(o)?.clone())))
            .collect();
        Tree {
            top: office.to_string(),
            order,
            parents: above.values().cloned().collect(),
            above,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edges(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn a_province_of_two_cities_lists_each_office_after_the_one_above_it() {
        let tree = Tree::new(
            "贵州省".into(),
            &edges(&[
                ("贵州省", "甲市"),
                ("甲市", "子县"),
                ("贵州省", "乙市"),
                ("甲市", "丑区"),
                ("乙市", "寅县"),
            ]),
        )
        .unwrap();
        assert_eq!(tree.offices(), ["甲市", "子县", "丑区", "乙市", "寅县"]);
        assert_eq!(tree.chain("丑区"), ["丑区", "甲市"]);
        assert_eq!(tree.chain("贵州省"), Vec::<&str>::new());
        assert_eq!(tree.chain("名册外"), ["名册外"]);
        assert_eq!(tree.path("寅县"), ["贵州省", "乙市", "寅县"]);
        assert_eq!(tree.path("贵州省"), ["贵州省"]);
        assert!(tree.within("子县", "甲市") && !tree.within("寅县", "甲市"));
        assert_eq!(tree.depth("子县"), 2);
        assert_eq!(tree.below_each()["甲市"], ["子县", "丑区"]);
        assert!(!tree.below_each().contains_key("子县"));
        let city = tree.subtree("甲市");
        assert_eq!(
            (city.top(), city.offices()),
            ("甲市", &["子县".to_string(), "丑区".into()][..])
        );
        assert_eq!(city.chain("丑区"), ["丑区"]);
    }

    #[test]
    fn an_office_above_itself_is_refused_with_the_circle() {
        let err = Tree::new(
            "贵州省".into(),
            &edges(&[
                ("贵州省", "甲市"),
                ("甲市", "子县"),
                ("子县", "丑区"),
                ("丑区", "子县"),
            ]),
        );
        // 子县 is under 甲市 first; 丑区 → 子县 is ignored as a second place.
        assert!(err.is_ok());
        let err = Tree::new(
            "贵州省".into(),
            &edges(&[("乙市", "甲市"), ("甲市", "乙市"), ("甲市", "丙县")]),
        )
        .unwrap_err();
        assert_eq!(err, Shape::Cycle(vec!["甲市".into(), "乙市".into()]));
        // A hundred thousand offices each below the last: refused at the
        // ninth, and found so in one pass.
        let mut chain = vec![("贵州省".to_string(), "第0级".to_string())];
        chain.extend((1..100_000).map(|i| (format!("第{}级", i - 1), format!("第{i}级"))));
        assert_eq!(
            Tree::new("贵州省".into(), &chain).unwrap_err(),
            Shape::TooDeep {
                office: "第8级".into(),
                depth: 9
            }
        );
        let mut circle = chain.clone();
        circle.push(("第99999级".into(), "第0级".into()));
        circle[0] = ("第99999级".into(), "第0级".into());
        assert!(matches!(
            Tree::new("贵州省".into(), &circle),
            Err(Shape::Cycle(c)) if c.len() == 100_000
        ));
    }
}
