/** The files a session hands out, named so a folder of them sorts by injector. */
import type { SessionReport } from '../../contract/coding-session';
import type { DocumentFile, DocumentKind } from '../../contract/documents';
import { toDocumentFile } from './document-file';
import { buildLabel } from './label';
import { benchDay, type BenchClock } from '../../contract/bench-time';
import { jobReportPdf, labelPdf, reportPdf, type JobReportInput } from './pdf';

function safeName(value: string): string {
  return value.replace(/[^A-Za-z0-9-]+/g, '_').slice(0, 40);
}

/** A session's label or report, dated in the bench's time zone (`clock`) as the people at the bench read dates. */
export async function sessionDocument(report: SessionReport, kind: DocumentKind, clock: BenchClock): Promise<DocumentFile> {
  const stem = `${safeName(report.partNumber)}_${safeName(report.serial)}_${benchDay(report.endedAt, clock.timeZone)}`;
  if (kind === 'label') return toDocumentFile(`label_${stem}.pdf`, 'application/pdf', await labelPdf(buildLabel(report, clock)));
  const label = report.status === 'completed' && report.verdict === 'pass' && report.code ? buildLabel(report, clock) : null;
  return toDocumentFile(`report_${stem}.pdf`, 'application/pdf', await reportPdf(report, label, clock));
}

export async function jobDocument(input: JobReportInput): Promise<DocumentFile> {
  const { job } = input.view;
  return toDocumentFile(`job_${safeName(job.jobId)}_${safeName(job.customer)}.pdf`, 'application/pdf', await jobReportPdf(input));
}
