//! The service every message goes through: a handler that panics answers its request with
//! a JSON-RPC `InternalError` (a notification is dropped), logs the method and the source
//! location, and the server goes on serving every document.
//!
//! Without it a panic unwinds out of the transport's task and ends the process: the editor
//! loses every diagnostic of every open note.

use crate::fault;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Request, Response};
use tower_service::Service;

pub struct Contained<S> {
    inner: S,
}

impl<S> Contained<S> {
    pub fn new(inner: S) -> Contained<S> {
        Contained { inner }
    }
}

type Answer<E> = Result<Option<Response>, E>;

impl<S> Service<Request> for Contained<S>
where
    S: Service<Request, Response = Option<Response>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Option<Response>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Answer<S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let method = loggable(request.method());
        let id = request.id().cloned();
        let failed = move |fault: fault::Fault| {
            let outcome = if id.is_some() {
                "answered with an internal error"
            } else {
                "notification dropped"
            };
            super::server::log(
                tower_lsp_server::ls_types::MessageType::ERROR,
                &format!("{method} failed: {fault}; {outcome}, the server goes on"),
            );
            id.map(|id| {
                Response::from_error(
                    id,
                    Error {
                        code: ErrorCode::InternalError,
                        message: format!("dxpx: {fault}").into(),
                        data: None,
                    },
                )
            })
        };
        let mut inner = match fault::catch(|| self.inner.call(request)) {
            Ok(future) => Box::pin(future),
            Err(fault) => {
                let answer = failed(fault);
                return Box::pin(async move { Ok(answer) });
            }
        };
        let mut failed = Some(failed);
        Box::pin(std::future::poll_fn(move |cx| {
            match fault::catch(|| inner.as_mut().poll(cx)) {
                Ok(poll) => poll,
                // A future that panicked is never polled again.
                Err(fault) => Poll::Ready(Ok(failed.take().and_then(|f| f(fault)))),
            }
        }))
    }
}

/// A method name fit for the log: a protocol identifier, or a stand-in for anything else
/// (a client may send any string there).
fn loggable(method: &str) -> String {
    let identifier = method.len() <= 64
        && method
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/$_.-".contains(&b));
    if identifier {
        method.to_string()
    } else {
        "a request with an unusual method name".to_string()
    }
}
