/**
 * Composition root of the plain-Node bench services. Electron main and the workspace host both call
 * createBenchServices and put their own transport in front of the returned dispatcher and event bus.
 */
import type { ActivePack, BenchStatus, EvidenceEntry, PartStatus, StatusOverview } from '../contract/bench-api';
import { openBenchCore, recordBenchHardware, type BenchCore } from './bench-core';
import { BenchLinkService, type BenchLinkState } from './bench-link/bench-link-service';
import { createDispatcher, type Dispatch } from './dispatcher';
import { BenchEventBus } from './event-bus';
import type { BenchIdentity } from './identity/bench-identity';
import type { IntegrityLog } from './integrity-log/integrity-log';
import { verifyIntegrityLog } from '../../common/integrity-log/verify-log';
import type { PackManager } from './packs/pack-manager';
import { ServiceError } from './service-error';
import { PackManagerPort } from './session/pack-manager-port';
import { ReleaseService, type ReleaseTimers } from './releases/release-service';
import { SessionService } from './session/session-service';
import { SyncOutbox, type SyncBacklog } from './sync/sync-outbox';
import type { CodingSessionEvent } from '../contract/coding-session';
import type { EnrolmentView } from '../contract/documents';
import { TrustError } from '../../trust/errors';
import { importCreditGrant } from './credits/credit-service';
import { toDocumentFile } from './documents/document-file';
import { exportSupportBundle } from './support/support-bundle';
import { AppHoldStore } from './app-update/bench-ports';
import { AppHoldService } from './app-update/app-hold-service';
import { buildDiagnosticsArchive } from './diagnostics/diagnostics-archive';
import { APP_HOLD_FILE } from './app-update/bench-ports';
import { APP_UPDATE_FEED_STATE_FILE } from './app-update/signed-app-feed';
import { SyncError } from '../../common/central-api/client';
import type { Logger } from '../../common/logger';
import { OperatorService, type SignInPolicy } from './operators/operator-service';
import { JobService } from './jobs/job-service';
import { cupsPrinter, type SystemPrinter } from './printing/cups';
import type { DocumentFile } from '../contract/documents';
import type { PrintOutcome, PrintRequest } from '../contract/printing';
import type { BenchClock } from '../contract/bench-time';
import type { BenchStore } from './store/bench-store';
import type { LaunchMode } from './store/launch-repository';
import type { ReleaseRepository } from './store/release-repository';
import type { LogEntryRecord } from '../../common/integrity-log/records';

export interface BenchServicesOptions {
  dataDir: string;
  /** The root of trust the app ships (resources/trust/root.json). */
  bundledRootFile: string;
  /** A packaged production build refuses development roots and keys. */
  production?: boolean;
  mode: LaunchMode;
  appVersion: string;
  logger: Logger;
  now?: () => Date;
  /** How often the status event is published to connected views; 0 turns it off. */
  statusIntervalMs?: number;
  signInPolicy?: SignInPolicy;
  /** Tests pass a cheap hash; production uses scrypt at full cost. */
  hashPin?: (pin: string) => Promise<string>;
  /** Pin-expiry check and periodic server refresh; defaults: every 5 s and every 15 min. */
  releaseTimers?: Partial<ReleaseTimers>;
  /** How PDFs reach a named printer: CUPS's lp by default; Electron main passes its own printing. */
  systemPrinter?: SystemPrinter;
}

export interface BenchServices {
  readonly dispatch: Dispatch;
  readonly events: BenchEventBus;
  readonly store: BenchStore;
  readonly identity: BenchIdentity;
  readonly integrityLog: IntegrityLog;
  readonly operators: OperatorService;
  readonly benchLink: BenchLinkService;
  readonly sessions: SessionService;
  readonly packs: PackManager;
  readonly releases: ReleaseService;
  /** The admin's hold of the app at its installed version (electron/services/app-update/). */
  readonly appHolds: AppHoldStore;
  readonly jobs: JobService;
  status(): BenchStatus;
  /** The bench's enrolment with a central server and its sync backlog. */
  enrolment(): EnrolmentView;
  enrol(serverUrl: string, code: string): Promise<EnrolmentView>;
  close(): Promise<void>;
}

