#!/usr/bin/env bash
# Builds dxpx-<version>.vsix offline: compiles the extension and bundles the release dxpx
# binary of this checkout under server/, where the extension looks before PATH.
# usage: package.sh [OUT.vsix]   (needs Node >= 20; installs vsce into target/editor-tools)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TOOLS=$ROOT/target/editor-tools/vsce
VERSION=$(node -p "require('$HERE/package.json').version")
OUT=${1:-$ROOT/target/dxpx-$VERSION.vsix}
# The machine's npm config may point nodedir at headers of another Node; nothing here is native.
unset npm_config_nodedir
if [ ! -x "$TOOLS/node_modules/.bin/vsce" ]; then
  mkdir -p "$TOOLS"
  (cd "$TOOLS" && echo '{"private":true}' > package.json && npm install --silent --no-audit --no-fund @vscode/vsce@3.9.2)
fi
[ -x "$ROOT/target/release/dxpx" ] || cargo build --release --locked --manifest-path "$ROOT/Cargo.toml"
cd "$HERE"
npm ci --silent --no-audit --no-fund
npx --no-install tsc -p .
mkdir -p server
cp "$ROOT/target/release/dxpx" server/dxpx
# Symbols are of no use to users (the profiling profile keeps line tables for us).
strip server/dxpx 2>/dev/null || true
"$TOOLS/node_modules/.bin/vsce" package --out "$OUT" >/dev/null
echo "$OUT"
