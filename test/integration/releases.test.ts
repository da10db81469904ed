/**
 * Pins, rollback and hot refresh through the BenchApi dispatcher of the real bench services: a real
 * SQLite store, the demo repository on disk, the virtual bench over TCP on 127.0.0.1, real coding sessions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FamilyRelease, RefreshResult, ReleasesView } from '../../electron/contract/bench-api';
import { createBenchServices, type BenchServices } from '../../electron/services/bench-services';
import { prepareDemoBench, type DemoBench } from '../../demo/demo-bench';
import { hashPin } from '../../common/pin-hash';
import { developmentKeys } from '../../trust/demo-repository';
import { pinBench, promote, revoke } from '../../trust/repository';
import { bundledRootFile } from '../helpers/bundled-root';
import { silentLogger } from '../helpers/silent-logger';

const PART = 'SYN-0445110-001';
const FAMILY = 'bosch-like-cri';
const cheapHash = (pin: string) => hashPin(pin, { N: 2 ** 10, r: 8, p: 1 });
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

describe('releases on the demo bench through the BenchApi', () => {
  let dataDir: string;
  let services: BenchServices;
  let demo: DemoBench;
  let adminId: string;
  let techId: string;

  async function call<T>(method: string, input?: unknown): Promise<T> {
    const result = await services.dispatch(method, input);
    if (!result.ok) throw Object.assign(new Error(result.error.message), { code: result.error.code });
    return result.value as T;
  }

  async function signInAs(operatorId: string, pin: string) {
    await call('signOut').catch(() => undefined);
    await call('signIn', { operatorId, pin });
  }

  function family(view: ReleasesView, name = FAMILY): FamilyRelease {
    const found = view.families.find((entry) => entry.family === name);
    if (!found) throw new Error(`no ${name} in the view`);
    return found;
  }

  function evidence(prefix: string) {
    return services.store.integrityLog.search({ typePrefix: prefix, limit: 200 }).map((entry) => ({ type: entry.type, payload: JSON.parse(entry.payloadJson) as Record<string, unknown> }));
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'injbench-releases-'));
    services = createBenchServices({ dataDir, bundledRootFile, appVersion: '0.1.0', mode: 'workspace', logger: silentLogger(), statusIntervalMs: 0, hashPin: cheapHash, releaseTimers: { pinCheckMs: 0, serverRefreshMs: 0 } });
    demo = await prepareDemoBench(services, { dataDir, sourceDir: path.resolve('resources', 'demo-source'), speed: 60, logger: silentLogger() });
    adminId = (await call<{ operator: { id: string } }>('setupFirstAdmin', { name: 'Ana Admin', pin: '246810' })).operator.id;
    techId = (await call<{ id: string }>('createOperator', { name: 'Tom Tech', role: 'technician', pin: '1357' })).id;
  }, 120_000);

  afterAll(async () => {
    await services?.close();
    await demo?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a technician every release change with FORBIDDEN, and shows the active pack and freshness only', async () => {
    await signInAs(techId, '1357');
    const attempts = [
      ['pinRelease', { family: FAMILY, target: { version: '1.1.0' }, endsAt: inDays(1), reason: 'try it', ticket: 'OPS-1' }],
      ['unpinRelease', { family: FAMILY, reason: 'try it', ticket: 'OPS-1' }],
      ['rollbackRelease', { family: FAMILY, endsAt: inDays(1), reason: 'try it', ticket: 'OPS-1' }],
      ['refreshReleases', { reason: 'try it', ticket: 'OPS-1' }],
    ] as const;
    for (const [method, input] of attempts) {
      expect(await services.dispatch(method, input)).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringContaining('Only an admin') } });
    }
    const view = await call<ReleasesView>('getReleases');
    expect(family(view)).toMatchObject({ active: { version: '1.0.0' }, freshness: 'fresh', available: [] });
    expect(services.packs.readState().trusted.active[FAMILY]?.version).toBe('1.0.0');
  });

  it('lets an admin pin to a version with reason and ticket, records it, and refuses a downgrade by name', async () => {
    await signInAs(adminId, '246810');
    expect(await services.dispatch('pinRelease', { family: FAMILY, target: { version: '1.1.0' }, endsAt: inDays(1), reason: 'x', ticket: 'OPS-7' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await services.dispatch('pinRelease', { family: FAMILY, target: { version: '1.1.0' }, endsAt: inDays(91), reason: 'too long', ticket: 'OPS-7' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('at most 90 days') } });
    const pinned = await call<FamilyRelease>('pinRelease', { family: FAMILY, target: { version: '1.1.0' }, endsAt: inDays(7), reason: 'trial of the tighter tolerance', ticket: 'OPS-7' });
    expect(pinned).toMatchObject({ active: { version: '1.1.0' }, pin: { kind: 'version', version: '1.1.0', ticket: 'OPS-7', actor: expect.stringContaining('Ana Admin') } });
    expect(pinned.available.map((version) => [version.version, version.channels, version.notes !== null])).toEqual([
      ['1.1.0', ['canary'], true],
      ['1.0.0', ['stable'], true],
    ]);
    const [entry] = evidence('releases.pinned');
    expect(entry?.payload).toMatchObject({ family: FAMILY, target: { version: '1.1.0' }, reason: 'trial of the tighter tolerance', ticket: 'OPS-7', gates: { revoked: 'pass', target: 'local-pin' } });
    // A pin may hold or raise, not lower: 1.0.0 is below the active 1.1.0.
    expect(await services.dispatch('pinRelease', { family: FAMILY, target: { version: '1.0.0' }, endsAt: inDays(1), reason: 'go back', ticket: 'OPS-8' })).toMatchObject({ ok: false, error: { code: 'DOWNGRADE_REFUSED' } });
    expect(evidence('releases.pin_refused')[0]?.payload).toMatchObject({ code: 'DOWNGRADE_REFUSED', ticket: 'OPS-8' });
    expect(services.packs.readState().trusted.active[FAMILY]?.version).toBe('1.1.0');
  });

  it('unpins back to the channel, and rolls back to the last-known-good only once there is one', async () => {
    const unpinned = await call<FamilyRelease>('unpinRelease', { family: FAMILY, reason: 'trial over', ticket: 'OPS-7' });
    expect(unpinned).toMatchObject({ pin: null, active: { version: '1.0.0' }, channel: 'stable' });
    expect(evidence('releases.unpinned')[0]?.payload).toMatchObject({ ticket: 'OPS-7', activation: { outcome: 'activated', version: '1.0.0' } });
    // No session has completed yet: there is no last-known-good to go back to.
    expect(await services.dispatch('rollbackRelease', { family: FAMILY, endsAt: inDays(1), reason: 'bad pack', ticket: 'OPS-9' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('defers a refresh asked for while a coding session runs, and applies it when the session ends', async () => {
    await call('updateSettings', { releaseChannel: 'canary' });
    const { sessionId } = await call<{ sessionId: string }>('startCodingSession', { partNumber: PART, serial: 'INJ-REL-1' });
    expect(services.sessions.running).toBe(true);
    const deferred = await call<RefreshResult>('refreshReleases', { reason: 'canary trial', ticket: 'OPS-10' });
    expect(deferred.deferred).toBe(true);
    expect((await call<ReleasesView>('getReleases')).refreshPendingSince).not.toBeNull();
    // Nothing changes under the running session.
    expect(services.packs.readState().trusted.active[FAMILY]?.version).toBe('1.0.0');
    expect(evidence('releases.refresh_deferred')[0]?.payload).toMatchObject({ ticket: 'OPS-10', trigger: 'admin' });

    const report = await services.sessions.settled();
    expect(report).toMatchObject({ sessionId, status: 'completed' });
    await expect.poll(() => services.packs.readState().trusted.active[FAMILY]?.version, { timeout: 20_000 }).toBe('1.1.0');
    await expect.poll(() => evidence('releases.refreshed')[0]?.payload.trigger, { timeout: 5_000 }).toBe('deferred');
    expect(evidence('releases.refreshed')[0]?.payload).toMatchObject({ ticket: 'OPS-10', reason: 'canary trial' });
    const view = await call<ReleasesView>('getReleases');
    expect(view.refreshPendingSince).toBeNull();
    // The session completed on 1.0.0, which is now the last-known-good.
    expect(family(view)).toMatchObject({ active: { version: '1.1.0' }, lastKnownGood: { version: '1.0.0' } });
  }, 60_000);

  it('rolls back to the last-known-good below the active counter, held by a pin, and records it', async () => {
    const rolled = await call<FamilyRelease>('rollbackRelease', { family: FAMILY, endsAt: inDays(2), reason: 'leak test regression on 1.1.0', ticket: 'INC-3' });
    expect(rolled).toMatchObject({ active: { version: '1.0.0' }, pin: { kind: 'rollback', version: '1.0.0', ticket: 'INC-3' } });
    expect(evidence('releases.rolled_back')[0]?.payload).toMatchObject({ from: { version: '1.1.0' }, to: { version: '1.0.0' }, ticket: 'INC-3', gates: { target: 'local-rollback' } });
    // The channel (canary, 1.1.0) does not undo the rollback while the pin holds.
    const refreshed = await call<RefreshResult>('refreshReleases', { reason: 'check the source', ticket: 'OPS-11' });
    expect(refreshed.families.find((entry) => entry.family === FAMILY)).toMatchObject({ outcome: 'unchanged', version: '1.0.0' });
  });

  it('expires a pin at its end time, records the expiry and returns the family to its channel', async () => {
    const clockPin = await call<FamilyRelease>('pinRelease', { family: 'denso-like-g3', target: { channel: 'canary' }, endsAt: new Date(Date.now() + 1500).toISOString(), reason: 'short hold', ticket: 'OPS-12' });
    expect(clockPin).toMatchObject({ pin: { kind: 'channel', channel: 'canary' }, decidedBy: expect.stringContaining('local pin to channel canary'), decision: { kind: 'localPin' }, active: { version: '1.1.0' } });
    await new Promise((resolve) => setTimeout(resolve, 1600));
    const result = await services.releases.checkPins();
    expect(result?.families).toEqual([{ family: 'denso-like-g3', outcome: 'unchanged', version: '1.1.0', code: null, message: null }]);
    expect(evidence('releases.pin_expired')[0]?.payload).toMatchObject({ family: 'denso-like-g3', ticket: 'OPS-12', pin: { kind: 'channel', channel: 'canary' } });
    expect((await call<ReleasesView>('getReleases')).families.find((entry) => entry.family === 'denso-like-g3')).toMatchObject({ pin: null, decidedBy: 'bench channel canary', decision: { kind: 'benchChannel', channel: 'canary' } });
    expect(services.store.releases.pin('denso-like-g3')).toBeNull();
    // And the whole log still verifies.
    expect(await call('verifyEvidenceLog')).toMatchObject({ ok: true });
  });

  it('lets a director-signed directive pin win over a local pin, and may go below the active counter', async () => {
    const held = await call<FamilyRelease>('pinRelease', { family: 'delphi-like-c2i', target: { version: '1.1.0' }, endsAt: inDays(3), reason: 'hold for the audit', ticket: 'AUD-1' });
    expect(held).toMatchObject({ active: { version: '1.1.0' }, pin: { kind: 'version' } });
    pinBench(
      { repoDir: path.join(dataDir, 'demo-repository'), now: new Date(), audit: { actor: 'release-manager', reason: 'security response', ticket: 'SEC-1' } },
      developmentKeys(),
      { benchId: services.identity.benchId, family: 'delphi-like-c2i', assignment: { version: '1.0.0' } },
    );
    const refreshed = await call<RefreshResult>('refreshReleases', { reason: 'pick up the directive', ticket: 'SEC-1' });
    expect(refreshed.families.find((entry) => entry.family === 'delphi-like-c2i')).toMatchObject({ outcome: 'activated', version: '1.0.0' });
    expect(family(await call<ReleasesView>('getReleases'), 'delphi-like-c2i')).toMatchObject({ active: { version: '1.0.0' }, decidedBy: 'directive seq 1 pin to 1.0.0', decision: { kind: 'directivePin', seq: 1, version: '1.0.0' }, channel: null });
    const activation = evidence('packs.activate').find((entry) => entry.payload.family === 'delphi-like-c2i');
    expect(activation?.payload).toMatchObject({ version: '1.0.0', resolved_by: 'directive seq 1 pin', gates: { target: 'directive-pin' } });
  });

  it('refuses a rollback when the last-known-good has since been revoked, and records the refusal', async () => {
    // Back on the channel (canary, 1.1.0); the last-known-good of bosch-like-cri is still 1.0.0.
    expect(await call<FamilyRelease>('unpinRelease', { family: FAMILY, reason: 'incident closed', ticket: 'INC-3' })).toMatchObject({ active: { version: '1.1.0' }, lastKnownGood: { version: '1.0.0' } });
    const context = { repoDir: path.join(dataDir, 'demo-repository'), now: new Date(), audit: { actor: 'release-manager', reason: '1.0.0 withdrawn', ticket: 'SEC-2' } };
    promote(context, developmentKeys(), { family: FAMILY, version: '1.1.0', to: 'stable' });
    revoke(context, developmentKeys(), { family: FAMILY, version: '1.0.0' });
    expect(await services.dispatch('rollbackRelease', { family: FAMILY, endsAt: inDays(1), reason: 'regression again', ticket: 'INC-4' })).toMatchObject({ ok: false, error: { code: 'REVOKED' } });
    expect(evidence('releases.rollback_refused')[0]?.payload).toMatchObject({ code: 'REVOKED', to: { version: '1.0.0' }, ticket: 'INC-4' });
    expect(services.packs.readState().trusted.active[FAMILY]?.version).toBe('1.1.0');
    expect(services.store.releases.pin(FAMILY)).toBeNull();
  });
});
