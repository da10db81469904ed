#!/usr/bin/env bash
# The current Node LTS for the server suite's second run (.ci/run): the npm registry's `node` package (its
# binary and headers) installed into node_modules/.cache/node-lts-<major>, and better-sqlite3 built for it
# there from the sources in node_modules (the project's own build stays the machine Node's). Prints
#   NODE_LTS_BIN=…  INJBENCH_BETTER_SQLITE3_BINDING=…  INJBENCH_BETTER_SQLITE3_ABI=…
# one a line, for scripts/native-addon-redirect.cjs. Build output goes to stderr. Reuses what it built before.
#
# The addon is compiled against Node 24.18.1's headers (the same ABI, 137): from 24.19.0 on, node::ObjectWrap's
# header registers environment cleanup hooks, and better-sqlite3 below 13 built against it aborts the process
# when a Statement is garbage-collected ("Assertion failed: (env) != nullptr" in RemoveEnvironmentCleanupHook,
# nodejs/node#65446). better-sqlite3 13 (Node-API) fixes it but needs Node >= 22.
set -euo pipefail
cd "$(dirname "$0")/.."
major="${INJBENCH_NODE_LTS_MAJOR:-24}"
dir="$PWD/node_modules/.cache/node-lts-$major"
node_bin="$dir/prefix/node_modules/node/bin/node"
if [ ! -x "$node_bin" ]; then
  mkdir -p "$dir/prefix"
  npm install --prefix "$dir/prefix" --no-audit --no-fund --no-save "node@$major" >&2
fi
"$node_bin" --version >&2
headers_version="${INJBENCH_NODE_LTS_HEADERS:-24.18.1}"
headers="$dir/headers-$headers_version/package"
if [ ! -f "$headers/include/node/node.h" ]; then
  mkdir -p "$dir/headers-$headers_version"
  platform="$("$node_bin" -p 'process.platform + "-" + process.arch')"
  tarball="$(cd "$dir/headers-$headers_version" && npm pack --silent "node-$platform@$headers_version")"
  tar -xzf "$dir/headers-$headers_version/$tarball" -C "$dir/headers-$headers_version" package/include
fi
abi="$("$node_bin" -p process.versions.modules)"
addon="$dir/better-sqlite3-headers-$headers_version"
if [ ! -f "$addon/build/Release/better_sqlite3.node" ]; then
  rm -rf "$addon"
  mkdir -p "$addon"
  cp -a node_modules/better-sqlite3/binding.gyp node_modules/better-sqlite3/deps node_modules/better-sqlite3/src node_modules/better-sqlite3/package.json "$addon/"
  gyp="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
  (cd "$addon" && PATH="$(dirname "$node_bin"):$PATH" "$node_bin" "$gyp" rebuild --release --nodedir="$headers" -j "$(nproc)") >&2
fi
echo "NODE_LTS_BIN=$node_bin"
echo "INJBENCH_BETTER_SQLITE3_BINDING=$addon/build/Release/better_sqlite3.node"
echo "INJBENCH_BETTER_SQLITE3_ABI=$abi"
