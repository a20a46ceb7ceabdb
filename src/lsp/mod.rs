//! The language server: a thin adapter from LSP to the core.

mod convert;
mod document;
mod features;
mod server;
mod transport;

pub use server::Backend;

use crate::codes::LoadOptions;
use std::process::ExitCode;
use tower_lsp_server::{LspService, Server};

/// Serves LSP on stdin/stdout until `exit`.
pub fn serve(options: LoadOptions) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("dxpx: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    if options == LoadOptions::default() {
        // Decompress the code sets while the client and server shake hands.
        std::thread::spawn(|| {
            crate::codes::CodeSets::embedded();
        });
    }
    runtime.block_on(async move {
        let (service, socket) = LspService::build(|client| Backend::new(client, options))
            .custom_method("dxpx/lookup", Backend::lookup_request)
            .custom_method("dxpx/search", Backend::search_request)
            .custom_method(transport::PARSE_ERROR_METHOD, Backend::parse_error)
            .custom_method(transport::INVALID_REQUEST_METHOD, Backend::invalid_request)
            .finish();
        // Every frame passes the guard before the codec sees it.
        let (guarded, codec_input) = tokio::io::duplex(1 << 20);
        tokio::spawn(transport::guard(tokio::io::stdin(), guarded));
        let stdout = tokio::io::stdout();
        Server::new(codec_input, stdout, socket)
            .serve(service)
            .await;
    });
    // Handlers still running (a slow reload) must not keep the process alive after `exit`.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    ExitCode::SUCCESS
}
