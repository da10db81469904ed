import { useEffect, useId, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { FamilyRelease, RefreshResult, ReleasesView as ReleasesData } from '../../../electron/contract/bench-api';
import { ErrorNotice, ErrorWordsText } from '../components/ErrorNotice';
import { useErrorWords } from '../i18n/use-error-words';
import type { MessageKey, Translate } from '../i18n/i18n';
import { useT } from '../i18n/use-t';
import { useBenchTime, type BenchTimeFormat } from '../i18n/use-bench-time';
import { useAppStore } from '../store/context';
import type { ReleasesNotice } from '../store/releases-slice';

type Channel = 'canary' | 'staged' | 'stable' | 'lts';
const channels: readonly Channel[] = ['stable', 'lts', 'staged', 'canary'];

/** The change an admin is about to make; the form asks for reason, ticket and (for pins) the end time. */
type PendingChange =
  | { action: 'pin-version'; family: string; version: string }
  | { action: 'pin-channel'; family: string; channel: Channel }
  | { action: 'unpin'; family: string }
  | { action: 'rollback'; family: string; version: string }
  | { action: 'refresh' };

const freshnessLabel: Record<FamilyRelease['freshness'], MessageKey> = {
  fresh: 'releases.freshness.fresh',
  expiring: 'releases.freshness.expiring',
  expired: 'releases.freshness.expired',
  unknown: 'releases.freshness.unknown',
};

function when(t: Translate, time: BenchTimeFormat, iso: string | null): string {
  return iso ? time.dateTime(iso) : t('releases.never');
}


function changeTitle(t: Translate, change: PendingChange): string {
  switch (change.action) {
    case 'pin-version':
      return t('releases.change.pinVersion', { family: change.family, version: change.version });
    case 'pin-channel':
      return t('releases.change.pinChannel', { family: change.family, channel: change.channel });
    case 'unpin':
      return t('releases.change.unpin', { family: change.family });
    case 'rollback':
      return t('releases.change.rollback', { family: change.family, version: change.version });
    case 'refresh':
      return t('releases.change.refresh');
  }
}

/** Why a refresh refused a family's pack, in the catalog's words with the code for support. */
function RefusedFamilies({ result }: { result: RefreshResult }) {
  const { describe, detailsLabel } = useErrorWords();
  const refused = result.families.filter((family) => family.outcome === 'refused' && family.code);
  if (refused.length === 0) return null;
  return (
    <ul className="hint" data-testid="releases-refused">
      {refused.map((family) => (
        <li key={family.family} data-family={family.family} data-code={family.code}>
          <strong>{family.family}</strong> <ErrorWordsText words={describe({ code: family.code ?? '', message: family.message ?? '' })} detailsLabel={detailsLabel} />
        </li>
      ))}
    </ul>
  );
}

/** The live-region line for the last change, in the current language. */
function noticeText(t: Translate, time: BenchTimeFormat, notice: ReleasesNotice): string {
  if (notice.kind === 'refreshed') {
    const { result } = notice;
    if (result.deferred) return t('releases.notice.deferred');
    const refused = result.families.filter((family) => family.outcome === 'refused').length;
    const activated = result.families.filter((family) => family.outcome === 'activated').length;
    return t('releases.notice.refreshed', { source: result.source ?? t('releases.notice.theSource'), activated, unchanged: result.families.length - activated - refused, refused });
  }
  const { family } = notice;
  const done = t(notice.kind === 'pinned' ? 'releases.notice.pinned' : notice.kind === 'unpinned' ? 'releases.notice.unpinned' : 'releases.notice.rolledBack');
  const version = family.active?.version ?? t('releases.notice.noPack');
  const state = family.pin ? t('releases.notice.onPackPinned', { family: family.family, version, until: time.dateTime(family.pin.endsAt) }) : t('releases.notice.onPack', { family: family.family, version });
  return `${done} ${state}`;
}

function ChangeForm({ change, maxPinDays, onDone }: { change: PendingChange; maxPinDays: number; onDone: () => void }) {
  const { pin, unpin, rollback, refresh, busy } = useAppStore(
    useShallow((state) => ({ pin: state.pinRelease, unpin: state.unpinRelease, rollback: state.rollbackRelease, refresh: state.refreshReleases, busy: state.releasesBusy })),
  );
  const t = useT();
  const time = useBenchTime();
  const id = useId();
  const [reason, setReason] = useState('');
  const [ticket, setTicket] = useState('');
  // The end is a wall-clock time at the bench (its zone), whatever the zone of the machine showing this form.
  const [endsAt, setEndsAt] = useState(() => time.wallClock(new Date(Date.now() + 7 * 86_400_000).toISOString()));
  const [sourceKind, setSourceKind] = useState<'configured' | 'server' | 'directory' | 'bundle'>('configured');
  const [sourcePath, setSourcePath] = useState('');
  const needsEnd = change.action === 'pin-version' || change.action === 'pin-channel' || change.action === 'rollback';
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const audit = { reason: reason.trim(), ticket: ticket.trim() };
    const end = time.instant(endsAt) ?? '';
    // The required datetime-local input refuses an empty or broken time before this; never send one.
    if (needsEnd && end === '') return;
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
      <h2 id={`${id}-title`}>{changeTitle(t, change)}</h2>
      <p className="hint">{t('releases.form.hint')}</p>
      <label htmlFor={`${id}-reason`}>{t('releases.form.reason')}</label>
      <input id={`${id}-reason`} value={reason} onChange={(event) => setReason(event.target.value)} required minLength={3} maxLength={500} autoComplete="off" />
      <label htmlFor={`${id}-ticket`}>{t('releases.form.ticket')}</label>
      <input id={`${id}-ticket`} value={ticket} onChange={(event) => setTicket(event.target.value)} required placeholder="OPS-42" pattern="[A-Za-z0-9][A-Za-z0-9._#\/\-]{1,63}" autoComplete="off" />
      {needsEnd && (
        <>
          <label htmlFor={`${id}-ends`}>{change.action === 'rollback' ? t('releases.form.holdUntil') : t('releases.form.pinEnds')}</label>
          <input id={`${id}-ends`} type="datetime-local" step={1} value={endsAt} onChange={(event) => setEndsAt(event.target.value)} required aria-describedby={`${id}-ends-hint`} />
          <p id={`${id}-ends-hint`} className="hint">
            {t('releases.form.endsHint', { days: maxPinDays, zone: time.timeZone })}
          </p>
        </>
      )}
      {change.action === 'refresh' && (
        <>
          <label htmlFor={`${id}-source`}>{t('releases.form.source')}</label>
          <select id={`${id}-source`} value={sourceKind} onChange={(event) => setSourceKind(event.target.value as typeof sourceKind)}>
            <option value="configured">{t('releases.form.sourceConfigured')}</option>
            <option value="server">{t('releases.form.sourceServer')}</option>
            <option value="directory">{t('releases.form.sourceDirectory')}</option>
            <option value="bundle">{t('releases.form.sourceBundle')}</option>
          </select>
          {(sourceKind === 'directory' || sourceKind === 'bundle') && (
            <>
              <label htmlFor={`${id}-path`}>{sourceKind === 'directory' ? t('releases.form.directory') : t('releases.form.bundle')}</label>
              <input id={`${id}-path`} value={sourcePath} onChange={(event) => setSourcePath(event.target.value)} required placeholder={sourceKind === 'directory' ? '/media/usb/release' : '/media/usb/packs.tar.gz'} autoComplete="off" />
            </>
          )}
          <p className="hint">{t('releases.form.sourceHint')}</p>
        </>
      )}
      <div className="actions">
        <button type="button" className="button button--secondary" onClick={onDone}>
          {t('releases.form.cancel')}
        </button>
        <button type="submit" className="button button--primary" disabled={busy || reason.trim().length < 3 || ticket.trim().length < 2} data-testid="confirm-release-change">
          {busy ? t('common.working') : t('releases.form.confirm')}
        </button>
      </div>
    </form>
  );
}

