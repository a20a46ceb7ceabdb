//! A guard in front of the LSP codec. tower-lsp-server stops reading at the first frame
//! it cannot decode, and the server would exit; here every frame is checked first, and a
//! broken one (bad header, wrong length, invalid JSON, not JSON-RPC) is replaced by a
//! well-formed request that the server answers with the proper JSON-RPC error, so the
//! session goes on. Message bodies are never logged.

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The method the server answers with a JSON-RPC parse error (-32700).
pub const PARSE_ERROR_METHOD: &str = "dxpx/parseError";
/// The method the server answers with an invalid-request error (-32600).
pub const INVALID_REQUEST_METHOD: &str = "dxpx/invalidRequest";

/// Messages larger than this are refused (a 50 MB note is well within it).
const MAX_MESSAGE: usize = 512 << 20;
/// A header block longer than this is not a header.
const MAX_HEADER: usize = 8 << 10;

fn log(message: &str) {
    eprintln!("dxpx: {message}");
}

#[derive(Deserialize)]
struct Probe<'a> {
    #[serde(borrow)]
    jsonrpc: Option<&'a str>,
    #[serde(default, borrow)]
    method: Option<&'a RawValue>,
    #[serde(default, borrow)]
    id: Option<&'a RawValue>,
    /// Present, even as `null` (a successful response to a request with no result).
    #[serde(default, deserialize_with = "present")]
    result: bool,
    #[serde(default, borrow)]
    error: Option<&'a RawValue>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    IgnoredAny::deserialize(d).map(|_| true)
}

#[derive(Deserialize)]
struct ErrorObject {
    #[allow(dead_code)]
    code: i64,
    #[allow(dead_code)]
    message: String,
}

/// What to do with one frame's body.
enum Verdict {
    Forward,
    /// Replace with a request the server answers with an error; `id` as it was, or null.
    Replace {
        method: &'static str,
        id: String,
    },
}

fn valid_id(raw: &RawValue) -> bool {
    let s = raw.get();
    s == "null"
        || serde_json::from_str::<i64>(s).is_ok()
        || serde_json::from_str::<String>(s).is_ok()
}

fn judge(body: &[u8]) -> Verdict {
    let parse_error = Verdict::Replace {
        method: PARSE_ERROR_METHOD,
        id: "null".into(),
    };
    if std::str::from_utf8(body).is_err() {
        return parse_error;
    }
    let probe: Probe = match serde_json::from_slice(body) {
        Ok(p) => p,
        Err(e) if e.is_syntax() || e.is_eof() => return parse_error,
        Err(_) => {
            return Verdict::Replace {
                method: INVALID_REQUEST_METHOD,
                id: "null".into(),
            };
        }
    };
    let id_ok = probe.id.is_none_or(valid_id);
    let id = match probe.id {
        Some(raw) if id_ok => raw.get().to_string(),
        _ => "null".to_string(),
    };
    let invalid = Verdict::Replace {
        method: INVALID_REQUEST_METHOD,
        id,
    };
    if probe.jsonrpc != Some("2.0") || !id_ok {
        return invalid;
    }
    match probe.method {
        Some(m) if serde_json::from_str::<String>(m.get()).is_ok() => Verdict::Forward,
        Some(_) => invalid,
        None => {
            let error_ok = probe
                .error
                .is_none_or(|e| serde_json::from_str::<ErrorObject>(e.get()).is_ok());
            if probe.id.is_some() && (probe.result || probe.error.is_some()) && error_ok {
                Verdict::Forward
            } else if probe.id.is_some() {
                // A broken response to one of our requests: nobody to answer, drop it.
                Verdict::Replace {
                    method: "",
                    id: String::new(),
                }
            } else {
                invalid
            }
        }
    }
}

async fn write_frame(out: &mut (impl AsyncWrite + Unpin), body: &[u8]) -> std::io::Result<()> {
    out.write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes())
        .await?;
    out.write_all(body).await?;
    out.flush().await
}

