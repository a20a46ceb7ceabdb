//! Any dxpx.toml and any editor settings: an error or a config, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = dxpx::config::Config::from_toml(text, std::path::Path::new("dxpx.toml"));
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
        let _ = dxpx::config::Config::default().apply_settings(&value);
    }
});
