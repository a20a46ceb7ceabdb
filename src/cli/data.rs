//! `dxpx data build`: regenerate `data/` from the official files.

use crate::codes::build;
use std::path::Path;
use std::process::ExitCode;

pub fn build(from: &Path, out: &Path) -> ExitCode {
    let built = match build::build_from(from) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("dxpx: {e}");
            return ExitCode::from(super::EXIT_USAGE);
        }
    };
    match build::write_to(&built, out) {
        Ok(paths) => {
            for r in &built.releases {
                eprintln!("{}: {} (from {})", r.set, r.release, r.sources.join(", "));
            }
            eprintln!("wrote {} files to {}", paths.len(), out.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("dxpx: {e}");
            ExitCode::from(super::EXIT_USAGE)
        }
    }
}
