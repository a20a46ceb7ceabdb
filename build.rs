//! Decompresses the committed tables (`data/*.zst`, written by `dxpx data build`) into the
//! build's output folder, each table with the index of its row starts, so that the binary
//! holds them in the form they are read in. Nothing is then decompressed or indexed at
//! start-up, and a lookup touches only the pages of the rows it compares: most of the
//! data is never read into memory at all.

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=data");
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
            let (starts, keys) = index(&text);
            write(&out.join(format!("{table}.rows")), &starts);
            write(&out.join(format!("{table}.keys")), &keys);
        }
    }
}

/// What `codes::table::Table` reads beside a table's text (its test checks the two agree):
/// the byte offset of every row as little-endian u32s, and every row's key padded with
/// zero bytes to the longest key's width, so that a binary search reads the keys alone.
fn index(text: &[u8]) -> (Vec<u8>, Vec<u8>) {
    assert!(u32::try_from(text.len()).is_ok(), "a table over 4 GiB");
    let mut rows: Vec<(usize, &[u8])> = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        let end = text[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(text.len(), |i| pos + i + 1);
        let line = &text[pos..end];
        let key_end = line
            .iter()
            .position(|&b| matches!(b, b'\t' | b'\n' | b'\r'))
            .unwrap_or(line.len());
        rows.push((pos, &line[..key_end]));
        pos = end;
    }
    let width = rows.iter().map(|r| r.1.len()).max().unwrap_or(0).max(1);
    let mut starts = Vec::with_capacity(rows.len() * 4);
    let mut keys = Vec::with_capacity(rows.len() * width);
    for (start, key) in rows {
        starts.extend_from_slice(&(start as u32).to_le_bytes());
        keys.extend_from_slice(key);
        keys.resize(keys.len() + width - key.len(), 0);
    }
    (starts, keys)
}

/// Writes only what changed, so an unchanged table does not rebuild the crate.
fn write(path: &Path, bytes: &[u8]) {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return;
    }
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}
