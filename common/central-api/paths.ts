/**
 * Every path and header of the central server's HTTP API, in one place: the server registers its routes
 * under these names and every client (bench outbox, CLI, demo, tests) calls them by the same names.
 */

export const PROTOCOL_PREFIX = '/api/v1';
export const ENROL_PATH = `${PROTOCOL_PREFIX}/enrol`;
export const LOG_BATCH_PATH = `${PROTOCOL_PREFIX}/sync/log`;
/** A bench-signed GET: the credit grants the server issued to this bench, as signed bytes. */
export const CREDIT_GRANTS_PATH = `${PROTOCOL_PREFIX}/credits/grants`;

export const REPOSITORY_PREFIX = '/api/v1/repository';

export const ADMIN_CODES_PATH = `${PROTOCOL_PREFIX}/admin/enrolment-codes`;
export const supportLogPath = (benchId: string): string => `${PROTOCOL_PREFIX}/support/benches/${benchId}/log`;

export const ADMIN_GRANTS_PATH = '/api/v1/admin/credits/grants';
export const ADMIN_RECONCILE_PATH = '/api/v1/admin/credits/reconcile';

export const RELEASE_STATE_PATH = '/api/v1/release/state';
export const RELEASE_METADATA_PATH = '/api/v1/release/metadata';
export const RELEASE_PACKS_PREFIX = '/api/v1/release/repository';
export const ADMIN_EVIDENCE_PATH = '/api/v1/admin/evidence';
export const adminDirectivePath = (benchId: string): string => `/api/v1/admin/directives/${benchId}`;
export const SHA256_HEADER = 'x-injbench-sha256';
export const ACTOR_HEADER = 'x-injbench-actor';

export const RELEASES_PREFIX = `${PROTOCOL_PREFIX}/releases`;
export const releaseHealthPath = (family: string, version: string): string => `${RELEASES_PREFIX}/health/${encodeURIComponent(family)}/${encodeURIComponent(version)}`;
export const RELEASE_NOTICES_PATH = `${RELEASES_PREFIX}/notices`;
export const PROMOTIONS_PATH = `${RELEASES_PREFIX}/promotions`;
export const PROMOTION_CHECK_PATH = `${PROMOTIONS_PATH}/check`;

export const SUPPORT_SESSIONS_PATH = `${PROTOCOL_PREFIX}/support/sessions`;
export const supportSessionPath = (benchId: string, sessionId: string): string => `${SUPPORT_SESSIONS_PATH}/${encodeURIComponent(benchId)}/${encodeURIComponent(sessionId)}`;

export const SUPPORT_USERS_PATH = `${PROTOCOL_PREFIX}/admin/support-users`;

/** An admin's whole-log re-checks of a bench's stored log: POST starts one, GET lists them. */
export const adminLogChecksPath = (benchId: string): string => `${PROTOCOL_PREFIX}/admin/benches/${benchId}/log-checks`;
/** One re-check: its progress while it runs, its verdict once done. */
export const adminLogCheckPath = (benchId: string, checkId: string): string => `${adminLogChecksPath(benchId)}/${checkId}`;
/** Signed app releases and installers, public (the bench verifies them): /app-updates/<channel>/release.json and /<file>. */
export const APP_UPDATES_PREFIX = '/app-updates';
export const APP_RELEASE_FILE = 'release.json';
export const appUpdatesChannelPath = (channel: string): string => `${APP_UPDATES_PREFIX}/${channel}/`;
/** Release token: PUT an installer (x-injbench-sha256), POST a signed app release for a channel. */
export const RELEASE_APP_FILES_PREFIX = '/api/v1/release/app-updates/files';
export const releaseAppChannelPath = (channel: string): string => `/api/v1/release/app-updates/channels/${channel}`;
