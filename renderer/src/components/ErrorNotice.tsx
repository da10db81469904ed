import type { BenchError } from '../../../electron/contract/envelope';
import { useT } from '../i18n/use-t';

/** What went wrong and what to do (the services' own sentence), with the code for support. */
export function ErrorNotice({ error, testId }: { error: BenchError | null; testId?: string }) {
  const t = useT();
  if (!error) return null;
  return (
    <div role="alert" className="error-banner" data-testid={testId ?? 'error'} data-code={error.code}>
      {error.message} <span className="error-banner__code">({error.code})</span>
      {error.code === 'TRANSPORT_ERROR' && <span className="error-banner__hint"> {t('error.transportHint')}</span>}
    </div>
  );
}
