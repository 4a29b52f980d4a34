//! `gongkai demo`: a synthetic year of forms to try the tool on and to
//! benchmark it with.

use super::args::DemoArgs;
use super::exit::Exit;
use crate::form::Template;

pub fn command(args: DemoArgs) -> Exit {
    let made = demo_year(&args);
    match made {
        Ok(dir) => {
            println!("{} forms in {}", args.townships, dir.display());
            println!(
                "roll them up: gongkai run {} --hierarchy {}",
                args.out.display(),
                args.out.join("hierarchy.csv").display()
            );
            Exit::Done
        }
        Err(e) => super::fail(&e),
    }
}

fn demo_year(args: &DemoArgs) -> anyhow::Result<std::path::PathBuf> {
    let year = args.year.unwrap_or(match args.template.as_deref() {
        None | Some("lps2018") => 2018,
        Some("nat2019") => 2020,
        Some(_) => 2025,
    });
    let id = args
        .template
        .clone()
        .unwrap_or_else(|| Template::for_year(year).to_string());
    let template = Template::load(&id)?;
    Ok(crate::demo::generate(
        &template,
        args.townships,
        &args.out,
        args.seed,
        year,
    )?)
}
