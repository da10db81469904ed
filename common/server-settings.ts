/**
 * The settings the central server reads from its environment (server/server-command.ts), named once so
 * `injbench release doctor` checks the very variables the server reads.
 */
export const ADMIN_TOKEN_ENV = 'INJBENCH_SERVER_ADMIN_TOKEN';
export const SUPPORT_TOKEN_ENV = 'INJBENCH_SERVER_SUPPORT_TOKEN';
export const RELEASE_TOKEN_SERVER_ENV = 'INJBENCH_SERVER_RELEASE_TOKEN';
export const METRICS_TOKEN_ENV = 'INJBENCH_SERVER_METRICS_TOKEN';

/** The server refuses to start with a shorter token (admin, support, release, metrics). */
export const MIN_SERVER_TOKEN_LENGTH = 32;
