import { describe, expect, it } from 'vitest';
import { loadOrCreateBenchIdentity } from '../../../electron/services/identity/bench-identity';
import { IntegrityLog } from '../../../electron/services/integrity-log/integrity-log';
import { IntegrityLogEvidenceSink } from '../../../electron/services/integrity-log/integrity-log-evidence-sink';
import { openBenchStore } from '../../../electron/services/store/bench-store';
import { useTempDirs } from '../../helpers/temp-dir';

describe('integrity log as the evidence sink', () => {
  const tempDir = useTempDirs();

  it('records app-update evidence as hash-chained log entries and refuses malformed ones', async () => {
    const dir = tempDir();
    const store = openBenchStore(dir);
    const sink = new IntegrityLogEvidenceSink(new IntegrityLog(store.integrityLog, loadOrCreateBenchIdentity(dir, store)));
    await sink.append({ at: '2026-11-22T08:00:00.000Z', kind: 'app-update.install.deferred', actor: 'bench', reason: 'a coding session is running', details: { version: '0.2.0' } });
    const entry = store.integrityLog.head();
    expect(entry?.type).toBe('app-update.install.deferred');
    expect(JSON.parse(entry?.payloadJson ?? '{}')).toEqual({ at: '2026-11-22T08:00:00.000Z', actor: 'bench', reason: 'a coding session is running', version: '0.2.0' });
    await expect(sink.append({ at: 'yesterday', kind: 'x', actor: '', reason: '', details: {} })).rejects.toThrow();
    expect(store.integrityLog.head()?.seq).toBe(entry?.seq);
    store.close();
  });
});
