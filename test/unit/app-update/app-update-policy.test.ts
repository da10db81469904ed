import { describe, expect, it, vi } from 'vitest';
import { AppUpdatePolicy } from '../../../electron/services/app-update/app-update-policy';
import { type BenchReleaseChannel } from '../../../electron/services/app-update/release-channel';
import { TrustError } from '../../../trust/errors';
import { MemoryEvidenceSink, type EvidenceEntry, type EvidenceSink } from '../../../electron/services/evidence/evidence-sink';
import { FakeAdminHold, FakeCodingSessions, FakeReleaseChannel, FakeUpdaterPort } from '../../fakes/app-update-ports';

const NOW = new Date('2026-11-22T05:00:00.000Z');
const activeHold = {
  actor: 'admin:karin',
  reason: 'Audit week: no software changes on the bench',
  ticket: 'WS-1042',
  since: '2026-11-20T08:00:00.000Z',
  until: '2026-11-29T18:00:00.000Z',
};

function setup(options: { channel?: BenchReleaseChannel; version?: string; evidence?: EvidenceSink } = {}) {
  const updater = new FakeUpdaterPort(options.version ?? '1.4.0');
  const channel = new FakeReleaseChannel(options.channel ?? 'stable');
  const sessions = new FakeCodingSessions();
  const hold = new FakeAdminHold();
  const memory = new MemoryEvidenceSink();
  const policy = new AppUpdatePolicy({ updater, channel, sessions, hold, evidence: options.evidence ?? memory, now: () => NOW });
  return { updater, channel, sessions, hold, evidence: memory, policy };
}

function lastOf(entries: readonly EvidenceEntry[], kind: string): EvidenceEntry | undefined {
  return entries.filter((entry) => entry.kind === kind).at(-1);
}

