import { describe, expect, it } from 'vitest';
import { extractFacts } from '../../../server/store/session-indexer';
import type { LogEntryRecord } from '../../../common/integrity-log/records';

let seq = 0;
function entry(type: string, payload: unknown): LogEntryRecord {
  seq += 1;
  return { seq, prevHash: 'p', entryHash: 'h', recordedAt: new Date(Date.UTC(2026, 10, 22, 8, 0, seq)).toISOString(), type, payloadJson: typeof payload === 'string' ? payload : JSON.stringify(payload) };
}

describe('session index facts', () => {
  it('spans a session from its steps without parsing them, and reads start and end from the payloads', () => {
    seq = 0;
    const entries = [
      entry('session.started', { sessionId: 'ses-a', partNumber: 'SYN-1', serial: 'SN-1', operatorId: 'op' }),
      entry('session.step', { sessionId: 'ses-a', id: 'step-0' }),
      entry('session.step', { sessionId: 'ses-b', id: 'step-0' }),
      entry('session.completed', { sessionId: 'ses-a', verdict: 'fail', reason: 'DELIVERY_OUT_OF_TOLERANCE', pack: { family: 'fam', version: '1.2.0', sha256: 'ab' } }),
      entry('session.step', { sessionId: 'ses-b', id: 'step-1' }),
    ];
    const { sessions } = extractFacts(entries);
    expect(sessions.get('ses-a')).toMatchObject({
      firstSeq: 1,
      lastSeq: 4,
      started: { partNumber: 'SYN-1', serial: 'SN-1' },
      ended: { outcome: 'failed', errorClass: 'DELIVERY_OUT_OF_TOLERANCE', family: 'fam', version: '1.2.0' },
    });
    expect(sessions.get('ses-b')).toEqual({ sessionId: 'ses-b', firstSeq: 3, lastSeq: 5 });
  });

  it('reads escaped ids, and parses payloads whose first key is not the session id', () => {
    seq = 0;
    const { sessions } = extractFacts([
      entry('session.step', '{"sessionId":"ses-\\"q\\"","id":"s"}'),
      entry('session.step', { id: 's', sessionId: 'ses-late' }),
      entry('session.step', { sessionId: 42 }),
      entry('session.step', { sessionId: '' }),
      entry('session.step', '{"sessionId":"ses-broken'),
    ]);
    expect([...sessions.keys()]).toEqual(['ses-"q"', 'ses-late']);
  });

  it('does not take an entry type named like an Object property for a session end', () => {
    seq = 0;
    const { sessions } = extractFacts([entry('session.started', { sessionId: 'ses-c' }), entry('constructor', { sessionId: 'ses-c', verdict: 'pass' })]);
    expect(sessions.get('ses-c')?.ended).toBeUndefined();
    expect(sessions.get('ses-c')?.lastSeq).toBe(2);
  });

  it('records activation reports, and a session closed after a crash without its start', () => {
    seq = 0;
    const { sessions, activations } = extractFacts([
      entry('packs.activate', { family: 'fam', version: '1.3.0', sha256: 'cd' }),
      entry('packs.activate_refused', { family: 'fam', code: 'SIGNATURE_INVALID' }),
      entry('session.aborted', { sessionId: 'ses-d', reason: 'INTERRUPTED' }),
    ]);
    expect(activations).toMatchObject([
      { seq: 1, family: 'fam', version: '1.3.0', outcome: 'activated' },
      { seq: 2, family: 'fam', version: null, outcome: 'refused', code: 'SIGNATURE_INVALID' },
    ]);
    expect(sessions.get('ses-d')).toMatchObject({ firstSeq: 3, lastSeq: 3, ended: { outcome: 'aborted', errorClass: 'INTERRUPTED' } });
    expect(sessions.get('ses-d')?.started).toBeUndefined();
  });
});
