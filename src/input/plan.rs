//! A run resolved once from the flags, the environment and the input: what
//! to read, for which year, with which form, roster, last year and
//! explanations, and where to write. Everything after this takes the plan
//! as settled, as ripgrep turns its flags into resolved arguments before
//! searching.

use std::path::{Path, PathBuf};

use crate::form::Template;
use crate::input::discover::{
    Found, InYear, Skipped, discover, discover_district, district_folder, single_file, year_folder,
    year_of_file,
};
use crate::input::roster::Roster;
use crate::input::tree::Tree;

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Template(#[from] crate::form::TemplateError),
    #[error(transparent)]
    Roster(#[from] crate::input::roster::RosterError),
    #[error(transparent)]
    Discover(#[from] crate::input::discover::DiscoverError),
    #[error(
        "{path} 是 {district} {year} 年度报表的文件夹；要汇总 {wanted} 年度，请运行 `gongkai run {root} --year {wanted}`"
    )]
    DistrictOfAnotherYear {
        path: String,
        district: String,
        year: i32,
        wanted: i32,
        root: String,
    },
}

/// When records.csv is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Csv {
    /// When its rows fit a spreadsheet; beyond that records.parquet alone.
    WhenItFits,
    /// Always (`--csv`).
    Always,
}

/// Whether the run writes the drafts of the annual reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drafts {
    Written,
    /// `--no-report`.
    Skipped,
}

/// What the user asked for, as the command line gave it.
#[derive(Debug, Clone)]
pub struct Options {
    pub input: PathBuf,
    /// Where results go (OUT/<year>/); `None` for `gongkai check`, which
    /// writes nothing.
    pub out: Option<PathBuf>,
    pub year: Option<i32>,
    pub hierarchy: Option<PathBuf>,
    /// A template id or file; by default the data year's form.
    pub template: Option<String>,
    pub jobs: Option<usize>,
    pub progress: bool,
    /// Last year's records; by default OUT/<year-1>/records.parquet when it exists.
    pub previous: Option<PathBuf>,
    /// The office's explanations; by default explanations.csv in the year folder.
    pub explanations: Option<PathBuf>,
    /// Unexplained warnings count toward the exit code too.
    pub strict: bool,
    /// Overrides the template's swing thresholds.
    pub swing_ratio: Option<f64>,
    pub swing_at_least: Option<f64>,
    pub csv: Csv,
    pub drafts: Drafts,
    /// How long to wait for another run writing the same OUT/<year>.
    pub wait: std::time::Duration,
}

/// What the files a run reads stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// A year of the roster's forms: a unit without one has sent nothing.
    Year,
    /// One file a clerk checks before sending it: nobody else is missing,
    /// and a folder that is no district says nothing about the unit.
    OneFile,
}

/// What a run reads.
#[derive(Debug, Clone)]
pub enum Target {
    /// A year folder of a roster's forms.
    Year { dir: PathBuf },
    /// One district's folder of a year (or a province's city's, or that
    /// city's district's): that office rolled up alone. `folders` lead
    /// from the year folder down to it, its own last.
    District { dir: PathBuf, folders: Vec<String> },
    /// One file a clerk checks before sending it, and the year folder it
    /// is part of, if any.
    File { year_dir: Option<PathBuf> },
}

/// Where last year's records come from.
#[derive(Debug, Clone)]
pub enum LastYear {
    /// `--previous`: unusable stops the run, since the user asked for it.
    Given(PathBuf),
    /// What a run of last year left in OUT: unusable is a warning.
    Found(PathBuf),
    None,
}

/// Why the run uses its form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormChoice {
    /// `--template`.
    Given,
    /// The form in force for the data year.
    Year,
    /// A lone file's own form, told by its labels.
    File,
}

impl FormChoice {
    pub fn describe(self, year: i32) -> String {
        match self {
            FormChoice::Given => "，按 --template 指定".into(),
            FormChoice::Year => format!("，{year} 年度适用的格式"),
            FormChoice::File => "，按文件内的表格识别".into(),
        }
    }
}

/// The office a run rolls up for: its return heads the set, and its set
/// is OUT/<year>/<name>, beside other offices' sets in a shared OUT.
#[derive(Debug, Clone)]
pub struct Office {
    /// The roster's city for a year folder; the district for its folder.
    pub name: String,
    /// It and the offices below it whose returns the run writes too (a
    /// city's districts, a province's cities and their districts); none
    /// below a district's run over its own units.
    pub tree: Tree,
    /// Who signs each office's return on its 填报单位 line: the office's own
    /// government unit, where the roster lists one (六盘水市人民政府办公室).
    pub filers: std::collections::HashMap<String, String>,
}

impl Office {
    /// The office of a whole roster: its top office, with every office below.
    pub fn whole(roster: &Roster) -> Office {
        Office::of(roster.city.clone(), roster)
    }

