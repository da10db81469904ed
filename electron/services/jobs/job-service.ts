/**
 * Jobs and engine sets (issue 20, item 3): a job holds the injectors coded for one vehicle, one per
 * cylinder position. Starting a session for a position checks the part and the position against the job,
 * and a retest of the position's injector within the pack's window is free (it names the charged session
 * it repeats). Job events go into the integrity log without the customer's name or VIN: the log is synced
 * to the central server, which needs the job's shape, not the workshop's customer data.
 */
import { randomBytes } from 'node:crypto';
import type { SessionReport } from '../../contract/coding-session';
import { jobEditableFields, type Job, type JobEdit, type JobInput, type JobPosition, type JobState, type JobSummary, type JobView } from '../../contract/jobs';
import type { IntegrityLog } from '../integrity-log/integrity-log';
import { ServiceError } from '../service-error';
import type { JobRecord, JobRepository } from '../store/job-repository';
import type { SessionRecord, SessionRepository } from '../store/session-repository';
import { isCoded, setMatch } from './set-match';

export interface JobServiceDeps {
  jobs: JobRepository;
  sessions: SessionRepository;
  log: IntegrityLog;
  now: () => Date;
}

/** The most sessions one job can hold in its view: 8 positions with many retests each. */
const JOB_SESSIONS_LIMIT = 200;

function toJob(record: JobRecord, operatorName: (id: string | null) => string | null): Job {
  return {
    jobId: record.id,
    customer: record.customer,
    vehicle: record.vehicle,
    vin: record.vin,
    orderNumber: record.orderNumber,
    notes: record.notes,
    cylinders: record.cylinders,
    partNumber: record.partNumber,
    createdAt: record.createdAt,
    createdBy: operatorName(record.createdBy),
    state: record.closedAt === null ? 'open' : 'closed',
    closedAt: record.closedAt,
    closedBy: operatorName(record.closedBy),
    updatedAt: record.updatedAt,
  };
}

function reportOf(record: SessionRecord): SessionReport | null {
  if (!record.reportJson) return null;
  try {
    return JSON.parse(record.reportJson) as SessionReport;
  } catch {
    return null;
  }
}

export class JobService {
  constructor(
    private readonly deps: JobServiceDeps,
    private readonly operatorName: (id: string | null) => string | null,
  ) {}

  create(input: Required<JobInput>, operatorId: string | null): JobView {
    const now = this.deps.now();
    const id = `job-${now.toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(4).toString('hex')}`;
    this.deps.jobs.create({ id, ...input, createdBy: operatorId, createdAt: now.toISOString() });
    this.deps.log.append('job.created', { jobId: id, cylinders: input.cylinders, partNumber: input.partNumber, by: operatorId });
    return this.view(id);
  }

  /**
   * Corrects the facts of an open job. The integrity log names the fields changed, never their values
   * (as for job.created: the server gets the job's shape, not the customer's data).
   */
  edit(edit: JobEdit, operatorId: string | null): JobView {
    const record = this.#openRecord(edit.jobId, 'its details can no longer be changed');
    const changed = jobEditableFields.filter((field) => edit[field] !== undefined && edit[field] !== record[field]);
    if (changed.length === 0) return this.view(record.id);
    const at = this.deps.now().toISOString();
    const details = { customer: edit.customer ?? record.customer, vehicle: edit.vehicle ?? record.vehicle, vin: edit.vin ?? record.vin, orderNumber: edit.orderNumber ?? record.orderNumber, notes: edit.notes ?? record.notes };
    this.deps.log.append('job.updated', { jobId: record.id, fields: changed, by: operatorId });
    this.deps.jobs.updateDetails(record.id, details, { at, operatorId });
    return this.view(record.id);
  }

  /** Closes a job whose work is done: it then takes no injectors, retests or edits until an admin reopens it. */
  close(jobId: string, operatorId: string | null): JobView {
    const record = this.#openRecord(jobId, 'it is closed already');
    const running = this.deps.sessions.search({ jobId, limit: JOB_SESSIONS_LIMIT }).find((session) => session.status === 'running');
    if (running) {
      throw new ServiceError('CONFLICT', `A session for position ${running.jobPosition ?? '?'} of job ${jobId} is running: let it finish or abort it, then close the job.`);
    }
    const before = this.view(jobId);
    this.deps.log.append('job.closed', { jobId, coded: before.set.coded, setVerdict: before.set.verdict, by: operatorId });
    this.deps.jobs.setClosed(record.id, { at: this.deps.now().toISOString(), operatorId });
    return this.view(jobId);
  }

  /** Opens a closed job again (admins only, by the contract): the reason goes into the integrity log. */
  reopen(jobId: string, reason: string, operatorId: string | null): JobView {
    const record = this.#record(jobId);
    if (record.closedAt === null) throw new ServiceError('CONFLICT', `Job ${jobId} is open: there is nothing to reopen.`);
    this.deps.log.append('job.reopened', { jobId, reason, closedAt: record.closedAt, closedBy: record.closedBy, by: operatorId });
    this.deps.jobs.setClosed(record.id, null);
    return this.view(jobId);
  }

