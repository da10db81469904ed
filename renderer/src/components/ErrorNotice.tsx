import type { BenchError } from '../../../electron/contract/envelope';
import type { ErrorWords } from '../i18n/error-words';
import { useErrorWords } from '../i18n/use-error-words';

/** The catalog's words for an error, the specifics on a second line, and the code for support. */
export function ErrorWordsText({ words, detailsLabel, testId }: { words: ErrorWords; detailsLabel: string; testId?: string }) {
  return (
    <>
      <span data-testid={testId ? `${testId}-text` : undefined}>{words.text}</span> <span className="error-banner__code">({words.code})</span>
      {words.detail && (
        <span className="error-banner__detail" data-testid={testId ? `${testId}-detail` : undefined}>
          {detailsLabel}: {words.detail}
        </span>
      )}
    </>
  );
}

/** What went wrong and what to do, in the screen's language, with the code for support. */
export function ErrorNotice({ error, testId }: { error: BenchError | null; testId?: string }) {
  const { describe, detailsLabel } = useErrorWords();
  if (!error) return null;
  const id = testId ?? 'error';
  return (
    <div role="alert" className="error-banner" data-testid={id} data-code={error.code}>
      <ErrorWordsText words={describe(error)} detailsLabel={detailsLabel} testId={id} />
    </div>
  );
}

/** A session's reason code where a table has no room for a sentence: the code, the catalog's words on hover and for screen readers. */
export function ReasonCode({ code }: { code: string }) {
  const { describe } = useErrorWords();
  const words = describe({ code, message: '' });
  return (
    <span className="reason-code" data-code={code} title={words.text || undefined}>
      {' '}
      ({code}){words.text && <span className="visually-hidden"> {words.text}</span>}
    </span>
  );
}
