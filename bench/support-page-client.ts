/**
 * The support client of bench/support-page.ts, in a worker thread of its own: a support engineer's machine is
 * not the server, so fetching and parsing a page must not be counted as the server's CPU. It reads the pages
 * it is given one after another, checks each answer, and reports each read's wall time and its own CPU.
 */
import { parentPort } from 'node:worker_threads';
import { supportLogPath } from '../common/central-api/paths';
import { threadCpuMs } from './thread-cpu';

export interface PageReads {
  serverUrl: string;
  supportToken: string;
  benchId: string;
  limit: number;
  /** Each read's fromSeq, and the hash its first entry must have. */
  reads: { fromSeq: number; firstHash: string }[];
}

export type PageReadsResult = { ok: true; timesMs: number[]; clientCpuMs: number | null } | { ok: false; error: string };

async function readPages(plan: PageReads): Promise<PageReadsResult> {
  const timesMs: number[] = [];
  const cpuBefore = threadCpuMs();
  for (const { fromSeq, firstHash } of plan.reads) {
    const started = performance.now();
    const response = await fetch(`${plan.serverUrl}${supportLogPath(plan.benchId)}?fromSeq=${fromSeq}&limit=${plan.limit}`, { headers: { authorization: `Bearer ${plan.supportToken}` } });
    const body = (await response.json()) as { integrity: { ok: boolean }; entries: { entryHash: string }[] };
    timesMs.push(performance.now() - started);
    if (response.status !== 200 || !body.integrity.ok || body.entries.length !== plan.limit || body.entries[0]?.entryHash !== firstHash) {
      return { ok: false, error: `page ${fromSeq} of ${plan.benchId}: ${response.status} ${JSON.stringify(body).slice(0, 200)}` };
    }
  }
  const cpuAfter = threadCpuMs();
  return { ok: true, timesMs, clientCpuMs: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore };
}

parentPort?.on('message', (plan: PageReads) => {
  readPages(plan).then(
    (result) => parentPort?.postMessage(result),
    (error: unknown) => parentPort?.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) } satisfies PageReadsResult),
  );
});