  #record(jobId: string): JobRecord {
    const record = this.deps.jobs.byId(jobId);
    if (!record) throw new ServiceError('NOT_FOUND', `No job ${jobId} on this bench.`);
    return record;
  }

  /** The job, refused with JOB_CLOSED if it was closed: `refusal` says what a closed job does not do. */
  #openRecord(jobId: string, refusal: string): JobRecord {
    const record = this.#record(jobId);
    if (record.closedAt !== null) {
      const by = this.operatorName(record.closedBy);
      throw new ServiceError('JOB_CLOSED', `Job ${record.customer} (${record.id}) was closed${by ? ` by ${by}` : ''}: ${refusal}. An admin can reopen it, or open a new job.`);
    }
    return record;
  }

  /** Ended sessions of the job, newest first. */
  #sessions(jobId: string): SessionRecord[] {
    return this.deps.sessions.search({ jobId, limit: JOB_SESSIONS_LIMIT }).filter((record) => record.status !== 'running');
  }

  /** The latest session per position, and the charged one a free retest would repeat. */
  #positions(record: JobRecord, sessions: readonly SessionRecord[]): Array<JobPosition & { report: SessionReport | null }> {
    const now = this.deps.now().getTime();
    return Array.from({ length: record.cylinders }, (_, index) => {
      const position = index + 1;
      const own = sessions.filter((session) => session.jobPosition === position);
      const latest = own[0] ?? null;
      const charged = latest ? this.#chargedFor(own, latest.injectorSerial) : null;
      const until = charged ? this.#freeRetestUntil(charged) : null;
      return {
        position,
        attempts: own.length,
        latest: latest
          ? {
              sessionId: latest.id,
              partNumber: latest.partNumber,
              serial: latest.injectorSerial,
              status: latest.status,
              verdict: latest.verdict,
              code: latest.code,
              family: latest.family,
              packVersion: latest.packVersion,
              creditsDebited: latest.creditsDebited,
              reasonCode: latest.reasonCode,
              startedAt: latest.startedAt,
              endedAt: latest.endedAt,
              retestOf: latest.retestOf,
              operatorName: latest.operatorName,
            }
          : null,
        freeRetestUntil: until && until.getTime() > now ? until.toISOString() : null,
        report: latest ? reportOf(latest) : null,
      };
    });
  }

  /** The session that charged for the code of this injector in this position (newest first in `own`). */
  #chargedFor(own: readonly SessionRecord[], serial: string): SessionRecord | null {
    return own.find((session) => session.injectorSerial === serial && session.creditsDebited > 0 && session.endedAt !== null) ?? null;
  }

  #freeRetestUntil(charged: SessionRecord): Date | null {
    const report = reportOf(charged);
    const windowMin = report?.packRules?.retestWindowMin ?? 0;
    if (windowMin <= 0 || !charged.endedAt) return null;
    return new Date(new Date(charged.endedAt).getTime() + windowMin * 60_000);
  }

  view(jobId: string): JobView {
    const record = this.#record(jobId);
    const positions = this.#positions(record, this.#sessions(jobId));
    const latestReports = positions.map((position) => position.report).filter((report): report is SessionReport => report !== null);
    return {
      job: toJob(record, this.operatorName),
      positions: positions.map(({ report: _report, ...position }) => position),
      set: setMatch(record.cylinders, latestReports),
    };
  }

  list(query: { text?: string; state?: JobState; limit: number }): JobSummary[] {
    return this.deps.jobs.search(query).map((record) => {
      const positions = this.#positions(record, this.#sessions(record.id));
      const reports = positions.map((position) => position.report).filter((report): report is SessionReport => report !== null);
      return { ...toJob(record, this.operatorName), coded: reports.filter(isCoded).length, setVerdict: setMatch(record.cylinders, reports).verdict };
    });
  }

  /**
   * Checks a session about to start for a job position, and whether it is a free retest: the same
   * injector in the same position, within the pack's window after the session that charged for its code.
   */
  prepareStart(request: { partNumber: string; serial: string; job: { jobId: string; position: number } }): { retestOf: string | null } {
    const record = this.#openRecord(request.job.jobId, 'it takes no more injectors or retests');
    if (request.job.position > record.cylinders) {
      throw new ServiceError('INVALID_ARGUMENT', `Job ${record.id} is a ${record.cylinders}-cylinder engine: there is no position ${request.job.position}.`);
    }
    if (request.partNumber !== record.partNumber) {
      throw new ServiceError('INVALID_ARGUMENT', `Job ${record.id} codes part ${record.partNumber}, not ${request.partNumber}: a set is one part number. Check the injector, or open a job for this part.`);
    }
    const own = this.#sessions(record.id).filter((session) => session.jobPosition === request.job.position);
    const elsewhere = this.#positions(record, this.#sessions(record.id)).find(
      (position) => position.position !== request.job.position && position.latest?.serial === request.serial && position.latest.status === 'completed',
    );
    if (elsewhere) {
      throw new ServiceError('CONFLICT', `Injector ${request.serial} is already in position ${elsewhere.position} of this job: one injector, one cylinder.`);
    }
    const charged = this.#chargedFor(own, request.serial);
    const until = charged ? this.#freeRetestUntil(charged) : null;
    return { retestOf: charged && until && until.getTime() > this.deps.now().getTime() ? charged.id : null };
  }

  /** The job, its positions' latest reports (in position order) and every report of the job, for the job report. */
  reportData(jobId: string): { view: JobView; latest: Array<{ position: number; report: SessionReport | null }>; operators: string[] } {
    const record = this.#record(jobId);
    const sessions = this.#sessions(jobId);
    const positions = this.#positions(record, sessions);
    const latestReports = positions.map((position) => position.report).filter((report): report is SessionReport => report !== null);
    const operators = [...new Set(sessions.map((session) => session.operatorName).filter((name): name is string => name !== null))];
    return {
      view: { job: toJob(record, this.operatorName), positions: positions.map(({ report: _report, ...position }) => position), set: setMatch(record.cylinders, latestReports) },
      latest: positions.map((position) => ({ position: position.position, report: position.report })),
      operators,
    };
  }
}
