/**
 * A durable evidence sink: one JSON object per line, appended and fsynced before append() resolves.
 * Plain files on purpose: this is the stop-gap until the hash-chained integrity log exists, and a line
 * file can be read by support with nothing but a text editor.
 */
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ServiceError } from '../service-error';
import { evidenceEntrySchema, type EvidenceEntry, type EvidenceSink } from './evidence-sink';

export interface DamagedEvidenceLine {
  /** 1-based line number in the file. */
  line: number;
  problem: string;
  text: string;
}

export interface EvidenceFileContents {
  entries: EvidenceEntry[];
  /** Lines that do not parse (a write torn by power loss, a hand edit): reported, never dropped silently. */
  damaged: DamagedEvidenceLine[];
}

export class JsonLinesEvidenceSink implements EvidenceSink {
  /** Appends run one after another so lines never interleave and order is the order of calls. */
  #queue: Promise<void> = Promise.resolve();
  #checkedTail = false;

  constructor(readonly file: string) {}

  append(entry: EvidenceEntry): Promise<void> {
    const parsed = evidenceEntrySchema.safeParse(entry);
    if (!parsed.success) {
      const problem = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'entry'}: ${issue.message}`).join('; ');
      return Promise.reject(new ServiceError('INVALID_ARGUMENT', `Evidence entry refused, nothing was written: ${problem}.`));
    }
    const line = `${JSON.stringify(parsed.data)}\n`;
    const next = this.#queue.then(() => this.#write(line));
    // A failed write must not block the entries after it; the caller of the failed one sees the rejection.
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #write(line: string): Promise<void> {
    try {
      const created = await this.#prepare();
      // A torn last line (crash mid-write) must stay on its own line, not swallow the next entry.
      const prefix = (await this.#endsMidLine()) ? '\n' : '';
      const handle = await open(this.file, 'a', 0o600);
      try {
        await handle.appendFile(prefix + line, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (created) await syncDirectory(path.dirname(this.file));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ServiceError('STORE_ERROR', `Cannot record evidence in ${this.file} (${reason}). Check the disk; the entry was not recorded.`, {
        cause: error,
      });
    }
  }

  /** Creates the folder; true when the file does not exist yet (its directory entry then needs an fsync). */
  async #prepare(): Promise<boolean> {
    await mkdir(path.dirname(this.file), { recursive: true });
    try {
      await stat(this.file);
      return false;
    } catch {
      return true;
    }
  }

  async #endsMidLine(): Promise<boolean> {
    if (this.#checkedTail) return false;
    this.#checkedTail = true;
    let size: number;
    try {
      size = (await stat(this.file)).size;
    } catch {
      return false;
    }
    if (size === 0) return false;
    const handle = await open(this.file, 'r');
    try {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      return last[0] !== 0x0a;
    } finally {
      await handle.close();
    }
  }
}

async function syncDirectory(directory: string): Promise<void> {
  // Windows cannot open a directory for fsync; NTFS journals the new entry itself.
  if (process.platform === 'win32') return;
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Reads every entry back, in order, with the damaged lines listed instead of thrown away. */
export async function readEvidenceFile(file: string): Promise<EvidenceFileContents> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], damaged: [] };
    throw error;
  }
  const entries: EvidenceEntry[] = [];
  const damaged: DamagedEvidenceLine[] = [];
  text.split('\n').forEach((raw, index) => {
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      damaged.push({ line: index + 1, problem: 'not JSON', text: raw });
      return;
    }
    const parsed = evidenceEntrySchema.safeParse(value);
    if (parsed.success) entries.push(parsed.data);
    else damaged.push({ line: index + 1, problem: parsed.error.issues.map((issue) => issue.message).join('; '), text: raw });
  });
  return { entries, damaged };
}
