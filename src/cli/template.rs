//! `gongkai template`: a blank form, exactly as the reader expects it.

use super::args::TemplateArgs;
use super::exit::Exit;
use crate::form::Template;

pub fn command(args: TemplateArgs) -> Exit {
    let written = Template::load(&args.template)
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
