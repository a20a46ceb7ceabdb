//! dxpx: finds diagnosis and procedure codes in clinical notes and charge sheets, explains
//! them and checks that they hold together. The core (code sets, scanner, rules, formats)
//! knows nothing of LSP; the language server and the command line are adapters over it.

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
pub mod rules;
pub mod scan;
