/**
 * The layering table (eslint.config.js) through the lint configuration `npm run lint` runs: each forbidden
 * direction between the project's folders fails, and the sanctioned ones pass.
 */
import { ESLint } from 'eslint';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

/** Lints `from` importing `to` (both relative to the project root) and returns the layering messages. */
async function layeringMessages(from: string, to: string): Promise<string[]> {
  let specifier = path.relative(path.dirname(from), to).replace(/\.tsx?$/, '');
  if (!specifier.startsWith('.')) specifier = `./${specifier}`;
  const [result] = await eslint.lintText(`import { thing } from '${specifier}';\nexport const a = thing;\n`, { filePath: from });
  return (result?.messages ?? []).filter((message) => message.ruleId === 'layering/imports').map((message) => message.message);
}

describe('layering (eslint.config.js)', () => {
  it.each([
    // The central server ships alone: common and trust only.
    ['server/app.ts', 'electron/services/logger.ts'],
    ['server/app.ts', 'electron/contract/envelope.ts'],
    ['server/store/x.ts', 'native-bridge/driver.ts'],
    ['server/app.ts', 'renderer/src/App.tsx'],
    ['server/app.ts', 'demo/demo.ts'],
    ['server/app.ts', 'cli/main.ts'],
    // The shared core owns nothing of a deployable.
    ['common/logger.ts', 'electron/services/bench-core.ts'],
    ['common/central-api/client.ts', 'server/app.ts'],
    ['common/x.ts', 'native-bridge/driver.ts'],
    ['trust/pack.ts', 'common/logger.ts'],
    ['trust/pack.ts', 'electron/services/logger.ts'],
    ['trust/pack.ts', 'server/app.ts'],
    // The bench link stands on the session's states alone; only the virtual bench leans on the link, never the reverse.
    ['native-bridge/driver.ts', 'electron/services/logger.ts'],
    ['native-bridge/driver.ts', 'electron/contract/envelope.ts'],
    ['native-bridge/driver.ts', 'server/app.ts'],
    ['native-bridge/driver.ts', 'common/logger.ts'],
    ['common/coding-session/states.ts', 'common/logger.ts'],
    ['native-bridge/test-plan.ts', 'native-bridge/sim/injector-model.ts'],
    // The bench app's services: never the server, the demo, the virtual bench or the adapter above them.
    ['electron/services/bench-core.ts', 'server/central-server.ts'],
    ['electron/services/bench-core.ts', 'demo/demo.ts'],
    ['electron/services/bench-core.ts', 'native-bridge/sim/server.ts'],
    ['electron/services/bench-core.ts', 'electron/main/bench-app.ts'],
    ['electron/services/bench-core.ts', 'cli/paths.ts'],
    // The packaged main process: the demo and the workspace host only through the development entry.
    ['electron/main/index.ts', 'demo/electron-demo.ts'],
    ['electron/main/main-process.ts', 'electron/workspace/workspace-host.ts'],
    ['electron/main/index.ts', 'server/central-server.ts'],
    ['electron/main/index.ts', 'native-bridge/sim/server.ts'],
    ['electron/preload/index.ts', 'electron/services/dispatcher.ts'],
    // Browser code and the contract: the contract alone.
    ['electron/contract/bench-api.ts', 'electron/services/logger.ts'],
    ['electron/contract/bench-api.ts', 'common/logger.ts'],
    ['renderer/src/App.tsx', 'electron/services/bench-services.ts'],
    ['renderer/src/App.tsx', 'common/logger.ts'],
    ['renderer/src/App.tsx', 'trust/schemas.ts'],
    ['renderer/src/App.tsx', 'common/coding-session/step-report.ts'],
    ['electron/workspace-bridge/bridge.ts', 'electron/services/dispatcher.ts'],
    // Tools never reach into the tests.
    ['cli/main.ts', 'test/helpers/central-server.ts'],
    ['demo/demo.ts', 'cli/paths.ts'],
    ['demo/demo.ts', 'test/helpers/central-server.ts'],
  ])('refuses %s importing %s', async (from, to) => {
    const messages = await layeringMessages(from, to);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/may not import/);
  });

  it.each([
    ['server/app.ts', 'common/central-api/protocol.ts'],
    ['server/app.ts', 'trust/ed25519.ts'],
    ['common/central-api/protocol.ts', 'trust/crypto.ts'],
    ['native-bridge/sim/server.ts', 'native-bridge/driver.ts'],
    ['native-bridge/test-plan.ts', 'common/coding-session/states.ts'],
    ['electron/services/bench-core.ts', 'common/logger.ts'],
    ['electron/services/bench-core.ts', 'native-bridge/driver.ts'],
    ['electron/services/bench-core.ts', 'electron/contract/envelope.ts'],
    ['electron/main/index.ts', 'electron/services/bench-services.ts'],
    ['electron/main/dev.ts', 'demo/electron-demo.ts'],
    ['electron/main/dev.ts', 'electron/workspace/workspace-host.ts'],
    ['renderer/src/App.tsx', 'electron/contract/bench-api.ts'],
    ['electron/contract/coding-session.ts', 'common/coding-session/step-report.ts'],
    ['common/central-api/session-log-entries.ts', 'common/coding-session/step-report.ts'],
    ['demo/demo-central-server.ts', 'server/central-server.ts'],
    ['cli/commands/server.ts', 'server/server-command.ts'],
    ['test/helpers/x.ts', 'server/app.ts'],
    ['bench/x.ts', 'electron/services/bench-core.ts'],
  ])('allows %s importing %s', async (from, to) => {
    expect(await layeringMessages(from, to)).toEqual([]);
  });
});
