// Loaded with `node --require` (NODE_OPTIONS) for the server suite's second run on the current Node LTS
// (.ci/run, scripts/node-lts.sh): better-sqlite3's addon in node_modules is built for the machine's Node and
// cannot load into another ABI, so its load is redirected to the build for this Node named by
// $INJBENCH_BETTER_SQLITE3_BINDING. sodium-native ships Node-API prebuilds that load on any version.
// Child processes inherit NODE_OPTIONS and the variable, so CLI and server processes the tests spawn load it too.
'use strict';
const Module = process.getBuiltinModule('node:module');
const path = process.getBuiltinModule('node:path');

const replacement = process.env.INJBENCH_BETTER_SQLITE3_BINDING;
// Only the Node the replacement was built for takes it: a child started as plain `node` keeps its own build.
if (replacement && process.env.INJBENCH_BETTER_SQLITE3_ABI === process.versions.modules) {
  const loadAddon = Module._extensions['.node'];
  const original = path.join('better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  Module._extensions['.node'] = function redirectedAddon(module, filename) {
    return loadAddon.call(this, module, filename.endsWith(original) ? replacement : filename);
  };
}
