//! The language server: a thin adapter from LSP to the core.

mod contain;
mod convert;
mod features;
mod probe;
mod server;
mod transport;

pub use probe::{Answers, Probe};
use server::Backend;

/// The frames the transport guard hands the codec for `input` (for the fuzzer and tests).
pub fn guard_frames(input: &[u8]) -> Vec<Vec<u8>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime");
    let mut out = Vec::new();
    runtime.block_on(transport::guard(input, &mut out));
    let mut frames = Vec::new();
    let mut rest = &out[..];
    while let Some(i) = memchr::memmem::find(rest, b"\r\n\r\n") {
        let len: usize = std::str::from_utf8(&rest[16..i])
            .ok()
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(0);
        frames.push(rest[i + 4..i + 4 + len].to_vec());
        rest = &rest[i + 4 + len..];
    }
    frames
}

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
    crate::fault::install_hook();
    runtime.block_on(async move {
        let builder = LspService::build(|client| Backend::new(client, options))
            .custom_method("dxpx/lookup", Backend::lookup_request)
            .custom_method("dxpx/search", Backend::search_request)
            .custom_method("dxpx/checkWorkspace", Backend::check_workspace_request)
            .custom_method(transport::PARSE_ERROR_METHOD, Backend::parse_error)
            .custom_method(transport::INVALID_REQUEST_METHOD, Backend::invalid_request);
        #[cfg(feature = "fault-injection")]
        let builder = builder.custom_method("dxpx/debug/panic", Backend::injected_panic);
        let (service, socket) = builder.finish();
        // Every frame passes the guard before the codec sees it.
        let (guarded, codec_input) = tokio::io::duplex(1 << 20);
        tokio::spawn(transport::guard(tokio::io::stdin(), guarded));
        let stdout = tokio::io::stdout();
        Server::new(codec_input, stdout, socket)
            .serve(contain::Contained::new(service))
            .await;
    });
    // Handlers still running (a slow reload) must not keep the process alive after `exit`.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    ExitCode::SUCCESS
}
