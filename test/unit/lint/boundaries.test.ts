import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

describe('import boundaries (eslint)', () => {
  it.each([
    ['electron/services/session.ts', "import { app } from 'electron';\nexport const a = app;\n", /Only electron\/main and electron\/preload/],
    ['native-bridge/driver.ts', "import { ipcMain } from 'electron';\nexport const a = ipcMain;\n", /Only electron\/main/],
    ['cli/main.ts', "import electron from 'electron';\nexport const a = electron;\n", /Only electron\/main/],
    ['electron/services/link.ts', "import { SerialPort } from 'serialport';\nexport const a = SerialPort;\n", /Only native-bridge/],
    ['electron/main/ports.ts', "import { SerialPort } from '@serialport/stream';\nexport const a = SerialPort;\n", /Only native-bridge/],
    ['renderer/src/App.tsx', "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;\n", /may not use Node modules/],
    ['renderer/src/App.tsx', "import fs from 'fs';\nexport const a = fs;\n", /may not use Node modules/],
    ['renderer/src/App.tsx', "import Database from 'better-sqlite3';\nexport const a = Database;\n", /Only the stores/],
    ['renderer/src/App.tsx', "import { ipcRenderer } from 'electron';\nexport const a = ipcRenderer;\n", /Only electron\/main/],
    ['electron/contract/x.ts', "import path from 'node:path';\nexport const a = path;\n", /may not use Node modules/],
    ['electron/services/bench-services.ts', "import Database from 'better-sqlite3';\nexport const a = Database;\n", /Only the stores/],
    ['electron/services/app-update/x.ts', "import { autoUpdater } from 'electron-updater';\nexport const a = autoUpdater;\n", /Only electron\/main and electron\/preload may import 'electron-updater'/],
    ['electron/services/store/x.ts', "import type { AppUpdater } from 'electron-updater';\nexport type A = AppUpdater;\n", /may import 'electron-updater'/],
    ['cli/main.ts', "import { autoUpdater } from 'electron-updater';\nexport const a = autoUpdater;\n", /may import 'electron-updater'/],
    ['renderer/src/App.tsx', "import { autoUpdater } from 'electron-updater';\nexport const a = autoUpdater;\n", /may import 'electron-updater'/],
    ['server/app.ts', "import Database from 'better-sqlite3';\nexport const a = Database;\n", /Only the stores/],
    ['server/app.ts', "import { Kysely } from 'kysely';\nexport const a = Kysely;\n", /server\/store/],
    ['electron/services/sync/x.ts', "import pg from 'pg';\nexport const a = pg;\n", /server\/store/],
    ['server/store/x.ts', "import { app } from 'electron';\nexport const a = app;\n", /Only electron\/main/],
  ])('fires in %s on a deliberate violation', async (filePath, code, message) => {
    const messages = await restrictedImports(filePath, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(message);
  });

  it('keeps contract schemas (and zod) out of browser bundles while allowing their types', async () => {
    const [value] = await eslint.lintText("import { statusSchema } from '../../electron/contract/bench-api';\nexport const a = statusSchema;\n", { filePath: 'renderer/src/x.ts' });
    expect(value?.messages.map((m) => m.ruleId)).toContain('@typescript-eslint/no-restricted-imports');
    const [typeOnly] = await eslint.lintText("import type { BenchStatus } from '../../electron/contract/bench-api';\nexport type A = BenchStatus;\n", { filePath: 'renderer/src/x.ts' });
    expect(typeOnly?.messages).toEqual([]);
  });

  it.each([
    ['electron/main/index.ts', "import { app } from 'electron';\nexport const a = app;\n"],
    ['electron/preload/index.ts', "import { contextBridge } from 'electron';\nexport const a = contextBridge;\n"],
    ['electron/main/app-updater.ts', "import { autoUpdater } from 'electron-updater';\nexport const a = autoUpdater;\n"],
    ['native-bridge/serial.ts', "import { SerialPort } from 'serialport';\nexport const a = SerialPort;\n"],
    ['electron/services/store/x.ts', "import Database from 'better-sqlite3';\nexport const a = Database;\n"],
    ['server/store/x.ts', "import Database from 'better-sqlite3';\nimport { Kysely } from 'kysely';\nimport pg from 'pg';\nexport const a = [Database, Kysely, pg];\n"],
    ['renderer/src/App.tsx', "import { create } from 'zustand';\nexport const a = create;\n"],
  ])('allows the sanctioned import in %s', async (filePath, code) => {
    expect(await restrictedImports(filePath, code)).toEqual([]);
  });
});