function FamilyCard({ family, admin, onChange }: { family: FamilyRelease; admin: boolean; onChange: (change: PendingChange) => void }) {
  const t = useT();
  const time = useBenchTime();
  const [channel, setChannel] = useState<Channel>(family.channel ?? 'stable');
  const titleId = `release-${family.family}-title`;
  const state = family.freshness === 'fresh' ? 'ok' : family.freshness === 'expired' ? 'error' : 'not_configured';
  return (
    <section className={`part part--${state}`} aria-labelledby={titleId} data-testid={`release-${family.family}`}>
      <header className="part__header">
        <h2 id={titleId}>{family.family}</h2>
        <span className="badge" data-testid={`release-${family.family}-freshness`}>
          {t(freshnessLabel[family.freshness])}
        </span>
      </header>
      <dl className="facts">
        <div className="facts__row">
          <dt>{t('releases.active')}</dt>
          <dd data-testid={`release-${family.family}-active`}>{family.active ? t('releases.activeValue', { version: family.active.version, counter: family.active.releaseCounter }) : t('releases.none')}</dd>
        </div>
        <div className="facts__row">
          <dt>{t('releases.decidedBy')}</dt>
          <dd data-testid={`release-${family.family}-decided`}>{decisionText(t, time, family)}</dd>
        </div>
        <div className="facts__row">
          <dt>{t('releases.pin')}</dt>
          <dd data-testid={`release-${family.family}-pin`}>{family.pin ? pinText(t, time, family.pin) : t('releases.none')}</dd>
        </div>
        <div className="facts__row">
          <dt>{t('releases.lkg')}</dt>
          <dd>{family.lastKnownGood ? family.lastKnownGood.version : t('releases.lkgNone')}</dd>
        </div>
        <div className="facts__row">
          <dt>{t('releases.indexExpires')}</dt>
          <dd>
            {when(t, time, family.indexExpires)}
            {family.securityFloor !== null ? ` · ${t('releases.floor', { floor: family.securityFloor })}` : ''}
          </dd>
        </div>
      </dl>
      {family.pin && admin && <p className="hint">{t('releases.pinnedBy', { actor: family.pin.actor, ticket: family.pin.ticket, reason: family.pin.reason })}</p>}
      {admin && (
        <>
          <table className="table" aria-label={t('releases.versionsOf', { family: family.family })}>
            <thead>
              <tr>
                <th scope="col">{t('releases.version')}</th>
                <th scope="col">{t('releases.channels')}</th>
                <th scope="col">{t('releases.notes')}</th>
                <th scope="col">{t('releases.action')}</th>
              </tr>
            </thead>
            <tbody>
              {family.available.map((version) => {
                const blocked = version.revoked ? t('releases.revoked') : version.belowFloor ? t('releases.belowFloor') : null;
                const isActive = family.active?.version === version.version;
                return (
                  <tr key={version.version} data-testid={`release-${family.family}-version-${version.version}`}>
                    <td>
                      {version.version} <span className="hint">{t('releases.release', { counter: version.releaseCounter })}</span>
                    </td>
                    <td>{version.channels.length > 0 ? version.channels.join(', ') : '—'}</td>
                    <td>{version.notes ?? '—'}</td>
                    <td>
                      {blocked ? (
                        <span>{blocked}</span>
                      ) : (
                        <button className="button button--secondary" onClick={() => onChange({ action: 'pin-version', family: family.family, version: version.version })}>
                          {t(isActive ? 'releases.holdButton' : 'releases.pinButton', { version: version.version })}
                          <span className="visually-hidden"> {t('releases.ofFamily', { family: family.family })}</span>
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
              {t('releases.channelToPin', { family: family.family })}
            </label>
            <select id={`pin-channel-${family.family}`} value={channel} onChange={(event) => setChannel(event.target.value as Channel)}>
              {channels.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
            <button className="button button--secondary" onClick={() => onChange({ action: 'pin-channel', family: family.family, channel })}>
              {t('releases.pinToChannel')}
            </button>
            {family.pin && (
              <button className="button button--secondary" onClick={() => onChange({ action: 'unpin', family: family.family })} data-testid={`unpin-${family.family}`}>
                {t('releases.unpin')}
              </button>
            )}
            {family.lastKnownGood && family.lastKnownGood.sha256 !== family.active?.sha256 && (
              <button className="button button--secondary" onClick={() => onChange({ action: 'rollback', family: family.family, version: family.lastKnownGood?.version ?? '' })} data-testid={`rollback-${family.family}`}>
                {t('releases.rollbackTo', { version: family.lastKnownGood.version })}
              </button>
            )}
          </div>
        </>
      )}
    </section>
  );
}

/** What decides the target, in the language on screen; a local pin's end in the bench's zone. */
function decisionText(t: Translate, time: BenchTimeFormat, family: FamilyRelease): string {
  const { decision } = family;
  switch (decision.kind) {
    case 'directivePin':
      return t('releases.decidedDirectivePin', { seq: decision.seq, version: decision.version });
    case 'localPin':
      return family.pin ? t('releases.decidedLocalPin', { pin: pinText(t, time, family.pin) }) : family.decidedBy;
    case 'directiveChannel':
      return t('releases.decidedDirectiveChannel', { seq: decision.seq, channel: decision.channel });
    case 'benchChannel':
      return t('releases.decidedBenchChannel', { channel: decision.channel });
  }
}

function pinText(t: Translate, time: BenchTimeFormat, pin: NonNullable<FamilyRelease['pin']>): string {
  const until = when(t, time, pin.endsAt);
  const text =
    pin.kind === 'channel'
      ? t('releases.pinChannel', { channel: pin.channel ?? '', when: until })
      : pin.kind === 'rollback'
        ? t('releases.pinRollback', { version: pin.version ?? '', when: until })
        : t('releases.pinVersion', { version: pin.version ?? '', when: until });
  return pin.expired ? `${text} ${t('releases.pinEnded')}` : text;
}

function SourceLine({ releases }: { releases: ReleasesData }) {
  const t = useT();
  const time = useBenchTime();
  return (
    <p className="topbar__meta" data-testid="releases-source">
      {t('releases.source', { source: releases.source ? `${releases.source.kind} ${releases.source.location}` : t('releases.sourceNone'), when: when(t, time, releases.lastRefreshAt) })}
      {releases.lastSuccessAt && releases.lastSuccessAt !== releases.lastRefreshAt ? ` ${t('releases.lastSuccess', { when: when(t, time, releases.lastSuccessAt) })}` : ''}
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
  const t = useT();
  const time = useBenchTime();
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
        <h1 id="releases-title">{t('releases.title')}</h1>
        {admin && (
          <button className="button button--primary" onClick={() => choose({ action: 'refresh' })} data-testid="refresh-releases">
            {t('releases.refresh')}
          </button>
        )}
      </header>
      {releases && <SourceLine releases={releases} />}
      {releases?.refreshPendingSince && (
        <p className="hint" data-testid="refresh-pending">
          {t('releases.pending', { when: when(t, time, releases.refreshPendingSince) })}
        </p>
      )}
      <ErrorNotice error={error} testId="releases-error" />
      <p role="status" className="hint" data-testid="releases-notice">
        {notice ? noticeText(t, time, notice) : ''}
      </p>
      {notice?.kind === 'refreshed' && <RefusedFamilies result={notice.result} />}
      {!admin && <p className="hint">{t('releases.adminOnly')}</p>}
      {change && releases && <ChangeForm key={JSON.stringify(change)} change={change} maxPinDays={releases.maxPinDays} onDone={() => setChange(null)} />}
      {!releases ? (
        <p className="loading">{t('releases.loading')}</p>
      ) : releases.families.length === 0 ? (
        <p className="hint">{admin ? t('releases.noneYetAdmin') : t('releases.noneYet')}</p>
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
