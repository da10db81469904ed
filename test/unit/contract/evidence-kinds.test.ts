/**
 * The kinds the bench appends to its integrity log, read from the services' own source, against the list
 * the Evidence view words (electron/contract/evidence-kinds.ts). A new kind appended without a sentence
 * fails here; a listed kind without a sentence fails the type check of the words.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sessionReportSchema } from '../../../electron/contract/coding-session';
import { evidenceKinds, isEvidenceKind } from '../../../electron/contract/evidence-kinds';

function sources(dir: string): Array<{ file: string; text: string }> {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sources(file);
    return name.endsWith('.ts') ? [{ file: path.relative(process.cwd(), file), text: readFileSync(file, 'utf8') }] : [];
  });
}

const electron = sources(path.resolve('electron'));

/** Kinds written as literals: log.append('x.y', …), the session engine's #append, app-update's #record. */
function literalKinds(): Set<string> {
  const kinds = new Set<string>();
  for (const { text } of electron) {
    for (const match of text.matchAll(/(?:\.append|#append|#record)\(\s*'([a-z][a-z0-9-]*(?:\.[a-z0-9_-]+)+)'/g)) kinds.add(match[1] ?? '');
  }
  return kinds;
}

describe('integrity log kinds', () => {
  it('finds the places that append a kind built at run time, and only the two it expands below', () => {
    const dynamic = electron.flatMap(({ file, text }) => [...text.matchAll(/(?:\.append|#append|#record)\(\s*`([^`]*)`/g)].map((match) => `${file}: ${match[1]}`));
    expect(dynamic.sort()).toEqual([
      'electron/services/bench-core.ts: packs.${event.replace(/-/g, \'_\')}',
      'electron/services/session/session-engine.ts: session.${status}',
      'electron/services/session/session-engine.ts: session.${status}',
    ]);
  });

  it('lists every kind the services append, and nothing they no longer append', () => {
    const appended = literalKinds();
    // session.<status> for each way a session ends.
    for (const status of sessionReportSchema.shape.status.options) appended.add(`session.${status}`);
    // packs.<event> for each event the pack manager reports, dashes as underscores.
    const packManager = electron.find(({ file }) => file.endsWith('pack-manager.ts'))?.text ?? '';
    const events = [...packManager.matchAll(/event: '([a-z-]+)'/g)].map((match) => match[1] ?? '');
    expect(events.length).toBeGreaterThan(3);
    for (const event of events) appended.add(`packs.${event.replace(/-/g, '_')}`);

    expect([...appended].filter((kind) => !isEvidenceKind(kind)).sort(), 'appended but not worded: add to evidence-kinds.ts and evidence-words.ts').toEqual([]);
    expect(evidenceKinds.filter((kind) => !appended.has(kind)), 'listed but never appended').toEqual([]);
  });
});
