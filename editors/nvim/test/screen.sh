#!/usr/bin/env bash
# Neovim's real terminal UI with dxpx, in a detached tmux: waits for what a user would see
# (diagnostics as virtual text, the hover float, the quick-fix menu and its edit), fails if any of
# it does not appear, and saves each screen as PNG (rendered by Chromium) in
# target/editor-screenshots. Run by run.sh after the API-level test.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
NVIM=$ROOT/target/editor-tools/nvim-venv/bin/nvim
OUT=${OUT:-$ROOT/target/editor-screenshots}
: "${SANDBOX:?run by editors/nvim/test/run.sh}"
if ! command -v chromium >/dev/null || ! command -v tmux >/dev/null; then
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium tmux >/dev/null
fi
mkdir -p "$OUT"
SOCKET=dxpx-shot-$$
export TMUX_TMPDIR=$SANDBOX
TMUX_CMD=(tmux -L "$SOCKET" -f /dev/null)
finish() { "${TMUX_CMD[@]}" kill-server 2>/dev/null || true; }
trap finish EXIT

cat > "$SANDBOX/screen-init.lua" <<LUA
vim.opt.runtimepath:append('$ROOT/editors/nvim')
vim.lsp.enable('dxpx')
vim.o.termguicolors = true
vim.o.laststatus = 2
vim.o.number = true
vim.diagnostic.config({ virtual_text = true, underline = true, signs = true })
LUA
"${TMUX_CMD[@]}" new-session -d -x 110 -y 30 \
  "env PATH=$ROOT/target/release:\$PATH TERM=tmux-256color COLORTERM=truecolor \
   $NVIM -u $SANDBOX/screen-init.lua $SANDBOX/notes/screen.note"

pane() { "${TMUX_CMD[@]}" capture-pane -p "$@"; }
# Waits up to 20 s for TEXT on the screen.
wait_for() {
  for _ in $(seq 1 200); do
    pane | grep -qF -- "$1" && return 0
    sleep 0.1
  done
  echo "FAIL the screen never showed: $1"; pane; return 1
}
shot() {
  sleep 0.3
  pane -e > "$SANDBOX/$1.ansi"
  python3 "$ROOT/editors/screenshots/ansi2html.py" "$SANDBOX/$1.ansi" "$SANDBOX/$1.html" "$2"
  (cd "$SANDBOX" && timeout 60 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
      --disable-background-networking --no-first-run --user-data-dir="$SANDBOX/chromium" \
      --window-size=1010,541 --screenshot="$OUT/$1.png" "file://$SANDBOX/$1.html" >/dev/null 2>&1)
  [ -s "$OUT/$1.png" ] || { echo "FAIL no screenshot $1.png"; return 1; }
  echo "ok   $1.png"
}
keys() { "${TMUX_CMD[@]}" send-keys "$@"; }

wait_for 'has no diagnosis here'
echo "ok   diagnostics shown as virtual text"
shot nvim-diagnostics 'dxpx diagnostics in Neovim'

keys '/E11.9' Enter
# K, with the border and size limits a user's config usually gives the float.
keys ":lua vim.lsp.buf.hover({ border = 'rounded', max_width = 84, max_height = 14 })" Enter
wait_for 'Type 2 diabetes mellitus without complications'
wait_for 'ICD-10-CM'
echo "ok   hover float shows E11.9"
shot nvim-hover 'dxpx hover in Neovim'

keys Escape Escape '/250.00' Enter
keys ':lua vim.lsp.buf.code_action()' Enter
wait_for 'Replace with E11.9'
echo "ok   quick fix offered for 250.00"
shot nvim-quick-fix 'dxpx quick fix in Neovim'
keys 1 Enter
wait_for 'old chart as E11.9'
echo "ok   quick fix applied"

keys Escape '/36415' Enter
keys ':lua vim.lsp.buf.code_action()' Enter
wait_for 'Add diagnosis E11.9'
echo "ok   add-diagnosis fix offered for 36415"
shot nvim-add-diagnosis 'dxpx add-diagnosis fix in Neovim'
keys 1 Enter
wait_for 'Dx: E11.9'
echo "ok   add-diagnosis fix applied"
keys Escape ':qa!' Enter