    /// The office `name` of `roster`, with the offices below it.
    pub fn of(name: String, roster: &Roster) -> Office {
        let filers = roster
            .units
            .iter()
            .filter(|u| u.kind == crate::form::UnitKind::Government)
            .map(|u| (u.district.clone(), u.township.clone()))
            .collect();
        Office {
            tree: roster.tree.subtree(&name),
            name,
            filers,
        }
    }
}

/// Where an office's set of a year lives in OUT: its own folder, so that
/// a district's run and its city's never replace each other's outputs.
pub fn set_dir(out: &Path, year: i32, office: &str) -> PathBuf {
    out.join(year.to_string())
        .join(crate::text::safe_name(office).as_ref())
}

/// The run, settled.
#[derive(Debug)]
pub struct Plan {
    pub target: Target,
    pub files: Vec<Found>,
    /// Files that are not spreadsheets by their name.
    pub ignored: Vec<Found>,
    /// Links and folders of the input tree that are not read.
    pub skipped: Vec<Skipped>,
    pub year: i32,
    pub template: Template,
    pub form_choice: FormChoice,
    pub roster: Roster,
    pub office: Office,
    pub last_year: LastYear,
    pub explanations: Option<PathBuf>,
    pub strict: bool,
    /// The office's set, OUT/<year>/<office>, when the run writes.
    pub out: Option<PathBuf>,
    pub csv: Csv,
    pub drafts: Drafts,
}

impl Plan {
    pub fn resolve(opts: &Options) -> Result<Plan, PlanError> {
        let (target, year, detected) = target_of(opts)?;
        // The roster says which folders are offices' (a province's cities'
        // districts), so it is read first; the tree is walked while the
        // form is read: at 40,000 forms each takes tens of milliseconds.
        let roster = roster_of(opts, &target, year)?;
        let offices = |folders: &[String]| roster.folder_of(folders).is_some();
        let (found, settled) = rayon::join(
            || match &target {
                Target::File { .. } => Ok(crate::input::discover::Discovery {
                    forms: vec![single_file(&opts.input)],
                    ..Default::default()
                }),
                Target::District { dir, folders } => {
                    discover_district(dir, &opts.input, folders, &offices)
                }
                Target::Year { dir } => discover(dir, &offices),
            },
            || form_of(opts, detected, year),
        );
        let found = found?;
        let (template, form_choice) = settled?;
        let office = match &target {
            Target::District { folders, .. } => {
                let name = roster
                    .office_of_folders(folders)
                    .unwrap_or_else(|| folders.last().cloned().unwrap_or_default());
                Office::of(name, &roster)
            }
            Target::Year { .. } | Target::File { .. } => Office::whole(&roster),
        };
        let out = opts.out.as_ref().map(|o| set_dir(o, year, &office.name));
        let last_year = match (&opts.previous, &opts.out) {
            (Some(path), _) => LastYear::Given(path.clone()),
            (None, Some(o)) => {
                let own = set_dir(o, year - 1, &office.name).join("records.parquet");
                // Sets written before each office had its own folder are
                // OUT/<year> itself, and were always the whole roster's.
                let whole = o.join((year - 1).to_string()).join("records.parquet");
                match (own.is_file(), &target) {
                    (true, _) => LastYear::Found(own),
                    (false, Target::Year { .. }) if whole.is_file() => LastYear::Found(whole),
                    _ => LastYear::None,
                }
            }
            (None, None) => LastYear::None,
        };
        let explanations = opts.explanations.clone().or_else(|| match &target {
            Target::Year { dir } | Target::District { dir, .. } => {
                Some(dir.join(crate::input::discover::EXPLANATIONS)).filter(|p| p.is_file())
            }
            Target::File { .. } => None,
        });
        // The year's own explanations and roster are read, not reported.
        let ignored = found
            .ignored
            .into_iter()
            .filter(|f| Some(&f.path) != explanations.as_ref())
            .filter(|f| !f.folders.is_empty() || f.shown != crate::input::discover::ROSTER)
            .collect();
        Ok(Plan {
            target,
            files: found.forms,
            ignored,
            skipped: found.skipped,
            year,
            template,
            form_choice,
            roster,
            office,
            last_year,
            explanations,
            strict: opts.strict,
            out,
            csv: opts.csv,
            drafts: opts.drafts,
        })
    }

    /// The folder the files' shown paths are relative to: the year folder
    /// (a lone file's path is shown as given, so relative to here).
    pub fn inputs_dir(&self) -> PathBuf {
        match &self.target {
            Target::Year { dir } | Target::District { dir, .. } => dir.clone(),
            Target::File { .. } => PathBuf::new(),
        }
    }

    pub fn is_one_file(&self) -> bool {
        matches!(self.target, Target::File { .. })
    }

    /// What the files stand for: a year of the roster, or one file.
    pub fn coverage(&self) -> Coverage {
        match self.target {
            Target::File { .. } => Coverage::OneFile,
            Target::Year { .. } | Target::District { .. } => Coverage::Year,
        }
    }

