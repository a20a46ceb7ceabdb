//! The indexes `dxpx data build` derives from the tables it writes, so that no run of dxpx
//! builds them: the documentation hints' phrase trie (`data/vocabulary.idx.zst`) and the
//! word-search index (`data/search.idx.zst`). Each is
//! embedded compressed and loaded with one copy per section (see [`crate::packed`]); a run
//! builds its own only for a user's newer code-set files.

use crate::codes::CodeSets;
use crate::hints::Vocabulary;

/// The indexes of these code sets, by file stem, packed.
pub fn build(sets: &CodeSets) -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("vocabulary", Vocabulary::build(sets).pack()),
        ("search", crate::codes::search_index_built(sets).pack()),
    ]
}

/// The file an index is written to and embedded from.
pub fn file_name(stem: &str) -> String {
    format!("{stem}.idx.zst")
}