/// Copies LSP frames from `input` to `output`, repairing what the codec would choke on.
pub async fn guard(mut input: impl AsyncRead + Unpin, mut output: impl AsyncWrite + Unpin) {
    let mut buf: Vec<u8> = Vec::with_capacity(64 << 10);
    let mut eof = false;
    loop {
        // Headers, up to the blank line.
        let header_end = loop {
            if let Some(i) = memchr::memmem::find(&buf, b"\r\n\r\n") {
                break Some(i);
            }
            if buf.len() > MAX_HEADER || eof {
                break None;
            }
            if read_more(&mut input, &mut buf).await == 0 {
                eof = true;
            }
        };
        let Some(header_end) = header_end else {
            if eof && buf.iter().all(u8::is_ascii_whitespace) {
                return;
            }
            log(&format!(
                "discarded {} bytes that were not an LSP header",
                buf.len().min(MAX_HEADER)
            ));
            if !resync(&mut buf) && eof {
                return;
            }
            continue;
        };
        let length = content_length(&buf[..header_end]);
        // Leftovers of a message whose Content-Length was too short, glued to the next
        // header: skip to that header.
        if length.is_none()
            && header_end > 1
            && let Some(i) = memchr::memmem::find(&buf[1..header_end], b"Content-Length")
        {
            log(&format!("discarded {} stray bytes before a header", i + 1));
            buf.drain(..i + 1);
            continue;
        }
        let Some(length) = length else {
            log("a message had no valid Content-Length header; skipped to the next one");
            buf.drain(..header_end + 4);
            write_replacement(&mut output, PARSE_ERROR_METHOD, "null").await;
            continue;
        };
        if length > MAX_MESSAGE {
            log(&format!(
                "a message of {length} bytes is over the {} MB limit; refused",
                MAX_MESSAGE >> 20
            ));
            buf.drain(..header_end + 4);
            let mut left = length;
            while left > 0 && !eof {
                let take = left.min(buf.len());
                buf.drain(..take);
                left -= take;
                if left > 0 && read_more(&mut input, &mut buf).await == 0 {
                    eof = true;
                }
            }
            write_replacement(&mut output, INVALID_REQUEST_METHOD, "null").await;
            continue;
        }
        let start = header_end + 4;
        while buf.len() < start + length && !eof {
            if read_more(&mut input, &mut buf).await == 0 {
                eof = true;
            }
        }
        if buf.len() < start + length {
            log(&format!(
                "input ended inside a message ({} of {length} bytes)",
                buf.len() - start
            ));
            return;
        }
        let body = &buf[start..start + length];
        let written = match judge(body) {
            Verdict::Forward => write_frame(&mut output, body).await,
            Verdict::Replace { method: "", .. } => {
                log("a malformed response from the client was dropped");
                Ok(())
            }
            Verdict::Replace { method, id } => {
                log(&format!(
                    "a malformed message ({length} bytes) was answered with an error"
                ));
                let replacement = format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"{method}"}}"#);
                write_frame(&mut output, replacement.as_bytes()).await
            }
        };
        buf.drain(..start + length);
        if written.is_err() {
            return;
        }
    }
}

async fn write_replacement(output: &mut (impl AsyncWrite + Unpin), method: &str, id: &str) {
    let replacement = format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"{method}"}}"#);
    let _ = write_frame(output, replacement.as_bytes()).await;
}

async fn read_more(input: &mut (impl AsyncRead + Unpin), buf: &mut Vec<u8>) -> usize {
    let mut chunk = [0u8; 64 << 10];
    match input.read(&mut chunk).await {
        Ok(n) => {
            buf.extend_from_slice(&chunk[..n]);
            n
        }
        Err(_) => 0,
    }
}

/// Drops bytes up to the next `Content-Length` header; false when there is none yet.
fn resync(buf: &mut Vec<u8>) -> bool {
    let from = 1.min(buf.len());
    match memchr::memmem::find(&buf[from..], b"Content-Length") {
        Some(i) => {
            buf.drain(..from + i);
            true
        }
        None => {
            // Keep a tail that might be the start of a header split across reads.
            let keep = buf.len().saturating_sub(16);
            buf.drain(..keep);
            false
        }
    }
}

/// `Content-Length` from a header block (case-insensitive names, any other headers ignored).
fn content_length(header: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(header).ok()?;
    text.split("\r\n").find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse().ok())?
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn run(input: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        guard(input, &mut out).await;
        out
    }

    #[tokio::test]
    async fn forwards_good_frames_and_repairs_bad_ones() {
        let good = br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#;
        let mut input = format!("Content-Length: {}\r\n\r\n", good.len()).into_bytes();
        input.extend_from_slice(good);
        input.extend_from_slice(b"Content-Length: 5\r\n\r\n{oops");
        input.extend_from_slice(b"Content-Length: 7\r\n\r\n[1,2,3]");
        input.extend_from_slice(b"garbage\r\n\r\n");
        let out = String::from_utf8(run(&input).await).unwrap();
        assert!(out.contains(r#""method":"initialize""#));
        assert!(out.contains(PARSE_ERROR_METHOD));
        assert!(out.contains(INVALID_REQUEST_METHOD));
    }

    #[test]
    fn judges_json_rpc() {
        assert!(matches!(
            judge(br#"{"jsonrpc":"2.0","method":"exit"}"#),
            Verdict::Forward
        ));
        assert!(matches!(
            judge(br#"{"jsonrpc":"2.0","id":"a","result":null}"#),
            Verdict::Forward
        ));
        assert!(
            matches!(judge(br#"{"jsonrpc":"1.0","id":3,"method":"x"}"#), Verdict::Replace { id, .. } if id == "3")
        );
        assert!(
            matches!(judge(br#"{"jsonrpc":"2.0","id":{"a":1},"method":"x"}"#), Verdict::Replace { id, .. } if id == "null")
        );
        assert!(matches!(
            judge(b"\xff\xfe"),
            Verdict::Replace {
                method: PARSE_ERROR_METHOD,
                ..
            }
        ));
    }
}

#[cfg(test)]
mod regressions {
    use super::*;

    /// Found by the fuzzer: a blank line where a header should be.
    #[tokio::test]
    async fn a_header_block_that_is_empty() {
        let mut out = Vec::new();
        guard(&b"\r\n\r\nContent-Length: 2\r\n\r\n{}"[..], &mut out).await;
        assert!(String::from_utf8(out).unwrap().contains(PARSE_ERROR_METHOD));
    }
}
