/**
 * The diagnostics archive an admin exports beside the support bundle: what a developer needs to see why
 * a bench misbehaves, and nothing an attacker could use. A gzipped tar of:
 *
 *   versions.json      app, Electron, Chromium, Node, OS, store schema, bench id
 *   settings.json      the bench settings (the server URL without user name, password or query)
 *   app-update.json    the app update channel state: admin hold, accepted release sequences
 *   logs/bench-app.<n>.log   the rotating log files (pino already redacts tokens and PINs)
 *
 * No database, no key, no operator record and no pack go in: only the files named here are read.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import type { BenchSettings } from '../../contract/bench-api';
import { listLogFiles } from './log-files';

export const DIAGNOSTICS_FORMAT = 'injbench-diagnostics/1';

export interface DiagnosticsInputs {
  dataDir: string;
  appVersion: string;
  benchId: string;
  storeSchemaVersion: number;
  settings: BenchSettings;
  /** Files under dataDir to include as they are, when present (the app update state). */
  appUpdateFiles: Record<string, string>;
  now: Date;
}

export interface DiagnosticsArchive {
  fileName: string;
  bytes: Buffer;
  entries: string[];
}

/** The server URL as a technician types it, minus anything that could be a credential. */
function withoutCredentials(serverUrl: string | null): string | null {
  if (!serverUrl) return null;
  try {
    const url = new URL(serverUrl);
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    return url.toString();
  } catch {
    return '(not a URL)';
  }
}

function readJsonOrNull(file: string): unknown {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch {
    return { unreadable: true };
  }
}

export async function buildDiagnosticsArchive(inputs: DiagnosticsInputs): Promise<DiagnosticsArchive> {
  const staging = mkdtempSync(path.join(os.tmpdir(), 'injbench-diagnostics-'));
  try {
    const entries: string[] = [];
    const put = (name: string, value: unknown): void => {
      writeFileSync(path.join(staging, name), `${JSON.stringify(value, null, 2)}\n`);
      entries.push(name);
    };
    put('versions.json', {
      format: DIAGNOSTICS_FORMAT,
      exportedAt: inputs.now.toISOString(),
      benchId: inputs.benchId,
      app: inputs.appVersion,
      electron: process.versions.electron ?? null,
      chrome: process.versions.chrome ?? null,
      node: process.versions.node,
      platform: `${process.platform}-${process.arch}`,
      os: `${os.type()} ${os.release()}`,
      storeSchemaVersion: inputs.storeSchemaVersion,
    });
    put('settings.json', { ...inputs.settings, serverUrl: withoutCredentials(inputs.settings.serverUrl) });
    put('app-update.json', Object.fromEntries(Object.entries(inputs.appUpdateFiles).map(([name, relative]) => [name, readJsonOrNull(path.join(inputs.dataDir, relative))])));
    mkdirSync(path.join(staging, 'logs'));
    for (const file of listLogFiles(inputs.dataDir)) {
      const name = `logs/${path.basename(file)}`;
      copyFileSync(file, path.join(staging, name));
      entries.push(name);
    }
    const chunks: Buffer[] = [];
    const stream = tar.create({ gzip: true, cwd: staging, portable: true }, entries);
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const stamp = inputs.now.toISOString().replace(/[-:]/g, '').slice(0, 15);
    return { fileName: `diagnostics_${inputs.benchId}_${stamp}.tar.gz`, bytes: Buffer.concat(chunks), entries };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
