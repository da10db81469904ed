import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { BenchStatus } from '../../../electron/contract/bench-api';
import { createAppStore, type AppStore } from '../../../renderer/src/store/app-store';
import { StoreProvider } from '../../../renderer/src/store/context';
import { StatusPage } from '../../../renderer/src/views/StatusPage';
import { fakeBench } from './fake-bench';

function status(overview: BenchStatus['overview']): BenchStatus {
  return {
    app: { name: 'Injector Bench', version: '1.2.3', mode: 'workspace', startedAt: '2026-11-22T08:00:00.000Z', uptimeSeconds: 5, launchCount: 1 },
    overview,
    parts: [{ id: 'store', label: 'Store', state: 'ok', detail: 'SQLite database open, schema version 12.', facts: [{ label: 'Journal', value: 'WAL' }] }],
    timeZone: 'Europe/Berlin',
    generatedAt: '2026-11-22T08:00:05.000Z',
  };
}

function render(locale: 'en' | 'de', value: BenchStatus, credits: number | null): string {
  const store = createAppStore(fakeBench({}).bench, { storage: null });
  store.setState({
    locale,
    status: value,
    creditsBalance: credits,
    session: { operator: { id: 'op-0123456789abcdef', name: 'Tom Tech', role: 'technician' }, setupRequired: false, idleTimeoutSeconds: 600 },
    settings: { benchPort: null, serverUrl: null, language: locale, releaseChannel: 'stable', workshopName: '', workshopAddress: '', timeZone: 'Europe/Berlin', labelPrinter: { kind: 'download' }, documentPrinter: { kind: 'download' } },
  });
  const current: AppStore = { ...store, getInitialState: () => store.getState() };
  return renderToStaticMarkup(
    <StoreProvider store={current}>
      <StatusPage />
    </StoreProvider>,
  );
}

const ready: BenchStatus['overview'] = {
  bench: { status: 'connected', model: 'VB-100', benchSerial: 'VB-0001', calibrationDue: '2999-03-01' },
  packs: { state: 'ok', active: [{ family: 'bosch-like-cri', version: '1.1.0' }] },
  server: { enrolled: true, lastSuccessAt: '2026-11-22T23:30:00.000Z', unsentEntries: 0, failing: false, blocked: false },
};

describe('status page', () => {
  it('tells a technician the bench is ready, in German, with the support details folded away', () => {
    const markup = render('de', status(ready), 12);
    expect(markup).toContain('Bereit zum Codieren.');
    expect(markup).toContain('Verbunden: VB-100 VB-0001');
    expect(markup).toContain('01.03.2999');
    expect(markup).toContain('bosch-like-cri 1.1.0');
    expect(markup.replace(/\s/g, ' ')).toContain('Erreichbar, zuletzt synchronisiert 23. Nov. 2026, 00:30 MEZ');
    // The fold is closed, and the technical items live only inside it.
    const details = markup.slice(markup.indexOf('<details'));
    expect(markup.match(/<details[^>]*>/)?.[0]).not.toMatch(/\sopen/);
    expect(details).toContain('Details für den Support');
    const technician = markup.slice(0, markup.indexOf('<details'));
    for (const technical of ['WAL', 'schema', 'v1.2.3']) {
      expect(technician).not.toContain(technical);
      expect(details).toContain(technical);
    }
  });

  it('names what needs attention: an overdue calibration, no credits, a server it cannot reach', () => {
    const markup = render('en', status({ ...ready, bench: { ...ready.bench, calibrationDue: '2020-01-01' }, server: { ...ready.server, failing: true } }), 0);
    expect(markup).toContain('Needs attention: Calibration due, Credits, Server.');
    expect(markup).toContain('Overdue since Jan 1, 2020');
    expect(markup).toContain('None left: ask an admin for credits');
    expect(markup).toMatch(/data-testid="status-tech-server" data-state="attention"/);
    expect(markup).toMatch(/data-testid="status-tech-bench" data-state="ok"/);
  });
});
