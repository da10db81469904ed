// Lint rules, and the import boundaries that keep the layout honest. Each file belongs to exactly one
// zone; a zone lists every import it may not use (flat config does not merge one rule across blocks).
import js from '@eslint/js';
import globals from 'globals';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';
import layeringPlugin from './scripts/eslint-layering.mjs';

const nodeBuiltins = [...builtinModules.filter((name) => !name.startsWith('_')), ...builtinModules.map((name) => `node:${name}`)];

const electron = { name: 'electron', message: "Only electron/main and electron/preload may import 'electron'." };
// electron-updater loads Electron as soon as its updater is created: it belongs with 'electron'.
const electronUpdater = { name: 'electron-updater', message: "Only electron/main and electron/preload may import 'electron-updater'." };
const serialportPatterns = {
  group: ['serialport', '@serialport/*'],
  message: "Only native-bridge may import 'serialport'.",
};
const sqlite = {
  name: 'better-sqlite3',
  message: "Only the stores open a database: electron/services/store (the bench's) and server/store (the central server's); use their repositories.",
};
const kyselyAndPg = {
  group: ['kysely', 'pg', 'pg-*'],
  message: "Only the central server's store (server/store) queries its database; use ServerRepository.",
};
const nodeInBrowser = { group: nodeBuiltins, message: 'Browser code (renderer, workspace bridge) may not use Node modules; call window.bench.' };
const reactOutsideRenderer = { group: ['react', 'react-dom', 'react-dom/*', 'zustand', 'zustand/*'], message: 'UI libraries belong to the renderer.' };

/**
 * The layering table: what each folder of the project may import (besides itself). A file belongs to the
 * layer of the longest prefix that matches its path. Three deployables stand on one shared core:
 * the bench app (electron/ + renderer/), the central server (server/) and the CLI (cli/), over common/,
 * trust/ and native-bridge/. The server's and the bridge's tsconfigs hold the same line for the type checker.
 */
const layers = {
  common: 'common/',
  // Runtime-neutral (zod only): the contract, and through it the renderer's types, may use it.
  'common/coding-session': 'common/coding-session/',
  trust: 'trust/',
  'native-bridge': 'native-bridge/',
  'native-bridge/sim': 'native-bridge/sim/',
  'electron/contract': 'electron/contract/',
  'electron/services': 'electron/services/',
  'electron/main': 'electron/main/',
  'electron/main/dev': 'electron/main/dev.ts',
  'electron/preload': 'electron/preload/',
  'electron/workspace': 'electron/workspace/',
  'electron/workspace-bridge': 'electron/workspace-bridge/',
  renderer: 'renderer/',
  server: 'server/',
  cli: 'cli/',
  demo: 'demo/',
  bench: 'bench/',
  test: 'test/',
  scripts: 'scripts/',
  resources: 'resources/',
};
const sharedCore = ['common', 'common/coding-session', 'trust'];
const benchAppServices = [...sharedCore, 'native-bridge', 'electron/contract', 'electron/services'];
export const layering = {
  common: ['common/coding-session', 'trust'],
  'common/coding-session': [],
  trust: [],
  'native-bridge': ['common/coding-session'],
  'native-bridge/sim': ['native-bridge', 'common/coding-session', 'resources'],
  'electron/contract': ['common/coding-session'],
  'electron/services': [...sharedCore, 'native-bridge', 'electron/contract', 'resources'],
  // The packaged app: the demo and the workspace host arrive only through the development entry.
  'electron/main': ['common', 'common/coding-session', 'electron/contract', 'electron/services'],
  'electron/main/dev': ['common', 'common/coding-session', 'electron/contract', 'electron/services', 'electron/main', 'electron/workspace', 'demo'],
  'electron/preload': ['electron/contract'],
  'electron/workspace': ['common', 'common/coding-session', 'electron/contract', 'electron/services'],
  'electron/workspace-bridge': ['electron/contract'],
  renderer: ['electron/contract'],
  server: sharedCore,
  demo: [...benchAppServices, 'native-bridge/sim', 'server', 'resources'],
  cli: [...benchAppServices, 'native-bridge/sim', 'electron/workspace', 'server', 'demo', 'resources', 'scripts'],
  bench: ['*'],
  test: ['*'],
  scripts: ['*'],
  resources: [],
};

