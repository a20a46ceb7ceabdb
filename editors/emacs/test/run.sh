#!/usr/bin/env bash
# Emacs 28 + Eglot (Debian packages) in batch mode, driving the built dxpx through
# editors/emacs/dxpx.el. Installs emacs-nox and elpa-eglot when missing; keeps files out of
# $HOME.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
BIN=$ROOT/target/release
[ -x "$BIN/dxpx" ] || cargo build --release --manifest-path "$ROOT/Cargo.toml"
if ! command -v emacs >/dev/null || ! ls -d /usr/share/emacs/site-lisp/elpa/eglot-* >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq --no-install-recommends emacs-nox elpa-eglot >/dev/null
fi
SANDBOX=$(mktemp -d "${TMPDIR:-/tmp}/dxpx-emacs.XXXXXX")
trap 'rm -rf "$SANDBOX"' EXIT
export HOME=$SANDBOX/home
mkdir -p "$HOME"
cat > "$SANDBOX/visit.note" <<'NOTE'
FOLLOW-UP VISIT

Date of service: 03/02/2026
Type 2 diabetes without complications, Dx: E11.9

Date of service: 03/09/2026
Blood draw only.
CPT 36415
NOTE
emacs --version | head -1
PATH=$BIN:$PATH DXPX_EL_DIR=$ROOT/editors/emacs TEST_FILE=$SANDBOX/visit.note \
  timeout 120 emacs --batch -l "$ROOT/editors/emacs/test/eglot-test.el"
