//! The tree tells the pipeline: each top-level module of `src/` uses only
//! the modules below it in [`LAYERS`], so there is no import cycle and a
//! stage never reaches back into a later one.

use std::collections::BTreeSet;
use std::path::Path;

/// From the bottom up; modules of one layer do not use each other.
const LAYERS: &[&[&str]] = &[
    &["text", "findings", "panics"],
    &["form"],
    &["read"],
    &["input"],
    &["audit"],
    &["rollup"],
    &["output"],
    &["pipeline", "demo"],
    &["cli"],
];

fn layer_of(module: &str) -> usize {
    LAYERS
        .iter()
        .position(|layer| layer.contains(&module))
        .unwrap_or_else(|| panic!("src/{module} is in no layer of tests/it/layout.rs"))
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn each_module_uses_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut wrong = BTreeSet::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        let first = relative.components().next().unwrap().as_os_str();
        let module = first.to_str().unwrap().trim_end_matches(".rs");
        if module == "lib" || module == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        // A module's own tests may use anything.
        let code = text.split("#[cfg(test)]").next().unwrap();
        for (at, _) in code.match_indices("crate::") {
            let rest = &code[at + 7..];
            // `crate::{a, b::c}` names several modules at once.
            let names = match rest.strip_prefix('{') {
                Some(list) => list.split('}').next().unwrap_or_default(),
                None => rest,
            };
            for name in names.split(',') {
                let used: String = name
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !used.is_empty() && used != module && layer_of(&used) >= layer_of(module) {
                    wrong.insert(format!("{} uses crate::{used}", relative.display()));
                }
                if !rest.starts_with('{') {
                    break;
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