/** Builds the no-restricted-imports rule for a zone. */
function forbid({ paths = [], patterns = [] }) {
  return { 'no-restricted-imports': ['error', { paths, patterns }] };
}

const zones = [
  {
    name: 'renderer',
    files: ['renderer/**/*.{ts,tsx}', 'electron/workspace-bridge/**/*.ts'],
    rules: forbid({ paths: [electron, electronUpdater, sqlite], patterns: [serialportPatterns, nodeInBrowser] }),
  },
  {
    name: 'contract',
    files: ['electron/contract/**/*.ts'],
    rules: forbid({ paths: [electron, electronUpdater, sqlite], patterns: [serialportPatterns, nodeInBrowser, reactOutsideRenderer] }),
  },
  {
    name: 'electron adapter',
    files: ['electron/main/**/*.ts', 'electron/preload/**/*.ts'],
    rules: forbid({ paths: [sqlite], patterns: [serialportPatterns, reactOutsideRenderer] }),
  },
  {
    name: 'store',
    files: ['electron/services/store/**/*.ts'],
    rules: forbid({ paths: [electron, electronUpdater], patterns: [serialportPatterns, reactOutsideRenderer] }),
  },
  {
    // The central server's own database (SQLite or PostgreSQL through Kysely): not the bench's store.
    name: 'server store',
    files: ['server/store/**/*.ts'],
    rules: forbid({ paths: [electron, electronUpdater], patterns: [serialportPatterns, reactOutsideRenderer] }),
  },
  {
    // Benchmarks measure the stores against raw drivers (the named baselines), so they may open databases.
    name: 'benchmarks',
    files: ['bench/**/*.ts'],
    rules: forbid({ paths: [electron, electronUpdater], patterns: [serialportPatterns, reactOutsideRenderer] }),
  },
  {
    name: 'native bridge',
    files: ['native-bridge/**/*.ts'],
    rules: forbid({ paths: [electron, electronUpdater, sqlite], patterns: [reactOutsideRenderer] }),
  },
  {
    name: 'plain node',
    files: ['**/*.{ts,tsx,mts,cts,js,mjs}'],
    ignores: [
      'renderer/src/**',
      'electron/workspace-bridge/**',
      'electron/contract/**',
      'electron/main/**',
      'electron/preload/**',
      'electron/services/store/**',
      'server/store/**',
      'native-bridge/**',
      'test/**',
      'bench/**',
    ],
    rules: forbid({ paths: [electron, electronUpdater, sqlite], patterns: [serialportPatterns, reactOutsideRenderer, kyselyAndPg] }),
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'test/fixtures/lint/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
    },
  },
  {
    files: ['renderer/src/**/*.{ts,tsx}', 'electron/workspace-bridge/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Schemas run in the services; the renderer takes only their types. Bundling zod into the page
    // would also trip the CSP (zod probes for eval).
    files: ['renderer/src/**/*.{ts,tsx}', 'electron/workspace-bridge/**/*.ts', 'electron/preload/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/contract/bench-api', 'zod', 'zod/*'], allowTypeImports: true, message: 'Import types only from the contract schemas in browser code.' },
          ],
        },
      ],
    },
  },
  {
    files: ['scripts/**', 'test/**', 'bin/**', 'bench/**'],
    rules: { 'no-console': 'off' },
  },
  ...zones.map(({ name, ...zone }) => ({ name: `boundaries/${name}`, ...zone })),
  {
    name: 'boundaries/layering',
    files: ['**/*.{ts,tsx,mts,cts,js,mjs}'],
    plugins: { layering: layeringPlugin },
    rules: { 'layering/imports': ['error', { root: fileURLToPath(new URL('.', import.meta.url)), layers, allowed: layering }] },
  },
);