function storePart(store: BenchStore, identity: BenchIdentity): PartStatus {
  const info = store.info();
  const head = store.integrityLog.head();
  const sealed = store.integrityLog.lastCheckpoint()?.seq ?? 0;
  return {
    id: 'store',
    label: 'Store',
    state: 'ok',
    detail: `SQLite database open, schema version ${info.schemaVersion}.`,
    facts: [
      { label: 'File', value: info.file },
      { label: 'Schema version', value: String(info.schemaVersion) },
      { label: 'Journal', value: info.journalMode.toUpperCase() },
      { label: 'Synchronous', value: info.synchronous },
      { label: 'Bench ID', value: identity.benchId },
      { label: 'Integrity log', value: `${head?.seq ?? 0} entries, sealed through ${sealed}` },
    ],
  };
}

function toEvidenceEntry(entry: LogEntryRecord): EvidenceEntry {
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(entry.payloadJson) as Record<string, unknown>;
  } catch {
    // The verifier reports the altered entry; the list still shows that something is there.
    payload = { unreadable: entry.payloadJson.slice(0, 200) };
  }
  return { seq: entry.seq, recordedAt: entry.recordedAt, type: entry.type, payload, entryHash: entry.entryHash };
}

function benchLinkPart(state: BenchLinkState, configuredPort: string | null): PartStatus {
  const facts = [
    { label: 'Port', value: state.target ?? configuredPort ?? 'not set' },
    ...(state.model ? [{ label: 'Model', value: state.model }] : []),
    ...(state.firmware ? [{ label: 'Firmware', value: state.firmware }] : []),
    ...(state.benchState ? [{ label: 'Bench state', value: state.safeReason ? `${state.benchState} (${state.safeReason})` : state.benchState }] : []),
    ...(state.calibrationDue ? [{ label: 'Calibration due', value: state.calibrationDue }] : []),
  ];
  if (state.status === 'connected') return { id: 'benchLink', label: 'Bench link', state: 'ok', detail: `Connected to ${state.model ?? 'the bench'} ${state.benchSerial ?? ''}.`.replace(' .', '.'), facts };
  if (state.status === 'error') return { id: 'benchLink', label: 'Bench link', state: 'error', detail: state.lastError?.message ?? 'The bench link failed.', facts };
  if (state.status === 'connecting' || state.status === 'reconnecting') return { id: 'benchLink', label: 'Bench link', state: 'not_configured', detail: `${state.status === 'connecting' ? 'Connecting' : 'Reconnecting'} to ${state.target ?? 'the bench'}…`, facts };
  return {
    id: 'benchLink',
    label: 'Bench link',
    state: 'not_configured',
    detail: configuredPort ? `Not connected. Connect to ${configuredPort} from the Bench view.` : 'Not configured: set the bench port in Settings, then connect.',
    facts,
  };
}

function activePacks(packs: PackManager): ActivePack[] {
  const state = packs.readState();
  return Object.entries(state.trusted.active).map(([family, active]) => {
    const lkg = state.lkg[family];
    return {
      family,
      version: active.version,
      sha256: active.manifest_sha256,
      releaseCounter: active.release_counter,
      lastKnownGood: lkg ? { version: lkg.version, sha256: lkg.manifest_sha256 } : null,
    };
  });
}

