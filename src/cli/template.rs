//! `gongkai template`: a blank form, exactly as the reader expects it.

use super::args::TemplateArgs;
use super::exit::Exit;
use crate::form::{Template, registry};

pub fn command(args: TemplateArgs) -> Exit {
    let id = args
        .template
        .unwrap_or_else(|| registry::for_year(registry::current_data_year()).to_string());
    let written = Template::load(&id)
        .map_err(anyhow::Error::from)
        .and_then(|t| Ok(crate::output::form::write_blank(&args.out, &t)?));
    match written {
        Ok(()) => {
            println!("{}", args.out.display());
            Exit::Done
        }
        Err(e) => super::fail(&e),
    }
}
