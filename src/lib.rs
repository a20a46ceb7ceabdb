//! dxpx: finds diagnosis and procedure codes in clinical notes and charge sheets, explains
//! them and checks that they hold together. The core (code sets, scanner, rules, formats)
//! knows nothing of LSP; the language server and the command line are adapters over it.
//!
//! What an adapter needs: [`codes::CodeSets`] (load the code sets), [`scan::Scanner`] over
//! them, [`config::Config`], then either [`analysis::analyze`] (a file, from scratch) or a
//! [`document::Document`] (an editor's open text: `edit_text`, `reread`, `check`), and
//! [`ide`] for what the editor and terminal show. `cli::main` and `lsp::serve` are the two
//! adapters; `lsp::Probe` runs the server's features in process for the fuzzers.

pub mod analysis;
pub mod cli;
pub mod codes;
pub mod config;
pub mod document;
pub mod fault;
pub mod formats;
pub mod hints;
pub mod ide;
pub mod lsp;
pub mod packed;
pub mod prebuilt;
pub mod rules;
pub mod scan;
pub mod summary;
pub mod workspace;
