//! Decompresses the committed tables (`data/*.zst`, written by `dxpx data build`) into the
//! build's output folder, each table with its index (row starts and keys, the layout of
//! `src/codes/layout.rs`), so that the binary holds them in the form they are read in.
//! Nothing is then decompressed or indexed at start-up, and a lookup touches only the
//! pages of the rows it compares: most of the data is never read into memory at all.

use std::path::{Path, PathBuf};

#[path = "src/codes/layout.rs"]
mod layout;

fn main() {
    println!("cargo:rerun-if-changed=data");
    println!("cargo:rerun-if-changed=src/codes/layout.rs");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut names: Vec<PathBuf> = std::fs::read_dir("data")
        .expect("the data folder")
        .map(|e| e.expect("a data folder entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "zst"))
        .collect();
    names.sort();
    for path in names {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let text = zstd::stream::decode_all(&bytes[..])
            .unwrap_or_else(|e| panic!("{} does not decompress: {e}", path.display()));
        let stem = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".zst"))
            .expect("a UTF-8 file name");
        write(&out.join(stem), &text);
        if let Some(table) = stem.strip_suffix(".tsv") {
            assert!(
                u32::try_from(text.len()).is_ok(),
                "{} is over 4 GiB",
                path.display()
            );
            let (starts, keys, _) = layout::index(&text);
            write(&out.join(format!("{table}.rows")), &starts);
            write(&out.join(format!("{table}.keys")), &keys);
        }
    }
}

/// Writes only what changed, so an unchanged table does not rebuild the crate.
fn write(path: &Path, bytes: &[u8]) {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return;
    }
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}