    /// What the run reads, for the log: `2018年度`, `2018年度 水城县` or `单个文件`.
    pub fn what(&self) -> String {
        match &self.target {
            Target::Year { .. } => format!("{}年度", self.year),
            Target::District { folders, .. } => {
                format!("{}年度 {}", self.year, folders.join("/"))
            }
            Target::File { .. } => "单个文件".into(),
        }
    }
}

/// What the input is and the data year it holds, and the form a lone file
/// carries.
fn target_of(opts: &Options) -> Result<(Target, i32, Option<&'static str>), PlanError> {
    if opts.input.is_file() {
        // A file may sit in a unit's own folder (`水城区/以朵街道/`).
        let in_year = of_the_year(opts, year_of_file(&opts.input), |r, f| {
            r.folder_of(f).is_some()
        })?;
        let known = opts.year.or(in_year.as_ref().map(|y| y.year));
        let target = Target::File {
            year_dir: in_year.map(|y| y.dir),
        };
        let (detected, dated) = crate::read::identify(&opts.input);
        // A year told by `--year` or by the folder the file sits in is
        // judged as that year's run judges it: with that year's form, so a
        // file on another year's format is refused here as it is there.
        // Only a file of no known year is read as the form it holds.
        let Some(year) = known else {
            // A 填报日期 in 2019 means the 2018 form.
            let year = dated
                .map(|y| y - 1)
                .unwrap_or_else(crate::form::registry::current_data_year);
            return Ok((target, year, detected));
        };
        return Ok((target, year, None));
    }
    if let Some(InYear {
        dir: year_dir,
        year,
        folders,
    }) = of_the_year(opts, district_folder(&opts.input), |r, f| {
        r.office_of_folders(f).is_some()
    })? {
        if let Some(wanted) = opts.year.filter(|&y| y != year) {
            return Err(PlanError::DistrictOfAnotherYear {
                path: opts.input.display().to_string(),
                district: folders.join("/"),
                year,
                wanted,
                root: year_dir.parent().unwrap_or(&year_dir).display().to_string(),
            });
        }
        let target = Target::District {
            dir: year_dir,
            folders,
        };
        return Ok((target, year, None));
    }
    let (dir, year) = year_folder(&opts.input, opts.year)?;
    Ok((Target::Year { dir }, year, None))
}

/// The run's form and why.
fn form_of(
    opts: &Options,
    detected: Option<&'static str>,
    year: i32,
) -> Result<(Template, FormChoice), PlanError> {
    let (id, form_choice) = match (&opts.template, detected) {
        (Some(t), _) => (t.clone(), FormChoice::Given),
        (None, Some(id)) => (id.to_string(), FormChoice::File),
        (None, None) => (
            crate::form::registry::for_year(year).to_string(),
            FormChoice::Year,
        ),
    };
    let mut template = Template::load(&id)?;
    template.set_swing(opts.swing_ratio, opts.swing_at_least);
    Ok((template, form_choice))
}

/// The run's roster: `--hierarchy`, the year folder's 名册.csv or the
/// built-in one; one office's part of it, for that office's folder.
fn roster_of(opts: &Options, target: &Target, year: i32) -> Result<Roster, PlanError> {
    let year_dir = match target {
        Target::Year { dir } | Target::District { dir, .. } => Some(dir.as_path()),
        Target::File { year_dir } => year_dir.as_deref(),
    };
    let mut roster = roster_in(opts, year_dir, year)?;
    if let Target::District { folders, .. } = target {
        roster = roster.within(folders);
    }
    Ok(roster)
}

/// `--hierarchy`, else the year folder's 名册.csv, else the built-in roster.
fn roster_in(opts: &Options, year_dir: Option<&Path>, year: i32) -> Result<Roster, PlanError> {
    let in_year = year_dir
        .map(|d| d.join(crate::input::discover::ROSTER))
        .filter(|p| p.is_file());
    Ok(match opts.hierarchy.as_ref().or(in_year.as_ref()) {
        Some(path) => Roster::from_csv(path)?,
        None => Roster::liupanshui(year),
    })
}

/// The year folder a lone file or an office's folder is part of: the one
/// it sits in, or one further up when that year's roster says the folders
/// between are its (`named`): offices (a province's `2025/六盘水市/水城区/`)
/// or a unit's own. A folder the roster names nothing for (`水城县/旧表/`)
/// is not part of the year.
fn of_the_year(
    opts: &Options,
    in_year: Option<InYear>,
    named: fn(&Roster, &[String]) -> bool,
) -> Result<Option<InYear>, PlanError> {
    let Some(in_year) = in_year else {
        return Ok(None);
    };
    if in_year.folders.len() <= 1 {
        return Ok(Some(in_year));
    }
    let roster = roster_in(opts, Some(&in_year.dir), in_year.year)?;
    Ok(Some(in_year).filter(|y| named(&roster, &y.folders)))
}
