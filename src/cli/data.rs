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
    let written = build::write_to(&built, out).and_then(|mut paths| {
        let sets = crate::codes::CodeSets::from_built(&built)
            .map_err(|e| build::BuildError::new(out, None, e.to_string()))?;
        for (stem, bytes) in crate::prebuilt::build(&sets) {
            let path = out.join(crate::prebuilt::file_name(stem));
            zstd::bulk::compress(&bytes, 19)
                .and_then(|z| std::fs::write(&path, z))
                .map_err(|e| build::BuildError::new(&path, None, e.to_string()))?;
            paths.push(path);
        }
        Ok(paths)
    });
    match written {
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
