#!/usr/bin/env bash
# Installs the real-VS-Code harness used by test/e2e and test/extension: code-server 4.100.3 (= VS Code
# 1.100.3, the last line that runs on Node 20) in test/e2e/node_modules, plus Debian's chromium.
# Idempotent: a second run only checks. Needs root, apt and the npm registry; nothing else is downloaded.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
export DEBIAN_FRONTEND=noninteractive
start=$(date +%s)
log() { echo "[e2e install] $*"; }

# Pinned with the package.json; a caret range would move to code-server 4.103+, which needs Node 22.
CODE_SERVER_VERSION=4.100.3
# code-server 4.100.3 ships @vscode/ripgrep 1.15.11, whose postinstall downloads this asset from GitHub.
RG_PKG_VERSION=1.15.11
RG_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

vscode_dir="$here/node_modules/code-server/lib/vscode"
marker="$here/node_modules/.harness-installed"

# Every native module the server needs at start-up; if one is missing its install script did not run.
check_install() {
  local f
  for f in \
    "$vscode_dir/node_modules/node-pty/build/Release/pty.node" \
    "$vscode_dir/node_modules/kerberos/build/Release/kerberos.node" \
    "$vscode_dir/node_modules/@vscode/spdlog/build/Release/spdlog.node" \
    "$vscode_dir/node_modules/@vscode/ripgrep/bin/rg" \
    "$here/node_modules/argon2/lib/binding/napi-v3/argon2.node"; do
    if [ ! -e "$f" ]; then
      echo "[e2e install] missing $f (an install script of code-server's dependencies did not run)" >&2
      return 1
    fi
  done
  "$here/node_modules/.bin/code-server" --version >/dev/null
}

# 1. Debian packages: chromium drives the workbench, libkrb5-dev lets the kerberos module compile,
#    ripgrep replaces the rg binary that @vscode/ripgrep would download.
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v rg >/dev/null 2>&1 || need_apt+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
command -v make >/dev/null 2>&1 && command -v g++ >/dev/null 2>&1 || need_apt+=(build-essential)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${need_apt[@]}"
fi

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" != 20 ]; then
  echo "[e2e install] code-server $CODE_SERVER_VERSION needs Node 20 on PATH to install; found $(node --version)" >&2
  exit 1
fi

if [ -f "$marker" ] && [ "$(cat "$marker")" = "$CODE_SERVER_VERSION" ] && check_install 2>/dev/null; then
  log "code-server $CODE_SERVER_VERSION already installed in $here/node_modules ($(($(date +%s) - start)) s)"
  exit 0
fi

# 2. Seed @vscode/ripgrep's download cache with Debian's rg, so its postinstall finds the asset offline.
rg_cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-$RG_PKG_VERSION"
if [ ! -s "$rg_cache/$RG_ASSET" ]; then
  mkdir -p "$rg_cache"
  tar czf "$rg_cache/$RG_ASSET" -C "$(dirname "$(command -v rg)")" rg
fi

# 3. code-server and its nested installs (lib/vscode, lib/vscode/extensions).
#    - unsafe_perm: code-server's postinstall refuses to run as root without it.
#    - yes: node-pty's build runs `npx node-gyp`, which would otherwise prompt.
export npm_config_unsafe_perm=true npm_config_yes=true
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
rm -f "$marker"
if [ -f package-lock.json ]; then
  log "npm ci --ignore-scripts (code-server $CODE_SERVER_VERSION, ~450 MB)"
  npm ci --ignore-scripts
else
  log "npm install --ignore-scripts (code-server $CODE_SERVER_VERSION, ~450 MB)"
  npm install --ignore-scripts
fi
# npm 11 silently skips dependency install scripts that no allowScripts entry covers. Our package.json
# covers code-server and argon2; code-server's postinstall then runs `npm install` inside its own
# lib/vscode and lib/vscode/extensions, which have no such entries, so the native modules the server
# needs would be left unbuilt. A project .npmrc there approves exactly those (npm rejects the same
# list from the command line or environment for project installs).
printf '%s\n' '# Written by test/e2e/install.sh: install scripts code-server needs.' \
  allow-scripts=node-pty,kerberos,@vscode/spdlog,@vscode/ripgrep,@vscode/deviceid,@parcel/watcher,native-watchdog \
  >"$vscode_dir/.npmrc"
printf '%s\n' '# Written by test/e2e/install.sh: install scripts code-server needs.' \
  allow-scripts=@parcel/watcher,esbuild >"$vscode_dir/extensions/.npmrc"
log "running install scripts (code-server postinstall: native modules of VS Code)"
npm rebuild --foreground-scripts

if ! check_install; then
  echo "[e2e install] code-server installed but incomplete; see the messages above" >&2
  exit 1
fi
echo "$CODE_SERVER_VERSION" >"$marker"
log "done in $(($(date +%s) - start)) s: $("$here/node_modules/.bin/code-server" --version | head -1)"
