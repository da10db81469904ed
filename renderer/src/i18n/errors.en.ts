import type { BenchErrorCode } from '../../../electron/contract/envelope';
import type { LogFaultWordCode, SessionReasonCode, SyncErrorWordCode } from '../../../electron/contract/reason-codes';

/** Every code the screen words for people: the services' error codes, the coding session's reasons, the log sync's failures. */
export type ErrorWordCode = BenchErrorCode | SessionReasonCode | SyncErrorWordCode;

/**
 * English: what happened and what to do, one entry per code (a missing code is a type error). The services'
 * own sentences stay in the logs and support bundles; the code is shown next to these words for support.
 */
export const errorMessagesEn: Record<ErrorWordCode, string> = {
  INVALID_ARGUMENT: 'The bench services could not accept what was entered. Check the fields and try again.',
  UNKNOWN_METHOD: 'This screen asked the bench services for something they do not offer. Restart the bench app; if it stays, contact support.',
  UNAUTHORIZED: 'You are not signed in (any more). Sign in again.',
  FORBIDDEN: 'Your role may not do this. Ask an admin.',
  BAD_CREDENTIALS: 'Wrong PIN, or the operator is unknown or disabled. Try again, or ask an admin.',
  LOCKED_OUT: 'Too many wrong PINs: this operator is locked out. Wait until the time below, or ask an admin to reset the PIN in Operators.',
  ALREADY_SET_UP: 'This bench is already set up. Sign in as an admin to add operators.',
  NOT_FOUND: 'What you asked for is not on this bench (any more). Refresh the view.',
  CONFLICT: 'That cannot be done right now: something else is running or the data changed. Wait, refresh and try again.',
  NOT_CONFIGURED: 'This needs a setting that is not made yet. Ask an admin to complete Settings (bench connection, server, printer).',
  STORE_ERROR: 'The bench could not read or save its data. Nothing was changed. Restart the bench app; if it stays, export a support bundle and contact support.',
  STORE_TOO_NEW: 'The bench data was written by a newer version of the app. Install that version again; do not use this one with this data.',
  TRANSPORT_ERROR: 'The screen lost contact with the bench services. Try again; if it keeps happening, restart the bench app.',
  INTERNAL: 'Something went wrong inside the bench services. Try again; if it stays, export a support bundle and contact support.',
  BELOW_FLOOR: 'That pack version is below the lowest version the release policy allows. Choose a newer version.',
  DOWNGRADE_REFUSED: 'Going back to an older pack is not allowed here. Choose the current or a newer version, or ask the central server admin.',
  REVOKED: 'The pack was withdrawn by its publisher and may not be used. Refresh the packs to get its replacement.',
  EXPIRED: 'The signed pack information has expired. Refresh the packs from the central server.',
  UNREACHABLE: 'The pack source could not be reached. Check the network, then refresh the packs again.',
  VERIFICATION_FAILED: 'The pack failed its signature or content checks and is not used. Refresh the packs; if it stays, contact support.',
  SERVER_UNREACHABLE: 'The central server could not be reached. Check the network and the server address in Settings, then try again.',
  SERVER_REFUSED: 'The central server refused the request. Check the enrolment of this bench; if it stays, contact the server admin.',
  GRANT_REFUSED: 'The credit grant was refused: it is not for this bench, was already imported, or is not validly signed. Get a new grant from the central server.',
  UNKNOWN_PART: 'No active pack has a test plan for this part number. Check the part number, or ask an admin to refresh the packs.',
  OUT_OF_LIMITS: 'These values are outside what the pack tests this part at. Nothing was run. Enter values within the limits.',
  BENCH_FAULT: 'The bench could not run the test and was put in SAFE state. Check the injector and the bench, then try again.',
  PRINTER_NOT_SET: 'No printer is chosen for this document (a label printer prints labels only). Choose one in Settings, or download the PDF.',
  PRINTER_UNREACHABLE: 'The label printer did not answer. Check that it is on and on the network (address in Settings), then print again.',
  PRINT_QUEUE_NOT_FOUND: 'The printer chosen in Settings does not exist on this computer. Choose an existing printer in Settings.',
  PRINT_QUEUE_REFUSED: 'The printer refused the job (paused, out of paper or in error). Fix the printer, then print again.',
  PRINT_SYSTEM_UNAVAILABLE: "The computer's print system is not available. Start it or ask your IT, or download the PDF instead.",
  PRINT_FAILED: 'Printing failed. Check the printer and print again, or download the PDF.',
  JOB_CLOSED: 'This job is closed: nothing more is coded, changed or charged in it. An admin can reopen it, or open a new job.',
  PREFLIGHT_BLOCKED: 'Coding did not start because a check before the start is blocked. Fix the blocked line in the list, then start again.',
  ELECTRICAL_FAIL: 'The injector failed the electrical test (coil resistance or insulation). It is rejected; no code is issued and nothing is charged.',
  LEAK_FAIL: 'The injector leaks back more than the pack allows. It is rejected; no code is issued and nothing is charged.',
  NOT_CODABLE: 'The injector delivers too far from the nominal value for a correction code. It is rejected; no code is issued and nothing is charged.',
  ABORTED_BY_OPERATOR: 'The session was aborted at the bench. The bench is in SAFE state; nothing was charged.',
  INTERRUPTED: 'The app stopped during this session. Nothing was charged; test the injector again.',
  OIL_NOT_CONDITIONED: "The test oil did not reach the pack's temperature window. Nothing was measured or charged. Check the bench's heater and cooler, then start again.",
  CODE_READBACK_MISMATCH: 'The code read back from the coding target differs from the one written, so it does not count. Check the connection to the coding target and test again.',
  SESSION_RUNNING: 'A coding session is already running. Finish or abort it first.',
  NO_VERIFIED_PACK: 'Cannot be checked without a verified pack. Fix the calibration pack line first.',
  INCOMPATIBLE: 'The pack is not made for this bench model. Use a pack built for this bench.',
  CALIBRATION_OVERDUE: "The bench's calibration check is overdue. Run the calibration check with the reference injector.",
  INSUFFICIENT_CREDITS: 'Not enough credits for a code. Import a credit grant from the central server.',
  OIL_TEMPERATURE_UNKNOWN: 'This bench does not report the test-oil temperature, so measurements cannot be compared with the pack. Update the bench controller firmware.',
  BAD_FORMAT: "The pack's code format is faulty; no code can be made with it. Ask an admin to roll back the pack and contact support.",
  MISSING_MEASUREMENT: 'A measurement the code needs is missing. Test the injector again.',
  TIMEOUT: 'The bench did not answer in time. Check the cable and that the bench is on, then try again.',
  DISCONNECTED: 'The bench is not connected. Check the cable and the port in Bench, then connect again.',
  NAK: 'The bench refused a command. Check the bench display for a fault, then try again.',
  BAD_REPLY: 'The bench sent an answer the app does not understand. Restart the bench; if it stays, contact support.',
  CLOSED: 'The connection to the bench was closed. Connect again in Bench.',
  UNSUPPORTED_VERSION: "The bench controller's protocol version is not supported by this app. Update the bench firmware or the app.",
  OPEN_FAILED: 'The bench port could not be opened. Check the port name and that no other program uses it.',
  BAD_TARGET: 'The bench address is not valid. Enter a serial port (/dev/ttyUSB0) or tcp://host:port.',
  DISCOVERY_UNAVAILABLE: 'This computer cannot list serial ports. Enter the bench port by hand.',
  BAD_SIGNATURE: 'A pack signature is not valid; the pack is not used. Refresh the packs; if it stays, contact support.',
  THRESHOLD_NOT_MET: 'The pack is not signed by enough keys; it is not used. Refresh the packs; if it stays, contact support.',
  ROLLBACK: 'The pack information is older than what this bench already trusts; it is not used. Refresh the packs from the central server.',
  CLOCK_ROLLBACK: "The computer's clock is behind the time this bench has already seen. Correct the date and time, then try again.",
  DEV_KEY_IN_PROD: 'The pack is signed with a development key, which production benches refuse. Contact support.',
  HASH_MISMATCH: 'A pack file differs from what was signed (damaged or changed); the pack is not used. Refresh the packs.',
  LENGTH_MISMATCH: 'A pack file has the wrong size (damaged or incomplete); the pack is not used. Refresh the packs.',
  OVERSIZE: 'A pack file is larger than allowed; the pack is not used. Contact support.',
  MALFORMED: 'A pack file cannot be read; the pack is not used. Refresh the packs; if it stays, contact support.',
  WRONG_TARGET: 'The pack is not meant for this bench; it is not used. Check the release channel and refresh the packs.',
  NOT_ACTIVE: 'No pack is active for this injector family. Ask an admin to refresh the packs.',
  RELEASE_REFUSED: 'The release policy does not allow this pack on this bench. Ask an admin to check Releases.',
  STORAGE_FAILED: 'The pack could not be saved on this computer. Check the free disk space, then refresh the packs.',
  DIRECTIVE_CHAIN_GAP: 'Release instructions are missing between the last known one and the newest. Refresh the packs from the central server.',
  WEAK_KEY: 'A signing key in the pack information is not acceptable; nothing from it is used. Contact support.',
  INVALID_REQUEST: 'The central server did not accept what the bench sent. Update the bench app; if it stays, contact support.',
  UNKNOWN_BENCH: 'The central server does not know this bench. Enrol the bench again with a new enrolment code.',
  BENCH_REVOKED: 'The central server has revoked this bench. Contact the server admin.',
  STALE_REQUEST: "The central server refused the request because the bench's clock is off. Correct the date and time; the bench retries by itself.",
  REPLAYED_REQUEST: 'The central server saw this request before and refused the copy. The bench retries by itself; if it stays, contact support.',
  ENROLMENT_CODE_UNKNOWN: 'The enrolment code is not known to the central server. Check the code, or ask the server admin for a new one.',
  ENROLMENT_CODE_EXPIRED: 'The enrolment code has expired. Ask the server admin for a new one.',
  ENROLMENT_CODE_USED: 'The enrolment code was already used. Ask the server admin for a new one.',
  ALREADY_ENROLLED: 'This bench is already enrolled with the central server. Nothing to do.',
  LOG_GAP: "The central server is missing part of this bench's log and refused the rest. Export a support bundle and contact support; the bench keeps all its data.",
  LOG_FORK: "The central server holds a different history for this bench's log. Export a support bundle and contact support; the bench keeps all its data.",
  LOG_INVALID: "The central server found this bench's log invalid. Export a support bundle and contact support; the bench keeps all its data.",
  PROMOTION_GATED: 'The release is held back on the central server until its checks pass. Try again later or ask the server admin.',
  METADATA_REFUSED: 'The central server refused the pack information. Ask the server admin.',
  UNTRUSTED_ROOT: 'The central server does not trust the signing root of the packs. Contact support.',
  MISSING_PACK: 'The central server does not have the pack it announced. Try again later or ask the server admin.',
  OVERLOADED: 'The central server is busy. The bench tries again by itself; nothing is lost.',
  NETWORK_ERROR: 'The central server could not be reached. Check the network; the bench tries again by itself and keeps its data.',
  BAD_RESPONSE: 'The central server sent an answer the bench does not understand. Check the server address in Settings; if it stays, contact support.',
  NOT_ENROLLED: 'This bench is not enrolled with a central server yet. An admin enrols it under Enrolment & credits.',
};

