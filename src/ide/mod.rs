//! What the editor features and the command line show, computed from the core with byte
//! offsets and plain strings: no protocol types. `lsp/` converts these to LSP, `cli/` prints
//! them.

pub mod explain;

pub use explain::{Style, explain};
