import { useShallow } from 'zustand/react/shallow';
import { ErrorNotice } from '../components/ErrorNotice';
import { LogVerdictNotice } from '../components/LogVerdictNotice';
import { useT } from '../i18n/use-t';
import { useAppStore } from '../store/context';
import { VerifyLogButton } from './EvidenceView';

/** Support at the bench: a signed support bundle to hand over, and the log checked end to end. */
export function SupportView({ onShowEvidence }: { onShowEvidence(): void }) {
  const t = useT();
  const { exporting, lastBundle, error, exportBundle, verdict, verify, evidenceError, isAdmin, exportingDiagnostics, lastDiagnostics, diagnosticsError, exportDiagnostics } = useAppStore(
    useShallow((state) => ({
      isAdmin: state.session?.operator?.role === 'admin',
      exportingDiagnostics: state.exportingDiagnostics,
      lastDiagnostics: state.lastDiagnostics,
      diagnosticsError: state.diagnosticsError,
      exportDiagnostics: state.exportDiagnostics,
      exporting: state.exportingBundle,
      lastBundle: state.lastBundle,
      error: state.supportError,
      exportBundle: state.exportSupportBundle,
      verdict: state.logVerdict,
      verify: state.verifyLog,
      evidenceError: state.evidenceError,
    })),
  );
  return (
    <section className="view" aria-labelledby="support-title">
      <h1 id="support-title">{t('support.title')}</h1>
      <section className="panel" aria-labelledby="bundle-title">
        <h2 id="bundle-title">{t('support.bundle')}</h2>
        <p className="hint">{t('support.bundleHint')}</p>
        <button className="button button--primary" onClick={() => void exportBundle()} disabled={exporting} aria-busy={exporting} data-testid="export-bundle">
          {exporting ? t('support.exporting') : t('support.export')}
        </button>
        <ErrorNotice error={error} testId="support-error" />
        <p className="hint" role="status" data-testid="bundle-result">
          {lastBundle ? t('support.exported', { file: lastBundle.fileName, sessions: lastBundle.sessions, entries: lastBundle.entries, kb: Math.max(1, Math.round(lastBundle.bytes / 1024)) }) : ''}
        </p>
      </section>
      {isAdmin && (
        <section className="panel" aria-labelledby="diagnostics-title">
          <h2 id="diagnostics-title">{t('support.diagnostics')}</h2>
          <p className="hint">{t('support.diagnosticsHint')}</p>
          <button className="button button--secondary" onClick={() => void exportDiagnostics()} disabled={exportingDiagnostics} aria-busy={exportingDiagnostics} data-testid="export-diagnostics">
            {t('support.exportDiagnostics')}
          </button>
          <ErrorNotice error={diagnosticsError} testId="diagnostics-error" />
          <p className="hint" role="status" data-testid="diagnostics-result">
            {lastDiagnostics ? t('support.diagnosticsExported', { file: lastDiagnostics.fileName, kb: Math.max(1, Math.round(lastDiagnostics.bytes / 1024)) }) : ''}
          </p>
        </section>
      )}
      <section className="panel" aria-labelledby="verify-title">
        <h2 id="verify-title">{t('support.verifyTitle')}</h2>
        <p className="hint">{t('support.verifyHint')}</p>
        <div className="actions actions--start">
          <VerifyLogButton verify={verify} />
          <button className="button button--secondary" onClick={onShowEvidence} data-testid="show-evidence">
            {t('support.showEvidence')}
          </button>
        </div>
        <ErrorNotice error={evidenceError} testId="support-evidence-error" />
        <LogVerdictNotice verdict={verdict} />
      </section>
    </section>
  );
}
