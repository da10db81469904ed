import { useEffect, useId, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { FamilyRelease, ReleasesView as ReleasesData } from '../../../electron/contract/bench-api';
import { ErrorNotice } from '../components/ErrorNotice';
import { useAppStore } from '../store/context';

type Channel = 'canary' | 'staged' | 'stable' | 'lts';
const channels: readonly Channel[] = ['stable', 'lts', 'staged', 'canary'];

/** The change an admin is about to make; the form asks for reason, ticket and (for pins) the end time. */
type PendingChange =
  | { action: 'pin-version'; family: string; version: string }
  | { action: 'pin-channel'; family: string; channel: Channel }
  | { action: 'unpin'; family: string }
  | { action: 'rollback'; family: string; version: string }
  | { action: 'refresh' };

const freshnessLabel: Record<FamilyRelease['freshness'], string> = {
  fresh: 'Fresh',
  expiring: 'Expiring soon: refresh',
  expired: 'Expired: refresh before coding',
  unknown: 'Unknown: refresh',
};

function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : 'never';
}

/** A datetime-local value (local time, with seconds) for a date. */
function localInputValue(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

function changeTitle(change: PendingChange): string {
  switch (change.action) {
    case 'pin-version':
      return `Pin ${change.family} to ${change.version}`;
    case 'pin-channel':
      return `Pin ${change.family} to the ${change.channel} channel`;
    case 'unpin':
      return `Unpin ${change.family} (back to its channel)`;
    case 'rollback':
      return `Roll ${change.family} back to last-known-good ${change.version}`;
    case 'refresh':
      return 'Refresh packs from the release source';
  }
}

function ChangeForm({ change, maxPinDays, onDone }: { change: PendingChange; maxPinDays: number; onDone: () => void }) {
  const { pin, unpin, rollback, refresh, busy } = useAppStore(
    useShallow((state) => ({ pin: state.pinRelease, unpin: state.unpinRelease, rollback: state.rollbackRelease, refresh: state.refreshReleases, busy: state.releasesBusy })),
  );
  const id = useId();
  const [reason, setReason] = useState('');
  const [ticket, setTicket] = useState('');
  const [endsAt, setEndsAt] = useState(() => localInputValue(new Date(Date.now() + 7 * 86_400_000)));
  const [sourceKind, setSourceKind] = useState<'configured' | 'server' | 'directory' | 'bundle'>('configured');
  const [sourcePath, setSourcePath] = useState('');
  const needsEnd = change.action === 'pin-version' || change.action === 'pin-channel' || change.action === 'rollback';
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const audit = { reason: reason.trim(), ticket: ticket.trim() };
    const end = new Date(endsAt).toISOString();
    const run =
      change.action === 'pin-version'
        ? pin({ family: change.family, target: { version: change.version }, endsAt: end, ...audit })
        : change.action === 'pin-channel'
          ? pin({ family: change.family, target: { channel: change.channel }, endsAt: end, ...audit })
          : change.action === 'unpin'
            ? unpin({ family: change.family, ...audit })
            : change.action === 'rollback'
              ? rollback({ family: change.family, endsAt: end, ...audit })
              : refresh({
                  ...audit,
                  ...(sourceKind === 'configured' ? {} : { source: sourceKind === 'server' ? { kind: 'server' as const } : { kind: sourceKind, path: sourcePath.trim() } }),
                });
    void run.then((done) => {
      if (done) onDone();
    });
  };
  return (
    <form className="form form--inline releases-change" onSubmit={submit} aria-labelledby={`${id}-title`} data-testid="release-change-form">
      <h2 id={`${id}-title`}>{changeTitle(change)}</h2>
      <p className="hint">Reason and ticket are recorded in the bench's signed log with your name.</p>
      <label htmlFor={`${id}-reason`}>Reason</label>
      <input id={`${id}-reason`} value={reason} onChange={(event) => setReason(event.target.value)} required minLength={3} maxLength={500} autoComplete="off" />
      <label htmlFor={`${id}-ticket`}>Ticket</label>
      <input id={`${id}-ticket`} value={ticket} onChange={(event) => setTicket(event.target.value)} required placeholder="OPS-42" pattern="[A-Za-z0-9][A-Za-z0-9._#\/\-]{1,63}" autoComplete="off" />
      {needsEnd && (
        <>
          <label htmlFor={`${id}-ends`}>{change.action === 'rollback' ? 'Hold the rollback until' : 'Pin ends at'}</label>
          <input id={`${id}-ends`} type="datetime-local" step={1} value={endsAt} onChange={(event) => setEndsAt(event.target.value)} required aria-describedby={`${id}-ends-hint`} />
          <p id={`${id}-ends-hint`} className="hint">
            At most {maxPinDays} days ahead. At the end the bench returns to its channel on its own.
          </p>
        </>
      )}
      {change.action === 'refresh' && (
        <>
          <label htmlFor={`${id}-source`}>Source</label>
          <select id={`${id}-source`} value={sourceKind} onChange={(event) => setSourceKind(event.target.value as typeof sourceKind)}>
            <option value="configured">The configured source</option>
            <option value="server">The central server (Settings)</option>
            <option value="directory">A release directory on this machine</option>
            <option value="bundle">An offline bundle file (USB stick)</option>
          </select>
          {(sourceKind === 'directory' || sourceKind === 'bundle') && (
            <>
              <label htmlFor={`${id}-path`}>{sourceKind === 'directory' ? 'Directory' : 'Bundle file'}</label>
              <input id={`${id}-path`} value={sourcePath} onChange={(event) => setSourcePath(event.target.value)} required placeholder={sourceKind === 'directory' ? '/media/usb/release' : '/media/usb/packs.tar.gz'} autoComplete="off" />
            </>
          )}
          <p className="hint">A chosen source is remembered for later refreshes. Nothing is activated while a coding session runs.</p>
        </>
      )}
      <div className="actions">
        <button type="button" className="button button--secondary" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="button button--primary" disabled={busy || reason.trim().length < 3 || ticket.trim().length < 2} data-testid="confirm-release-change">
          {busy ? 'Working…' : 'Confirm'}
        </button>
      </div>
    </form>
  );
}

