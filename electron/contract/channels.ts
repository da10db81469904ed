/**
 * Method and event names of the BenchApi, kept free of schema code so the preload bundle stays tiny.
 * bench-api.ts checks at compile time that every name here has a schema and vice versa.
 */

export const benchMethodNames = [
  'getStatus',
  'getSettings',
  'updateSettings',
  'getSession',
  'listSignInOperators',
  'setupFirstAdmin',
  'signIn',
  'signOut',
  'listOperators',
  'createOperator',
  'updateOperator',
  'listEvidence',
  'verifyEvidenceLog',
  'getBenchLink',
  'listBenchPorts',
  'connectBench',
  'disconnectBench',
  'startCodingSession',
  'abortCodingSession',
  'getCodingSession',
  'listCodingSessions',
  'getCredits',
  'listPacks',
  'listKnownParts',
  'runManualTest',
  'getReleases',
  'pinRelease',
  'unpinRelease',
  'rollbackRelease',
  'refreshReleases',
  'getSessionLabel',
  'exportSessionDocument',
  'createJob',
  'listJobs',
  'getJob',
  'editJob',
  'closeJob',
  'reopenJob',
  'exportJobReport',
  'printDocument',
  'getEnrolment',
  'enrolBench',
  'getCreditsLedger',
  'importCreditGrant',
  'exportSupportBundle',
  'exportDiagnostics',
  'getAppUpdateHold',
  'holdAppUpdates',
  'releaseAppUpdateHold',
] as const;
export type BenchMethodName = (typeof benchMethodNames)[number];

export const benchEventNames = ['status', 'session', 'benchLink', 'codingSession', 'releases'] as const;
export type BenchEventName = (typeof benchEventNames)[number];

/** Every IPC channel carries this prefix, so main can refuse anything outside the contract. */
export const IPC_PREFIX = 'bench:';
export const IPC_EVENT_CHANNEL = `${IPC_PREFIX}event`;

export function ipcChannelFor(method: BenchMethodName): string {
  return `${IPC_PREFIX}${method}`;
}

export function isBenchMethodName(value: unknown): value is BenchMethodName {
  return typeof value === 'string' && (benchMethodNames as readonly string[]).includes(value);
}

export function isBenchEventName(value: unknown): value is BenchEventName {
  return typeof value === 'string' && (benchEventNames as readonly string[]).includes(value);
}