/**
 * The specifics the service sends with a code (BenchError.params), in words. Used when every {placeholder}
 * has its param; otherwise the screen shows the service's own sentence as the detail. A list holds
 * alternatives for differing specifics (an open coil has no resistance): the first whose params are all
 * there is used.
 */
export const errorDetailsEn = {
  PREFLIGHT_BLOCKED: 'Blocked checks: {blocked} (see the list).',
  BAD_CREDENTIALS: 'Tries left before a lockout: {triesLeft}.',
  LOCKED_OUT: '{name} is locked until {until}.',
  UNKNOWN_PART: 'Part number: {partNumber}.',
  OUT_OF_LIMITS: 'Limits for {partNumber}: up to {maxRailBar} bar, {maxEnergizingUs} µs, {maxFrequencyHz} Hz.',
  ELECTRICAL_FAIL: [
    'Coil {coilOhm} Ω (allowed {minOhm}–{maxOhm} Ω), insulation {insulationMOhm} MΩ (at least {minInsulationMOhm} MΩ).',
    'Coil open: no resistance measured (allowed {minOhm}–{maxOhm} Ω); insulation {insulationMOhm} MΩ (at least {minInsulationMOhm} MΩ).',
  ],
  LEAK_FAIL: 'Back-leak {measured} mL/min, limit {limit} mL/min.',
  NOT_CODABLE: 'Outside the codable window at test point {step}.',
  OIL_NOT_CONDITIONED: 'Window of the pack: {minC}–{maxC} °C.',
  INCOMPATIBLE: 'The pack supports {supported}; this bench is a {model}.',
  CALIBRATION_OVERDUE: 'The calibration check was due on {due}.',
  INSUFFICIENT_CREDITS: '{balance} credits available, a code costs {price}.',
  PRINTER_UNREACHABLE: 'Printer {address}: {said}.',
  PRINT_QUEUE_NOT_FOUND: 'Printer queue "{queue}"; the print system said: {said}.',
  PRINT_QUEUE_REFUSED: 'Printer queue "{queue}"; the print system said: {said}.',
  PRINT_SYSTEM_UNAVAILABLE: 'Printer queue "{queue}"; the print system said: {said}.',
  PRINT_FAILED: 'Printer queue "{queue}"; the print system said: {said}.',
} satisfies Partial<Record<ErrorWordCode, ErrorDetailWords>>;

