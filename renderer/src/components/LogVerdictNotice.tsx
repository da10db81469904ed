import type { LogVerdictView } from '../../../electron/contract/bench-api';
import { describeLogFault } from '../i18n/error-words';
import { useT } from '../i18n/use-t';
import { useAppStore } from '../store/context';

/** The outcome of verifying the bench's integrity log: intact (with what is not yet sealed) or where it breaks. */
export function LogVerdictNotice({ verdict }: { verdict: LogVerdictView | null }) {
  const t = useT();
  const locale = useAppStore((state) => state.locale);
  if (!verdict) return null;
  if (!verdict.ok) {
    return (
      <p className="verdict verdict--bad" role="alert" data-testid="log-verdict">
        {t('evidence.tampered', { seq: verdict.seq, reason: describeLogFault(verdict, locale), code: verdict.code })}
      </p>
    );
  }
  const unsealed = verdict.unsealedEntries === 1 ? ` ${t('evidence.unsealedOne')}` : verdict.unsealedEntries > 1 ? ` ${t('evidence.unsealed', { count: verdict.unsealedEntries })}` : '';
  return (
    <p className="verdict verdict--ok" role="status" data-testid="log-verdict">
      {t('evidence.intact', { entries: verdict.entries, sealed: verdict.sealedThrough })}
      {unsealed}
    </p>
  );
}
