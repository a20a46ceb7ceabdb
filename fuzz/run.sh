#!/usr/bin/env bash
# Runs every fuzz target for FUZZ_SECONDS (default 60) each, from the seeds in fuzz/seeds
# plus the corpus grown in fuzz/corpus (not committed). Installs cargo-fuzz when missing.
# libFuzzer needs unstable compiler flags: RUSTC_BOOTSTRAP lets the stable toolchain
# accept them for this build only.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
tools=$PWD/target/fuzz-tools
if ! command -v cargo-fuzz >/dev/null && [ ! -x "$tools/bin/cargo-fuzz" ]; then
  cargo install --locked --quiet cargo-fuzz --root "$tools"
fi
export PATH=$tools/bin:$PATH RUSTC_BOOTSTRAP=1
targets=${FUZZ_TARGETS:-"scan hints charge_sheet claims lsp_frames config search lookup features edits"}
for t in $targets; do
  mkdir -p "fuzz/corpus/$t"
  echo "fuzz: $t for ${seconds}s"
  cargo fuzz run -O "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 2>&1 \
    | grep -E "^(stat::number_of_executed_units|==|SUMMARY|thread|Done)" || true
  # A crash leaves an artifact and a non-zero status; the pipe above hides the status.
  if ls fuzz/artifacts/"$t"/crash-* fuzz/artifacts/"$t"/oom-* fuzz/artifacts/"$t"/timeout-* >/dev/null 2>&1; then
    echo "fuzz: $t found a failing input in fuzz/artifacts/$t" >&2
    exit 1
  fi
done
