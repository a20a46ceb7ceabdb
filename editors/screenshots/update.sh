#!/usr/bin/env bash
# Refreshes the README's screenshots: runs the VS Code and Neovim editor tests (which take them)
# and copies the pictures here. The tests alone write only to target/editor-screenshots.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export OUT=$ROOT/target/editor-screenshots
rm -rf "$OUT"
bash "$ROOT/editors/vscode/test/run.sh"
bash "$ROOT/editors/nvim/test/run.sh"
for shot in vscode-diagnostics vscode-hover vscode-quick-fix vscode-add-diagnosis vscode-search \
            vscode-code-lens vscode-check-workspace nvim-diagnostics nvim-hover nvim-quick-fix nvim-add-diagnosis; do
  cp "$OUT/$shot.png" "$HERE/$shot.png"
done
ls -la "$HERE"/*.png