/** One detail sentence, or alternatives for differing specifics (the first with all its params is used). */
export type ErrorDetailWords = string | readonly string[];

export type ErrorDetailCode = keyof typeof errorDetailsEn;

/**
 * Codes whose catalog sentence says all there is: they show no detail line (the service's sentence, in
 * English, stays in the logs and support bundles).
 */
export const errorCodesWordedWhole = ['ABORTED_BY_OPERATOR', 'PRINTER_NOT_SET'] as const satisfies readonly ErrorWordCode[];

/**
 * What a broken integrity log shows at the entry the verifier names (LogVerdict.code), completing
 * "Tampering found at entry {seq}: …". The verifier's English reason stays in support bundles.
 */
export const logFaultWordsEn: Record<LogFaultWordCode, string> = {
  ENTRY_ALTERED: 'it was changed after it was written',
  ENTRY_MISSING: 'it is missing from the log (deleted)',
  CHAIN_BROKEN: 'it does not link to the entry before it (entries were reordered or spliced in)',
  CHECKPOINT_MISMATCH: 'the log here differs from what a signed checkpoint sealed (the log was rewritten)',
  BAD_CHECKPOINT_SIGNATURE: "the checkpoint here is not signed with this bench's key",
  TRUNCATED: 'the log ends before it, though a signed checkpoint sealed it (entries were cut off)',
};

export const errorLabelsEn = {
  details: 'Details',
};