function FamilyCard({ family, admin, onChange }: { family: FamilyRelease; admin: boolean; onChange: (change: PendingChange) => void }) {
  const [channel, setChannel] = useState<Channel>(family.channel ?? 'stable');
  const titleId = `release-${family.family}-title`;
  const state = family.freshness === 'fresh' ? 'ok' : family.freshness === 'expired' ? 'error' : 'not_configured';
  return (
    <section className={`part part--${state}`} aria-labelledby={titleId} data-testid={`release-${family.family}`}>
      <header className="part__header">
        <h2 id={titleId}>{family.family}</h2>
        <span className="badge" data-testid={`release-${family.family}-freshness`}>
          {freshnessLabel[family.freshness]}
        </span>
      </header>
      <dl className="facts">
        <div className="facts__row">
          <dt>Active pack</dt>
          <dd data-testid={`release-${family.family}-active`}>{family.active ? `${family.active.version} (release ${family.active.releaseCounter})` : 'none'}</dd>
        </div>
        <div className="facts__row">
          <dt>Decided by</dt>
          <dd data-testid={`release-${family.family}-decided`}>{family.decidedBy}</dd>
        </div>
        <div className="facts__row">
          <dt>Pin</dt>
          <dd data-testid={`release-${family.family}-pin`}>
            {family.pin
              ? `${family.pin.kind === 'channel' ? `channel ${family.pin.channel}` : family.pin.kind === 'rollback' ? `rollback to ${family.pin.version}` : family.pin.version} until ${when(family.pin.endsAt)}${family.pin.expired ? ' (ended; returning to the channel)' : ''}`
              : 'none'}
          </dd>
        </div>
        <div className="facts__row">
          <dt>Last-known-good</dt>
          <dd>{family.lastKnownGood ? family.lastKnownGood.version : 'none yet (set after a clean session)'}</dd>
        </div>
        <div className="facts__row">
          <dt>Signed index expires</dt>
          <dd>
            {when(family.indexExpires)}
            {family.securityFloor !== null ? ` · security floor ${family.securityFloor}` : ''}
          </dd>
        </div>
      </dl>
      {family.pin && admin && <p className="hint">Pinned by {family.pin.actor} ({family.pin.ticket}): {family.pin.reason}</p>}
      {admin && (
        <>
          <table className="table" aria-label={`Versions of ${family.family}`}>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Channels</th>
                <th scope="col">Release notes</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {family.available.map((version) => {
                const blocked = version.revoked ? 'Revoked' : version.belowFloor ? 'Below the security floor' : null;
                const isActive = family.active?.version === version.version;
                return (
                  <tr key={version.version} data-testid={`release-${family.family}-version-${version.version}`}>
                    <td>
                      {version.version} <span className="hint">(release {version.releaseCounter})</span>
                    </td>
                    <td>{version.channels.length > 0 ? version.channels.join(', ') : '—'}</td>
                    <td>{version.notes ?? '—'}</td>
                    <td>
                      {blocked ? (
                        <span>{blocked}</span>
                      ) : (
                        <button className="button button--secondary" onClick={() => onChange({ action: 'pin-version', family: family.family, version: version.version })}>
                          {isActive ? 'Hold' : 'Pin'} {version.version}
                          <span className="visually-hidden"> of {family.family}</span>
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <div className="actions releases-actions">
            <label className="visually-hidden" htmlFor={`pin-channel-${family.family}`}>
              Channel to pin {family.family} to
            </label>
            <select id={`pin-channel-${family.family}`} value={channel} onChange={(event) => setChannel(event.target.value as Channel)}>
              {channels.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
            <button className="button button--secondary" onClick={() => onChange({ action: 'pin-channel', family: family.family, channel })}>
              Pin to channel
            </button>
            {family.pin && (
              <button className="button button--secondary" onClick={() => onChange({ action: 'unpin', family: family.family })} data-testid={`unpin-${family.family}`}>
                Unpin
              </button>
            )}
            {family.lastKnownGood && family.lastKnownGood.sha256 !== family.active?.sha256 && (
              <button className="button button--secondary" onClick={() => onChange({ action: 'rollback', family: family.family, version: family.lastKnownGood?.version ?? '' })} data-testid={`rollback-${family.family}`}>
                Roll back to {family.lastKnownGood.version}
              </button>
            )}
          </div>
        </>
      )}
    </section>
  );
}

function SourceLine({ releases }: { releases: ReleasesData }) {
  return (
    <p className="topbar__meta" data-testid="releases-source">
      Source: {releases.source ? `${releases.source.kind} ${releases.source.location}` : 'not configured'} · last refresh {when(releases.lastRefreshAt)}
      {releases.lastSuccessAt && releases.lastSuccessAt !== releases.lastRefreshAt ? ` (last success ${when(releases.lastSuccessAt)})` : ''}
    </p>
  );
}

/** Releases: what each family runs and why; admins pin, unpin, roll back and refresh with a reason and ticket. */
export function ReleasesView() {
  const { releases, error, notice, load, role, clearMessages } = useAppStore(
    useShallow((state) => ({
      releases: state.releases,
      error: state.releasesError,
      notice: state.releasesNotice,
      load: state.loadReleases,
      role: state.session?.operator?.role,
      clearMessages: state.clearReleasesMessages,
    })),
  );
  const [change, setChange] = useState<PendingChange | null>(null);
  useEffect(() => {
    clearMessages();
    void load();
  }, [load, clearMessages]);
  const admin = role === 'admin';
  const choose = (next: PendingChange) => {
    clearMessages();
    setChange(next);
  };

  return (
    <section className="view" aria-labelledby="releases-title">
      <header className="view__header">
        <h1 id="releases-title">Releases</h1>
        {admin && (
          <button className="button button--primary" onClick={() => choose({ action: 'refresh' })} data-testid="refresh-releases">
            Refresh packs
          </button>
        )}
      </header>
      {releases && <SourceLine releases={releases} />}
      {releases?.refreshPendingSince && (
        <p className="hint" data-testid="refresh-pending">
          A refresh is waiting for the running coding session to end (asked at {when(releases.refreshPendingSince)}).
        </p>
      )}
      <ErrorNotice error={error} testId="releases-error" />
      <p role="status" className="hint" data-testid="releases-notice">
        {notice ?? ''}
      </p>
      {!admin && <p className="hint">Only an admin can pin, roll back or refresh packs.</p>}
      {change && releases && <ChangeForm key={JSON.stringify(change)} change={change} maxPinDays={releases.maxPinDays} onDone={() => setChange(null)} />}
      {!releases ? (
        <p className="loading">Loading releases…</p>
      ) : releases.families.length === 0 ? (
        <p className="hint">No pack is active yet{admin ? ': refresh from the central server, a release directory or an offline bundle.' : '.'}</p>
      ) : (
        <div className="releases-families">
          {releases.families.map((family) => (
            <FamilyCard key={family.family} family={family} admin={admin} onChange={choose} />
          ))}
        </div>
      )}
    </section>
  );
}
