import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryEvidenceSink, type EvidenceEntry } from '../../../electron/services/evidence/evidence-sink';
import { JsonLinesEvidenceSink, readEvidenceFile } from '../../../electron/services/evidence/json-lines-evidence-sink';
import { ServiceError } from '../../../electron/services/service-error';
import { useTempDirs } from '../../helpers/temp-dir';

const entry = (n: number): EvidenceEntry => ({
  at: new Date(Date.UTC(2026, 10, 22, 5, 0, n)).toISOString(),
  kind: 'app-update.check.completed',
  actor: 'bench',
  reason: `check number ${n}`,
  details: { n, outcome: 'up-to-date', held: false, offeredVersion: null },
});

describe('memory evidence sink', () => {
  it('keeps entries in order and refuses malformed ones', async () => {
    const sink = new MemoryEvidenceSink();
    await sink.append(entry(1));
    await sink.append(entry(2));
    expect(sink.entries().map((e) => e.details.n)).toEqual([1, 2]);
    await expect(sink.append({ ...entry(3), kind: 'Not A Kind' })).rejects.toThrow(/dotted lower-case kind/);
    expect(sink.entries()).toHaveLength(2);
  });
});

describe('JSON-lines evidence sink', () => {
  const tempDir = useTempDirs();

  it('creates its folder, writes one line per entry in call order, owner-only', async () => {
    const file = path.join(tempDir(), 'evidence', 'app-updates.jsonl');
    const sink = new JsonLinesEvidenceSink(file);
    await Promise.all([1, 2, 3, 4, 5].map((n) => sink.append(entry(n))));
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as EvidenceEntry).details.n)).toEqual([1, 2, 3, 4, 5]);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    await expect(readEvidenceFile(file)).resolves.toEqual({ entries: [1, 2, 3, 4, 5].map(entry), damaged: [] });
  });

  it('appends to what an earlier run wrote', async () => {
    const file = path.join(tempDir(), 'app-updates.jsonl');
    await new JsonLinesEvidenceSink(file).append(entry(1));
    await new JsonLinesEvidenceSink(file).append(entry(2));
    expect((await readEvidenceFile(file)).entries.map((e) => e.details.n)).toEqual([1, 2]);
  });

  it('keeps a line torn by a crash apart from the next entry, and reports it as damaged', async () => {
    const file = path.join(tempDir(), 'app-updates.jsonl');
    writeFileSync(file, `${JSON.stringify(entry(1))}\n{"at":"2026-11-22T05:00:02.000Z","kind":"app-upd`);
    await new JsonLinesEvidenceSink(file).append(entry(3));
    const contents = await readEvidenceFile(file);
    expect(contents.entries.map((e) => e.details.n)).toEqual([1, 3]);
    expect(contents.damaged).toEqual([expect.objectContaining({ line: 2, problem: 'not JSON' })]);
  });

  it('reports a line that is JSON but not an evidence entry', async () => {
    const file = path.join(tempDir(), 'app-updates.jsonl');
    await new JsonLinesEvidenceSink(file).append(entry(1));
    appendFileSync(file, '{"kind":"app-update.check"}\n');
    const contents = await readEvidenceFile(file);
    expect(contents.entries).toHaveLength(1);
    expect(contents.damaged).toEqual([expect.objectContaining({ line: 2 })]);
  });

  it('refuses a malformed entry with a typed error and writes nothing', async () => {
    const file = path.join(tempDir(), 'app-updates.jsonl');
    const sink = new JsonLinesEvidenceSink(file);
    const refused = sink.append({ ...entry(1), at: 'yesterday' });
    await expect(refused).rejects.toBeInstanceOf(ServiceError);
    await expect(refused).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('at:') });
    await expect(readEvidenceFile(file)).resolves.toEqual({ entries: [], damaged: [] });
  });

  it('fails with STORE_ERROR when the file cannot be written, and keeps working for later entries', async () => {
    const dir = tempDir();
    const blocker = path.join(dir, 'not-a-folder');
    writeFileSync(blocker, 'a file where the folder should be');
    const sink = new JsonLinesEvidenceSink(path.join(blocker, 'app-updates.jsonl'));
    await expect(sink.append(entry(1))).rejects.toMatchObject({ code: 'STORE_ERROR', message: expect.stringContaining('not recorded') });
    const healthy = new JsonLinesEvidenceSink(path.join(dir, 'ok.jsonl'));
    await healthy.append(entry(2));
    expect((await readEvidenceFile(path.join(dir, 'ok.jsonl'))).entries).toHaveLength(1);
  });

  it('reads a missing file as empty', async () => {
    await expect(readEvidenceFile(path.join(tempDir(), 'none.jsonl'))).resolves.toEqual({ entries: [], damaged: [] });
  });
});
