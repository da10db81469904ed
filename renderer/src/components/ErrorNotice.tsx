import type { BenchError } from '../../../electron/contract/envelope';

/** What went wrong and what to do, with the code for support. */
export function ErrorNotice({ error, testId }: { error: BenchError | null; testId?: string }) {
  if (!error) return null;
  return (
    <div role="alert" className="error-banner" data-testid={testId ?? 'error'} data-code={error.code}>
      {error.message} <span className="error-banner__code">({error.code})</span>
    </div>
  );
}
