/** The files a session hands out, named so a folder of them sorts by injector. */
import type { SessionReport } from '../../contract/coding-session';
import type { DocumentFile, DocumentKind } from '../../contract/documents';
import { toDocumentFile } from './document-file';
import { buildLabel } from './label';
import { jobReportPdf, labelPdf, reportPdf, type JobReportInput } from './pdf';

function safeName(value: string): string {
  return value.replace(/[^A-Za-z0-9-]+/g, '_').slice(0, 40);
}

export async function sessionDocument(report: SessionReport, kind: DocumentKind): Promise<DocumentFile> {
  const stem = `${safeName(report.partNumber)}_${safeName(report.serial)}_${report.endedAt.slice(0, 10)}`;
  if (kind === 'label') return toDocumentFile(`label_${stem}.pdf`, 'application/pdf', await labelPdf(buildLabel(report)));
  const label = report.status === 'completed' && report.verdict === 'pass' && report.code ? buildLabel(report) : null;
  return toDocumentFile(`report_${stem}.pdf`, 'application/pdf', await reportPdf(report, label));
}

export async function jobDocument(input: JobReportInput): Promise<DocumentFile> {
  const { job } = input.view;
  return toDocumentFile(`job_${safeName(job.jobId)}_${safeName(job.customer)}.pdf`, 'application/pdf', await jobReportPdf(input));
}
