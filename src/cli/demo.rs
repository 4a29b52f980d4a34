//! `gongkai demo`: a synthetic year of forms to try the tool on and to
//! benchmark it with.

use super::args::DemoArgs;
use super::exit::Exit;
use crate::form::{Template, registry};

pub fn command(args: DemoArgs) -> Exit {
    let made = demo_year(&args);
    match made {
        Ok(dir) => {
            println!("已生成 {} 份报表：{}", args.townships, dir.display());
            println!(
                "汇总：gongkai run {} --hierarchy {}",
                args.out.display(),
                args.out.join("hierarchy.csv").display()
            );
            Exit::Done
        }
        Err(e) => super::fail(&e),
    }
}

/// The forms of `--year` on `--template`; either, when not given, from the
/// other: the form in force that year, or the last year the form is in
/// force up to last year (the first form's last year, given neither).
fn demo_year(args: &DemoArgs) -> anyhow::Result<std::path::PathBuf> {
    let last_year = registry::current_data_year();
    let (template, year) = match (&args.template, args.year) {
        (Some(id), year) => {
            let template = Template::load(id)?;
            let year = year.unwrap_or_else(|| registry::last_year_of(&template, last_year));
            (template, year)
        }
        (None, Some(year)) => (Template::load(registry::for_year(year))?, year),
        (None, None) => {
            let first = registry::known().first().map_or("", |t| t.id.as_str());
            let template = Template::load(first)?;
            let year = registry::last_year_of(&template, last_year);
            (template, year)
        }
    };
    Ok(crate::demo::generate(
        &template,
        args.townships,
        &args.out,
        args.seed,
        year,
    )?)
}
