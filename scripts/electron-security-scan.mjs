// Electron security scan with Electronegativity (Doyensec), run by `npm run lint`. Scans the bench app's
// Electron side and the renderer, and fails on any HIGH finding or any file it could not parse (a file
// it cannot read is a file it did not check). Lower findings are printed for review, not failed on.
//
//   node scripts/electron-security-scan.mjs [directory ...]
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { Module, createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** Checks left out, each with the reason. */
export const EXCLUDED_CHECKS = {
  // Downloads Electron's release list from GitHub on every run: no internet here, and the Electron
  // version is pinned in package.json and reviewed when it is bumped.
  AvailableSecurityFixesGlobalCheck: 'needs the internet',
};

/**
 * Scans the given directories as one app: its global checks (navigation limits, permission handler) look
 * across all files, so main and renderer must be seen together. They are linked into one temporary folder
 * because the scanner takes one input and would otherwise walk node_modules.
 */
export async function scanAppDirectories(directories) {
  const staging = mkdtempSync(path.join(os.tmpdir(), 'injbench-electron-scan-'));
  try {
    for (const directory of directories) symlinkSync(directory, path.join(staging, path.basename(directory)), process.platform === 'win32' ? 'junction' : 'dir');
    return await scanForElectronRisks([staging]);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * The scanner downloads translations at every start (and the excluded check, Electron's release list)
 * with `got`. Lint must give the same answer with or without a network, and reach nothing: its `got`
 * is replaced by one that fails at once, which both callers handle (English messages, check skipped).
 */
function keepScannerOffline() {
  const scannerRequire = createRequire(require.resolve('@doyensec/electronegativity'));
  const gotPath = scannerRequire.resolve('got');
  if (require.cache[gotPath]?.exports?.offline) return;
  const offline = new Module(gotPath);
  offline.filename = gotPath;
  offline.loaded = true;
  const refuse = () => Promise.reject(new Error('the Electron security scan runs offline'));
  offline.exports = Object.assign(refuse, { default: refuse, offline: true });
  require.cache[gotPath] = offline;
}

/** Runs the scanner over each directory; returns the findings that fail the scan and those to review. */
export async function scanForElectronRisks(directories) {
  keepScannerOffline();
  const electronegativity = require('@doyensec/electronegativity');
  const electronVersion = require('electron/package.json').version;
  const failing = [];
  const review = [];
  for (const directory of directories) {
    const result = await electronegativity({
      input: directory,
      isRelative: true,
      isVerbose: false,
      customScan: [],
      excludeFromScan: Object.keys(EXCLUDED_CHECKS),
      // The scanner judges defaults by version: without it, it assumes 0.1.0 and its old defaults.
      electronVersionOverride: electronVersion,
      parserPlugins: [],
    });
    for (const error of result.errors) {
      // Not tolerable: the file was not parsed, so it was not checked. Tolerable: parsed with recovery.
      const finding = { id: 'PARSE_ERROR', file: path.relative(directory, error.file), line: 0, severity: error.tolerable ? 'LOW' : 'HIGH', description: String(error.message) };
      (error.tolerable ? review : failing).push(finding);
    }
    for (const issue of result.issues) {
      const finding = {
        id: issue.id,
        file: issue.file,
        line: issue.location?.line ?? 0,
        severity: String(issue.severity?.name ?? issue.severity?.value ?? issue.severity).toUpperCase(),
        description: issue.description,
      };
      (finding.severity === 'HIGH' ? failing : review).push(finding);
    }
  }
  return { failing, review, electronVersion };
}

function describe(finding) {
  const where = finding.file && finding.file !== 'N/A' ? `${finding.file}:${finding.line}` : '(whole app)';
  return `${finding.severity.padEnd(13)} ${finding.id.padEnd(32)} ${where}  ${finding.description}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const directories = (process.argv.length > 2 ? process.argv.slice(2) : ['electron', 'renderer']).map((dir) => path.resolve(root, dir));
  const { failing, review, electronVersion } = await scanAppDirectories(directories);
  for (const finding of review) console.log(`review  ${describe(finding)}`);
  for (const finding of failing) console.log(`FAIL    ${describe(finding)}`);
  console.log(`Electron security scan (Electronegativity, Electron ${electronVersion}): ${failing.length} high, ${review.length} to review.`);
  process.exit(failing.length > 0 ? 1 : 0);
}
