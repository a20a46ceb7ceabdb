//! Any bytes on the server's stdin: the transport guard turns them into frames the codec
//! can always decode.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for frame in dxpx::lsp::guard_frames(data) {
        let value: serde_json::Value = serde_json::from_slice(&frame).expect("every frame is JSON");
        assert_eq!(value["jsonrpc"], "2.0");
    }
});
