//! Any dxpx.toml and any editor settings: an error or a config, never a panic; and every
//! config that parses checks a note (its severities and [[support]] rules applied).
#![no_main]

use dxpx::codes::CodeSets;
use dxpx::config::Config;
use dxpx::scan::Scanner;
use libfuzzer_sys::fuzz_target;
use serde_json::json;
use std::sync::OnceLock;

static SCANNER: OnceLock<Scanner> = OnceLock::new();

const NOTE: &str = "Date of service: 03/02/2026\nDx: E11.9, I10, Z79.4\nCPT 83036, 99213-25\nHCPCS G0438\n";

fn check(config: &Config) {
    let scanner = SCANNER.get_or_init(|| Scanner::new(CodeSets::embedded()));
    let mentions = scanner.scan(NOTE);
    let _ = dxpx::analysis::check(scanner.sets(), config, NOTE, &mentions, None);
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(config) = Config::from_toml(text, std::path::Path::new("dxpx.toml")) {
        check(&config);
    }
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
        let mut config = Config::default();
        if config.apply_settings(&value).is_ok() {
            check(&config);
        }
    }
    // The same text as the keys and values of every setting.
    let mut parts = text.splitn(3, '\n');
    let (key, value, rest) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let settings = json!({"dxpx": {
        "rules": {key: value},
        "ruleGroups": {value: key},
        "inlayHints": key.len() % 2 == 0,
        "documentationHints": value.is_empty(),
        "dataDir": rest,
        "cptFile": key,
    }});
    let mut config = Config::default();
    if config.apply_settings(&settings).is_ok() {
        check(&config);
    }
});
