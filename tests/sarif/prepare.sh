#!/usr/bin/env bash
# Fetches what the SARIF test validates against: the OASIS SARIF 2.1.0 JSON schema (as
# shipped inside the serde-sarif crate, fetched from crates.io and not built), and Python's
# jsonschema validator. Writes target/sarif-check/{schema.json,venv}.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/target/sarif-check
mkdir -p "$OUT/probe/src"
if [ ! -f "$OUT/schema.json" ]; then
  cat > "$OUT/probe/Cargo.toml" <<'TOML'
[package]
name = "sarif-schema-probe"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
serde-sarif = "=0.8.0"

[workspace]
TOML
  : > "$OUT/probe/src/lib.rs"
  cargo fetch --quiet --manifest-path "$OUT/probe/Cargo.toml"
  crate=$(find "${CARGO_HOME:-$HOME/.cargo}/registry/cache" -name 'serde-sarif-0.8.0.crate' | head -1)
  tar -xzf "$crate" -O serde-sarif-0.8.0/src/schema.json > "$OUT/schema.json"
fi
if [ ! -x "$OUT/venv/bin/python" ]; then
  python3 -m venv "$OUT/venv"
  "$OUT/venv/bin/pip" install --quiet jsonschema==4.26.0
fi
echo "$OUT"
