//! The index that sits beside a table's text: the byte offset of every row, as
//! little-endian u32s, and every row's key, padded with zero bytes to the widest key, so
//! that a search reads the keys alone. `build.rs` makes it for the embedded tables (it
//! includes this file) and `codes::table::Table` for a user's: one layout, one maker.

/// The row starts, the padded keys and their width. The text must be under 4 GiB.
pub fn index(text: &[u8]) -> (Vec<u8>, Vec<u8>, usize) {
    let mut rows: Vec<(u32, &[u8])> = Vec::with_capacity(text.len() / 48);
    let mut pos = 0usize;
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
        rows.push((pos as u32, &line[..key_end]));
        pos = end;
    }
    let width = rows.iter().map(|r| r.1.len()).max().unwrap_or(0).max(1);
    let mut starts = Vec::with_capacity(rows.len() * 4);
    let mut keys = Vec::with_capacity(rows.len() * width);
    for (start, key) in rows {
        starts.extend_from_slice(&start.to_le_bytes());
        keys.extend_from_slice(key);
        keys.resize(keys.len() + width - key.len(), 0);
    }
    (starts, keys, width)
}