describe('app update policy', () => {
  it('applies the bench channel at start and records it', async () => {
    const { policy, updater, evidence } = setup({ channel: 'canary' });
    await policy.start();
    expect(updater.channel).toBe('canary');
    expect(evidence.entries()[0]).toMatchObject({
      kind: 'app-update.channel.applied',
      at: NOW.toISOString(),
      details: { releaseChannel: 'canary', currentVersion: '1.4.0' },
    });
    policy.stop();
  });

  it('checks, downloads and installs a newer build when idle, recording every step before acting', async () => {
    const { policy, updater, evidence } = setup();
    updater.offers.set('stable', { version: '1.5.0' });
    await policy.start();
    await expect(policy.check('admin')).resolves.toEqual({ outcome: 'installing', version: '1.5.0' });
    expect(updater.calls).toEqual(['useChannel:stable', 'check:stable', 'download', 'install']);
    expect(evidence.kinds()).toEqual([
      'app-update.channel.applied',
      'app-update.check.completed',
      'app-update.download.started',
      'app-update.download.completed',
      'app-update.install.started',
    ]);
    expect(lastOf(evidence.entries(), 'app-update.check.completed')?.details).toMatchObject({ trigger: 'admin', outcome: 'update-available', offeredVersion: '1.5.0' });
    expect(policy.state()).toMatchObject({ phase: 'installing', pending: { version: '1.5.0', releaseChannel: 'stable' } });
  });

  it('records a check that finds nothing newer', async () => {
    const { policy, updater, evidence } = setup();
    await policy.start();
    await expect(policy.check()).resolves.toEqual({ outcome: 'up-to-date' });
    expect(updater.calls).not.toContain('download');
    expect(lastOf(evidence.entries(), 'app-update.check.completed')?.details).toMatchObject({ outcome: 'up-to-date', trigger: 'schedule' });
  });

  it.each(['1.3.9', '1.4.0', 'not-a-version'])('refuses to move to %s from 1.4.0, even when the updater offers it', async (offered) => {
    const { policy, updater, evidence } = setup();
    updater.offers.set('stable', { version: offered });
    await policy.start();
    await expect(policy.check()).resolves.toEqual({ outcome: 'downgrade-refused', offeredVersion: offered });
    expect(updater.calls).not.toContain('download');
    expect(updater.installs).toBe(0);
    expect(lastOf(evidence.entries(), 'app-update.downgrade.refused')?.details).toMatchObject({ offeredVersion: offered, currentVersion: '1.4.0' });
  });

  it('downloads during a coding session, defers the install once, then installs when the session ends', async () => {
    const { policy, updater, sessions, evidence } = setup();
    updater.offers.set('stable', { version: '1.5.0' });
    await policy.start();
    sessions.begin();
    await expect(policy.check()).resolves.toEqual({ outcome: 'install-deferred', version: '1.5.0' });
    expect(updater.calls).toContain('download');
    expect(updater.installs).toBe(0);
    // A second check while the session still runs neither downloads again nor records a second deferral.
    await expect(policy.check()).resolves.toEqual({ outcome: 'install-deferred', version: '1.5.0' });
    expect(updater.calls.filter((call) => call === 'download')).toHaveLength(1);
    expect(evidence.kinds().filter((kind) => kind === 'app-update.install.deferred')).toHaveLength(1);
    expect(policy.state().phase).toBe('downloaded');

    sessions.end();
    await vi.waitFor(() => expect(updater.installs).toBe(1));
    expect(evidence.kinds().slice(-2)).toEqual(['app-update.install.deferred', 'app-update.install.started']);
    expect(policy.state().phase).toBe('installing');
  });

  it('skips checks while an admin holds the app, naming who, why and the ticket', async () => {
    const { policy, updater, hold, evidence } = setup();
    updater.offers.set('stable', { version: '1.5.0' });
    hold.hold = activeHold;
    await policy.start();
    await expect(policy.check()).resolves.toEqual({ outcome: 'held', hold: activeHold });
    expect(updater.calls).toEqual(['useChannel:stable']);
    expect(lastOf(evidence.entries(), 'app-update.check.skipped')).toMatchObject({
      actor: 'admin:karin',
      details: { holdTicket: 'WS-1042', holdUntil: activeHold.until, holdReason: activeHold.reason },
    });
  });

  it('holds a downloaded build until the hold is lifted, then installs it', async () => {
    const { policy, updater, hold, sessions, evidence } = setup();
    updater.offers.set('stable', { version: '1.5.0' });
    await policy.start();
    sessions.begin();
    await policy.check();
    hold.set(activeHold);
    sessions.end();
    await vi.waitFor(() => expect(evidence.kinds()).toContain('app-update.install.held'));
    expect(updater.installs).toBe(0);
    hold.set(null);
    await vi.waitFor(() => expect(updater.installs).toBe(1));
  });

  it('installs once when the session ends and the hold is lifted at the same moment', async () => {
    const { policy, updater, hold, sessions, evidence } = setup();
    updater.offers.set('stable', { version: '1.5.0' });
    await policy.start();
    sessions.begin();
    await expect(policy.check()).resolves.toMatchObject({ outcome: 'install-deferred' });
    // Both events ask for the install in the same tick.
    sessions.end();
    hold.set(null);
    await vi.waitFor(() => expect(updater.installs).toBe(1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(updater.installs).toBe(1);
    expect(evidence.kinds().filter((kind) => kind === 'app-update.install.started')).toHaveLength(1);
  });

  it('ignores a hold whose end date has passed: pins are time-bounded', async () => {
    const { policy, updater, hold } = setup();
    updater.offers.set('stable', { version: '1.5.0' });
    hold.hold = { ...activeHold, until: '2026-11-21T00:00:00.000Z' };
    await policy.start();
    await expect(policy.check()).resolves.toMatchObject({ outcome: 'installing' });
  });

  it('treats an unreadable hold as a hold: not updating is the safe side', async () => {
    const { policy, updater, hold, evidence } = setup();
    updater.offers.set('stable', { version: '1.5.0' });
    hold.hold = { actor: 'admin', reason: '' };
    await policy.start();
    await expect(policy.check()).resolves.toEqual({ outcome: 'held', hold: null });
    expect(updater.calls).not.toContain('check:stable');
    expect(lastOf(evidence.entries(), 'app-update.check.skipped')?.details).toMatchObject({ holdReadable: false });
  });

  it('follows every channel change at once, records it and checks the new channel', async () => {
    const { policy, updater, channel, evidence } = setup();
    updater.offers.set('canary', { version: '1.6.0-canary.2' });
    await policy.start();
    channel.set('canary');
    await vi.waitFor(() => expect(updater.installs).toBe(1));
    expect(updater.calls).toEqual(['useChannel:stable', 'useChannel:canary', 'check:canary', 'download', 'install']);
    expect(lastOf(evidence.entries(), 'app-update.channel.changed')?.details).toMatchObject({
      fromReleaseChannel: 'stable',
      releaseChannel: 'canary',
    });
  });

  it('never installs a build downloaded from a channel the bench has left', async () => {
    const { policy, updater, channel, sessions, evidence } = setup({ channel: 'canary' });
    updater.offers.set('canary', { version: '1.6.0' });
    await policy.start();
    sessions.begin();
    await expect(policy.check()).resolves.toMatchObject({ outcome: 'install-deferred' });
    channel.set('stable');
    await vi.waitFor(() => expect(evidence.kinds()).toContain('app-update.install.cancelled'));
    sessions.end();
    await vi.waitFor(() => expect(lastOf(evidence.entries(), 'app-update.check.completed')?.details.releaseChannel).toBe('stable'));
    expect(updater.installs).toBe(0);
    expect(policy.state().pending).toBeNull();
  });

  it('drops a download that finishes after the bench changed channel', async () => {
    const { policy, updater, evidence } = setup({ channel: 'canary' });
    updater.offers.set('canary', { version: '1.6.0' });
    let release: () => void = () => undefined;
    updater.downloadGate = new Promise((resolve) => (release = resolve));
    await policy.start();
    const check = policy.check();
    await vi.waitFor(() => expect(updater.calls).toContain('download'));
    await policy.changeChannel('lts');
    release();
    await expect(check).resolves.toEqual({ outcome: 'up-to-date' });
    expect(updater.installs).toBe(0);
    expect(lastOf(evidence.entries(), 'app-update.install.cancelled')?.details).toMatchObject({ downloadedFromReleaseChannel: 'canary' });
  });

  it('runs one check at a time', async () => {
    const { policy, updater } = setup();
    updater.offers.set('stable', { version: '1.5.0' });
    await policy.start();
    const [first, second] = await Promise.all([policy.check(), policy.check()]);
    expect(first).toEqual(second);
    expect(updater.calls.filter((call) => call.startsWith('check:'))).toHaveLength(1);
  });

  it('records failed checks and downloads with the reason, and installs nothing', async () => {
    const { policy, updater, evidence } = setup();
    await policy.start();
    updater.checkError = new Error('getaddrinfo ENOTFOUND central.example');
    await expect(policy.check()).resolves.toEqual({ outcome: 'failed', message: 'getaddrinfo ENOTFOUND central.example' });
    expect(lastOf(evidence.entries(), 'app-update.check.failed')?.reason).toContain('ENOTFOUND');
    updater.checkError = null;
    updater.offers.set('stable', { version: '1.5.0' });
    updater.downloadError = new Error('sha512 checksum mismatch');
    await expect(policy.check()).resolves.toMatchObject({ outcome: 'failed' });
    expect(lastOf(evidence.entries(), 'app-update.download.failed')?.reason).toContain('sha512 checksum mismatch');
    expect(updater.installs).toBe(0);
    expect(policy.state()).toMatchObject({ phase: 'idle', pending: null });
  });

  it('records a signed release that does not verify as refused, with its trust code, and downloads nothing', async () => {
    const { policy, updater, evidence } = setup();
    await policy.start();
    updater.checkError = new TrustError('BAD_SIGNATURE', 'app release for stable: no valid app_release signature from a trusted key.');
    await expect(policy.check()).resolves.toMatchObject({ outcome: 'refused', code: 'BAD_SIGNATURE' });
    expect(lastOf(evidence.entries(), 'app-update.check.refused')?.details).toMatchObject({ code: 'BAD_SIGNATURE', releaseChannel: 'stable' });
    expect(updater.calls).not.toContain('download');
  });

  it('does not install when the install cannot be recorded', async () => {
    const memory = new MemoryEvidenceSink();
    const failingInstallRecord: EvidenceSink = {
      append: async (entry) => {
        if (entry.kind === 'app-update.install.started') throw new Error('disk full');
        await memory.append(entry);
      },
    };
    const { policy, updater } = setup({ evidence: failingInstallRecord });
    updater.offers.set('stable', { version: '1.5.0' });
    await policy.start();
    await expect(policy.check()).resolves.toEqual({ outcome: 'failed', message: 'disk full' });
    expect(updater.installs).toBe(0);
    expect(memory.kinds()).toContain('app-update.download.completed');
  });

  it('stops following changes after stop()', async () => {
    const { policy, channel, updater } = setup();
    await policy.start();
    expect(channel.listenerCount).toBe(1);
    policy.stop();
    expect(channel.listenerCount).toBe(0);
    channel.set('lts');
    expect(updater.channel).toBe('stable');
  });
});