/** The active packs, or why they cannot be read: read once per status for the overview and the part. */
function readActivePacks(packs: PackManager): { active: ActivePack[] } | { error: string } {
  try {
    return { active: activePacks(packs) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

function statusOverview(link: BenchLinkState, packs: ReturnType<typeof readActivePacks>, backlog: SyncBacklog): StatusOverview {
  return {
    bench: { status: link.status, model: link.model, benchSerial: link.benchSerial, calibrationDue: link.calibrationDue },
    packs: 'error' in packs ? { state: 'error', active: [] } : { state: packs.active.length > 0 ? 'ok' : 'not_configured', active: packs.active.map(({ family, version }) => ({ family, version })) },
    server: { enrolled: backlog.serverUrl !== null, lastSuccessAt: backlog.lastSuccessAt, unsentEntries: backlog.unsentEntries, failing: backlog.lastError !== null, blocked: backlog.blocked },
  };
}

function packsPart(packs: ReturnType<typeof readActivePacks>, pins: ReleaseRepository): PartStatus {
  if ('error' in packs) return { id: 'packs', label: 'Calibration packs', state: 'error', detail: packs.error, facts: [] };
  const { active } = packs;
  if (active.length === 0) return { id: 'packs', label: 'Calibration packs', state: 'not_configured', detail: 'No pack is active: an admin refreshes the packs from the central server or a release directory.', facts: [] };
  return {
    id: 'packs',
    label: 'Calibration packs',
    state: 'ok',
    detail: `${active.length} famil${active.length === 1 ? 'y' : 'ies'} active; each pack is re-verified before every session.`,
    facts: active.map((pack) => {
      const pin = pins.pin(pack.family);
      const notes = [...(pin ? [`pinned until ${pin.endsAt}`] : []), ...(pack.lastKnownGood ? [`last-known-good ${pack.lastKnownGood.version}`] : [])];
      return { label: pack.family, value: `${pack.version}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}` };
    }),
  };
}

function syncPart(backlog: SyncBacklog): PartStatus {
  if (!backlog.serverUrl) {
    return { id: 'sync', label: 'Sync', state: 'not_configured', detail: 'Not enrolled with a central server: an admin enrols the bench under Enrolment & credits (or injbench sync enrol).', facts: [] };
  }
  const facts = [
    { label: 'Server', value: backlog.serverUrl },
    { label: 'Unsent entries', value: String(backlog.unsentEntries) },
    { label: 'Last success', value: backlog.lastSuccessAt ?? 'never' },
    ...(backlog.lastError ? [{ label: 'Last error', value: `${backlog.lastError.code}: ${backlog.lastError.message}` }] : []),
  ];
  if (backlog.blocked) return { id: 'sync', label: 'Sync', state: 'error', detail: 'The server refused the log and retrying cannot help: contact support. The bench keeps all its data.', facts };
  return { id: 'sync', label: 'Sync', state: 'ok', detail: backlog.unsentEntries === 0 ? 'Everything is acknowledged by the server.' : `${backlog.unsentEntries} entries waiting; retried with backoff.`, facts };
}

export function createBenchServices(options: BenchServicesOptions): BenchServices {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const core: BenchCore = openBenchCore({
    dataDir: options.dataDir,
    bundledRootFile: options.bundledRootFile,
    appVersion: options.appVersion,
    production: options.production ?? false,
    now,
  });
  const { store, identity, packs } = core;
  const integrityLog = core.log;
  store.launches.record(startedAt, options.mode, options.appVersion);
  integrityLog.append('app.started', { mode: options.mode, appVersion: options.appVersion });
  const events = new BenchEventBus();
  const operators = new OperatorService(
    store.operators,
    integrityLog,
    now,
    (session) => events.publish('session', session),
    options.signInPolicy,
    options.hashPin,
  );
  const benchLink = new BenchLinkService(
    integrityLog,
    (state) => {
      events.publish('benchLink', state);
      events.publish('status', status());
    },
    (ident) => recordBenchHardware(core, ident),
  );
  // The session-start gate re-checks the local pins through the release service (declared below; called
  // only once a session starts).
  const sessionPacks = new PackManagerPort(packs, (family) => releases.recheckPins(family));
  const sessions: SessionService = new SessionService({
    sessions: store.sessions,
    log: integrityLog,
    packs: sessionPacks,
    benchPort: () => benchLink.benchPort(),
    publish: (event) => events.publish('codingSession', event),
    now,
  });
  sessions.closeInterrupted();
  const appHolds = new AppHoldStore(options.dataDir);
  const appHoldService = new AppHoldService(appHolds, integrityLog, now, () => packs.directiveInForce());
  const releases: ReleaseService = new ReleaseService({
    dataDir: options.dataDir,
    packs,
    releases: store.releases,
    settings: () => store.settings.get(),
    log: integrityLog,
    logger: options.logger,
    now,
    sessionRunning: () => sessions.running,
    sessionSettled: () => sessions.settled(),
    onChange: () => {
      events.publish('releases', { at: now().toISOString() });
      events.publish('status', status());
    },
  });
  const jobs = new JobService({ jobs: store.jobs, sessions: store.sessions, log: integrityLog, now }, (id) => (id ? (store.operators.byId(id)?.name ?? null) : null));
  const sync = new SyncOutbox({ store, identity, logger: options.logger, integrityLog });
  // Only an enrolled bench talks to a server; the outbox resumes where the last acknowledgement left it.
  if (sync.backlog().serverUrl) sync.start();
  events.subscribe((event, payload) => {
    if (event === 'codingSession' && (payload as CodingSessionEvent).type === 'finished') {
      sync.nudge();
      // A refresh deferred while the session ran is applied now that it has ended.
      void releases.sessionEnded();
    }
  });
  releases.start({ pinCheckMs: options.releaseTimers?.pinCheckMs ?? 5_000, serverRefreshMs: options.releaseTimers?.serverRefreshMs ?? 15 * 60_000 });

  /** Who the evidence names for an admin action: the signed-in operator. */
  function actor(): string {
    const operator = operators.session().operator;
    return operator ? `${operator.name} (${operator.id})` : 'unknown';
  }

  /**
   * The clock documents are dated by: the bench's time zone, in English, the language the documents are
   * worded in (a German date inside an English report would read as a mistake).
   */
  function documentClock(): BenchClock {
    return { timeZone: store.settings.get().timeZone, locale: 'en' };
  }

  async function jobReportFile(jobId: string): Promise<DocumentFile> {
    const data = jobs.reportData(jobId);
    const settings = store.settings.get();
    return (await import('./documents/session-documents')).jobDocument({
      view: data.view,
      latest: data.latest,
      technicians: data.operators,
      workshop: { name: settings.workshopName, address: settings.workshopAddress },
      clock: documentClock(),
      at: now().toISOString(),
    });
  }

  /** Prints on the printer an admin chose in Settings: labels in ZPL over raw TCP or as PDF to a queue; reports to a queue. */
  async function printDocument(request: PrintRequest): Promise<PrintOutcome> {
    const settings = store.settings.get();
    const target = request.document === 'label' ? settings.labelPrinter : settings.documentPrinter;
    const what = request.document === 'label' ? 'label' : 'report';
    if (target.kind === 'download') {
      throw new ServiceError('PRINTER_NOT_SET', `No ${what} printer is chosen: an admin chooses one in Settings. Until then, download the PDF and print it from there.`);
    }
    let outcome: PrintOutcome;
    if (target.kind === 'zpl') {
      if (request.document !== 'label') throw new ServiceError('PRINTER_NOT_SET', 'A label printer prints labels only: choose a system printer for reports in Settings, or download the PDF.');
      const { buildLabel } = await import('./documents/label');
      const zpl = (await import('./printing/zpl')).labelZpl(buildLabel(sessions.report(request.sessionId), documentClock()));
      const bytes = Buffer.from(zpl, 'utf8');
      await (await import('./printing/raw-tcp')).sendRaw(target.host, target.port, bytes);
      outcome = { printer: `label printer ${target.host}:${target.port}`, kind: 'zpl', jobRef: null, bytes: bytes.length };
    } else {
      const file =
        request.document === 'jobReport'
          ? await jobReportFile(request.jobId)
          : await (await import('./documents/session-documents')).sessionDocument(sessions.report(request.sessionId), request.document, documentClock());
      const pdf = Buffer.from(file.base64, 'base64');
      const printed = await (options.systemPrinter ?? cupsPrinter).print(target.queue, pdf, file.fileName);
      outcome = { printer: `queue ${target.queue}`, kind: 'system', jobRef: printed.jobRef, bytes: pdf.length };
    }
    integrityLog.append('document.printed', {
      ...(request.document === 'jobReport' ? { jobId: request.jobId } : { sessionId: request.sessionId }),
      kind: request.document,
      printer: outcome.kind,
      by: operators.session().operator?.id ?? null,
    });
    return outcome;
  }

  /** Enrols once with a central server (one-time code from its admin), then starts syncing the log to it. */
  async function enrol(serverUrl: string, code: string): Promise<EnrolmentView> {
    if (sync.backlog().serverUrl) throw new ServiceError('CONFLICT', `This bench is already enrolled with ${sync.backlog().serverUrl}; a bench enrols once.`);
    try {
      await sync.enrol(serverUrl, code);
    } catch (error) {
      if (!(error instanceof SyncError)) throw error;
      // Retryable: the server was not reached. Final: the server said no, and the code is why.
      throw error.retryable
        ? new ServiceError('SERVER_UNREACHABLE', `${error.message} Check the server address and the network, then try again.`)
        : new ServiceError('SERVER_REFUSED', `The server refused the enrolment (${error.code}): ${error.message} Ask the server admin for a new one-time code.`);
    }
    store.settings.update({ serverUrl: new URL(serverUrl).origin });
    sync.start();
    events.publish('status', status());
    return enrolment();
  }

  function enrolment(): EnrolmentView {
    const backlog = sync.backlog();
    return {
      benchId: identity.benchId,
      publicKey: identity.publicKey,
      serverUrl: backlog.serverUrl,
      enrolledAt: store.syncState.get().enrolledAt,
      backlog: {
        headSeq: backlog.headSeq,
        ackedEntrySeq: backlog.ackedEntrySeq,
        unsentEntries: backlog.unsentEntries,
        unsentCheckpoints: backlog.unsentCheckpoints,
        lastSuccessAt: backlog.lastSuccessAt,
        lastError: backlog.lastError,
        blocked: backlog.blocked,
      },
    };
  }

  function status(): BenchStatus {
    const current = now();
    const settings = store.settings.get();
    const link = benchLink.state();
    const packsState = readActivePacks(packs);
    const backlog = sync.backlog();
    return {
      app: {
        name: 'Injector Bench',
        version: options.appVersion,
        mode: options.mode,
        startedAt: startedAt.toISOString(),
        uptimeSeconds: Math.max(0, Math.floor((current.getTime() - startedAt.getTime()) / 1000)),
        launchCount: store.launches.count(),
      },
      overview: statusOverview(link, packsState, backlog),
      parts: [storePart(store, identity), benchLinkPart(link, settings.benchPort), packsPart(packsState, store.releases), syncPart(backlog)],
      timeZone: settings.timeZone,
      generatedAt: current.toISOString(),
    };
  }

  const dispatch = createDispatcher(
    {
      getStatus: () => status(),
      getSettings: () => store.settings.get(),
      updateSettings: (input) => {
        const updated = store.settings.update(input ?? {});
        integrityLog.append('admin.settings_changed', { by: operators.session().operator?.id, changed: Object.keys(input ?? {}) });
        events.publish('status', status());
        return updated;
      },
      getSession: () => operators.session(),
      listSignInOperators: () => operators.signInChoices(),
      setupFirstAdmin: (input) => operators.setupFirstAdmin(input.name, input.pin),
      signIn: (input) => operators.signIn(input.operatorId, input.pin),
      signOut: () => operators.signOut(),
      listOperators: () => operators.listOperators(),
      createOperator: (input) => operators.createOperator(input),
      updateOperator: (input) => operators.updateOperator(input),
      listEvidence: (query) => {
        const found = store.integrityLog.search({ ...query, limit: query.limit + 1 });
        return {
          entries: found.slice(0, query.limit).map(toEvidenceEntry),
          sealedThrough: store.integrityLog.lastCheckpoint()?.seq ?? 0,
          hasMore: found.length > query.limit,
        };
      },
      getBenchLink: () => benchLink.state(),
      listBenchPorts: async () => {
        try {
          return await benchLink.listPorts();
        } catch (error) {
          throw new ServiceError('NOT_CONFIGURED', error instanceof Error ? error.message : String(error));
        }
      },
      connectBench: async (input) => {
        const target = input.target ?? store.settings.get().benchPort;
        if (!target) throw new ServiceError('NOT_CONFIGURED', 'No bench port is set: an admin sets it in Settings, or give one here.');
        return benchLink.connect(target);
      },
      disconnectBench: async () => {
        if (sessions.running) throw new ServiceError('CONFLICT', 'A coding session is running: abort it before disconnecting the bench.');
        await benchLink.disconnect();
        return benchLink.state();
      },
      startCodingSession: (input) => {
        const operatorId = operators.session().operator?.id ?? null;
        if (!input.job) return sessions.start(input, operatorId);
        if (sessions.running) throw new ServiceError('CONFLICT', 'A coding session is running: finish or abort it first.');
        const { retestOf } = jobs.prepareStart({ partNumber: input.partNumber, serial: input.serial, job: input.job });
        return sessions.start({ ...input, retestOf }, operatorId);
      },
      abortCodingSession: async () => ({ aborted: await sessions.abort() }),
      getCodingSession: (input) => sessions.report(input.sessionId),
      listCodingSessions: (query) => sessions.list(query),
      getCredits: () => ({ balance: store.sessions.balance() }),
      listPacks: () => activePacks(packs),
      listKnownParts: () => sessionPacks.knownParts(),
      runManualTest: (input) => sessions.manualTest(input, operators.session().operator?.id ?? null),
      getReleases: () => releases.view(operators.session().operator?.role !== 'technician'),
      pinRelease: (input) => releases.pin({ family: input.family, target: input.target, endsAt: input.endsAt, actor: actor(), reason: input.reason, ticket: input.ticket }),
      unpinRelease: (input) => releases.unpin({ family: input.family, actor: actor(), reason: input.reason, ticket: input.ticket }),
      rollbackRelease: (input) => releases.rollback({ family: input.family, endsAt: input.endsAt, actor: actor(), reason: input.reason, ticket: input.ticket }),
      refreshReleases: (input) => releases.refresh({ actor: actor(), reason: input.reason, ticket: input.ticket, trigger: 'admin', source: input.source }),
      // The QR and PDF libraries load on first use: every command-line start skips them.
      getSessionLabel: async (input) => (await import('./documents/label')).buildLabel(sessions.report(input.sessionId), documentClock()),
      exportSessionDocument: async (input) => {
        const report = sessions.report(input.sessionId);
        const file = await (await import('./documents/session-documents')).sessionDocument(report, input.kind, documentClock());
        integrityLog.append('document.printed', { sessionId: input.sessionId, kind: input.kind, by: operators.session().operator?.id ?? null });
        return file;
      },
      createJob: (input) => jobs.create(input, operators.session().operator?.id ?? null),
      listJobs: (input) => jobs.list(input),
      getJob: (input) => jobs.view(input.jobId),
      editJob: (input) => jobs.edit(input, operators.session().operator?.id ?? null),
      closeJob: (input) => jobs.close(input.jobId, operators.session().operator?.id ?? null),
      reopenJob: (input) => jobs.reopen(input.jobId, input.reason, operators.session().operator?.id ?? null),
      exportJobReport: async (input) => {
        const file = await jobReportFile(input.jobId);
        integrityLog.append('document.printed', { jobId: input.jobId, kind: 'jobReport', by: operators.session().operator?.id ?? null });
        return file;
      },
      printDocument: (input) => printDocument(input),
      getEnrolment: () => enrolment(),
      enrolBench: (input) => enrol(input.serverUrl, input.code),
      getCreditsLedger: () => ({
        benchId: identity.benchId,
        balance: store.sessions.balance(),
        grants: store.sessions.grants(),
        entries: store.sessions.ledger(),
      }),
      importCreditGrant: (input) => {
        try {
          const outcome = importCreditGrant({ benchId: identity.benchId, packs, sessions: store.sessions, log: integrityLog, now }, Buffer.from(input.grant.trim(), 'utf8'));
          return { grantId: outcome.grant.grant_id, credits: outcome.grant.credits, added: outcome.added, balance: outcome.balance };
        } catch (error) {
          if (error instanceof TrustError) {
            throw new ServiceError('GRANT_REFUSED', `The grant was refused (${error.code}): ${error.message} Nothing was added; ask for a grant signed for bench ${identity.benchId}.`);
          }
          throw error;
        }
      },
      exportDiagnostics: async () => {
        const archive = await buildDiagnosticsArchive({
          dataDir: options.dataDir,
          appVersion: options.appVersion,
          benchId: identity.benchId,
          storeSchemaVersion: store.info().schemaVersion,
          settings: store.settings.get(),
          appUpdateFiles: { hold: APP_HOLD_FILE, feedState: APP_UPDATE_FEED_STATE_FILE },
          now: now(),
        });
        integrityLog.append('app.diagnostics_exported', { actor: actor(), fileName: archive.fileName, bytes: archive.bytes.length, entries: archive.entries });
        return toDocumentFile(archive.fileName, 'application/gzip', archive.bytes);
      },
      getAppUpdateHold: () => appHoldService.view(),
      holdAppUpdates: (input) => appHoldService.hold({ actor: actor(), hours: input.hours, reason: input.reason, ticket: input.ticket }),
      releaseAppUpdateHold: (input) => appHoldService.release({ actor: actor(), reason: input.reason, ticket: input.ticket }),
      exportSupportBundle: (input) => {
        const hasSelection = Boolean(input.sessionIds?.length || input.from || input.to);
        if (!hasSelection && store.sessions.search({ limit: 1 }).every((record) => record.reportJson === null)) {
          throw new ServiceError('NOT_FOUND', 'This bench has no finished coding session yet, and a support bundle carries sessions: run one first, then export.');
        }
        const exported = exportSupportBundle(core, input, options.appVersion);
        const stamp = now().toISOString().replace(/[-:]/g, '').slice(0, 15);
        return { ...toDocumentFile(`support-bundle_${identity.benchId}_${stamp}.json`, 'application/json', exported.bytes), sessions: exported.sessions, entries: exported.entries };
      },
      verifyEvidenceLog: () =>
        verifyIntegrityLog({ benchId: identity.benchId, publicKey: identity.publicKey, entries: store.integrityLog.entries(), checkpoints: store.integrityLog.checkpoints() }),
    },
    options.logger,
    operators.authorize,
  );

  const intervalMs = options.statusIntervalMs ?? 2000;
  const ticker =
    intervalMs > 0
      ? setInterval(() => {
          if (events.size > 0) events.publish('status', status());
        }, intervalMs)
      : null;
  ticker?.unref();

  return {
    dispatch,
    events,
    store,
    identity,
    integrityLog,
    operators,
    benchLink,
    sessions,
    packs,
    releases,
    appHolds,
    jobs,
    status,
    enrolment,
    enrol,
    close: async () => {
      if (ticker) clearInterval(ticker);
      if (sessions.running) await sessions.abort();
      await sessions.settled();
      await releases.stop();
      await sync.stop();
      await benchLink.disconnect();
      // A clean shutdown seals the chain so nothing before it can be cut away unnoticed.
      integrityLog.append('app.stopped', {});
      core.close();
    },
  };
}
