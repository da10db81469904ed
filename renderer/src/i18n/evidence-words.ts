/**
 * Integrity-log entries in words: one sentence per entry kind and language, filled from the entry's own
 * payload, with operator ids resolved to names where the view has them. Typed against the contract's list
 * of kinds, so a kind without a sentence in every language is a type error; the raw kind stays on screen
 * for support.
 */
import { isEvidenceKind, type EvidenceKind } from '../../../electron/contract/evidence-kinds';
import type { EvidenceEntry } from '../../../electron/contract/bench-api';
import { fillPlaceholders, type MessageParams, type UiLocale } from './i18n';

const en: Record<EvidenceKind, string> = {
  'admin.operator_created': '{who} created {role} {name}.',
  'admin.operator_updated': '{who} changed {operator}: {changes}.',
  'admin.settings_changed': '{who} changed the settings ({fields}).',
  'app-update.channel.applied': 'The app update channel was set from the bench release channel ({channel}).',
  'app-update.channel.changed': 'The app update channel now follows the bench: {channel}.',
  'app-update.check.completed': 'Checked for an app update: {outcome}.',
  'app-update.check.failed': 'The app update check failed.',
  'app-update.check.refused': 'An app update was refused ({code}).',
  'app-update.check.skipped': 'No app update check: the app is held at its version.',
  'app-update.downgrade.refused': 'App version {version} was refused: it is not newer than the installed one.',
  'app-update.download.completed': 'App version {version} was downloaded; it installs when no session runs.',
  'app-update.download.failed': 'The download of app version {version} failed.',
  'app-update.download.started': 'Downloading app version {version}.',
  'app-update.hold.released': '{who} released the hold on app updates.',
  'app-update.hold.set': '{who} held app updates until {until}.',
  'app-update.install.cancelled': 'The install of app version {version} was cancelled.',
  'app-update.install.deferred': 'The install of app version {version} waits for the running session to end.',
  'app-update.install.failed': 'The install of app version {version} failed.',
  'app-update.install.held': 'The install of app version {version} is held by an admin.',
  'app-update.install.started': 'Installing app version {version}; the app restarts.',
  'app.child_process_gone': 'A helper process of the app stopped ({reason}).',
  'app.diagnostics_exported': '{who} exported a diagnostics archive ({file}).',
  'app.renderer_gone': 'The app window stopped ({reason}) and was reloaded.',
  'app.started': 'The bench app started (version {appVersion}).',
  'app.stopped': 'The bench app stopped.',
  'auth.first_admin_created': 'The first admin, {name}, was set up.',
  'auth.sign_in_failed': 'A sign-in as {operator} failed: {reason}.',
  'auth.sign_in_refused': 'A sign-in as {operator} was refused: locked out until {until}.',
  'auth.signed_in': '{operator} signed in as {role}.',
  'auth.signed_out': '{operator} signed out ({reason}).',
  'bench.connect_failed': 'Connecting to the bench at {target} failed ({code}).',
  'bench.connected': 'Connected to the bench {model} at {target} (firmware {firmware}).',
  'bench.hardware_recorded': 'A new bench was recorded: {model}, serial {benchSerial}.',
  'bench.safe_cleared': 'The bench left its safe state before session {session} ({reason}).',
  'credits.grant_imported': '{credits} credits were added (grant {grant}).',
  'credits.grant_refused': 'A credit grant was refused ({code}).',
  'document.printed': '{who} printed the {document} of {subject}.',
  'job.created': '{who} opened job {job}: {cylinders} cylinders, part {part}.',
  'job.updated': '{who} changed job {job} ({fields}).',
  'job.closed': '{who} closed job {job}.',
  'job.reopened': '{who} reopened job {job} ({reason}).',
  'manual.test': '{operator} ran a manual test on {serial} ({part}): {delivery} mm³ per stroke at {rail} bar.',
  'manual.test_failed': 'A manual test by {operator} on {serial} ended with a fault ({code}).',
  'packs.activate': 'Calibration pack {family} {version} became active.',
  'packs.activate_refused': 'Calibration pack {family} was refused ({code}).',
  'packs.fallback_to_lkg': 'Calibration pack {family} fell back to its last good version {version} ({code}).',
  'packs.leftovers_removed': '{count} leftover files from an interrupted update were removed.',
  'packs.lkg': 'Calibration pack {family} {version} is now the last good version.',
  'packs.lkg_not_updated': 'The last good version of {family} was not updated after session {session} ({code}).',
  'packs.preflight_refused': 'Calibration pack {family} failed its check before a session ({code}).',
  'packs.trust_anchor_refused': '{who} tried to replace the root of trust; the file was refused ({code}).',
  'packs.trust_anchor_replaced': '{who} replaced the root of trust out of band; every pack is installed afresh at the next update.',
  'releases.pin_expired': 'The hold of {family} on {version} ended.',
  'releases.pin_refused': 'Holding {family} on {version} was refused ({code}).',
  'releases.pinned': '{who} held {family} on {version} until {until}.',
  'releases.refresh_deferred': 'A pack refresh waits for the running session to end.',
  'releases.refresh_failed': 'A pack refresh by {who} failed ({code}).',
  'releases.refreshed': '{who} refreshed the calibration packs.',
  'releases.rollback_refused': 'Rolling {family} back to {version} was refused ({code}).',
  'releases.rolled_back': '{who} rolled {family} back to {version} until {until}.',
  'releases.session_start_refused': 'No session could start on {family}: its pack was refused ({code}).',
  'releases.session_start_resolved': 'A session uses calibration pack {family} {version}.',
  'releases.unpinned': '{who} lifted the hold on {family}.',
  'session.aborted': 'Session {session} on {serial} ({part}) was aborted ({code}).',
  'session.completed': 'Session {session} on {serial} ({part}) finished: {verdict}.',
  'session.electrical': 'Electrical test in session {session}: {passed}.',
  'session.leak': 'Leak test in session {session}: {passed}.',
  'session.oil': 'Test oil at {temp} °C in session {session}.',
  'session.preflight': 'Checks before session {session}: {passedGates} of {gates} passed.',
  'session.refused': 'Session {session} on {serial} ({part}) did not start ({code}).',
  'session.started': '{operator} started session {session} on {serial} ({part}).',
  'session.step': 'Test point {step} in session {session}: {deviation} %, {verdict}.',
  'support.bundle_exported': 'A support bundle with {sessions} sessions was exported.',
  'sync.enrolled': 'The bench was enrolled with the server {url}.',
};

const de: Record<EvidenceKind, string> = {
  'admin.operator_created': '{who} hat {role} {name} angelegt.',
  'admin.operator_updated': '{who} hat {operator} geändert: {changes}.',
  'admin.settings_changed': '{who} hat die Einstellungen geändert ({fields}).',
  'app-update.channel.applied': 'Der Update-Kanal der App wurde vom Freigabekanal des Prüfstands übernommen ({channel}).',
  'app-update.channel.changed': 'Der Update-Kanal der App folgt jetzt dem Prüfstand: {channel}.',
  'app-update.check.completed': 'Nach einem App-Update gesucht: {outcome}.',
  'app-update.check.failed': 'Die Suche nach einem App-Update ist fehlgeschlagen.',
  'app-update.check.refused': 'Ein App-Update wurde abgelehnt ({code}).',
  'app-update.check.skipped': 'Keine Update-Suche: die App ist auf ihrer Version festgehalten.',
  'app-update.downgrade.refused': 'App-Version {version} wurde abgelehnt: sie ist nicht neuer als die installierte.',
  'app-update.download.completed': 'App-Version {version} wurde geladen; sie wird installiert, wenn keine Prüfung läuft.',
  'app-update.download.failed': 'Das Laden von App-Version {version} ist fehlgeschlagen.',
  'app-update.download.started': 'App-Version {version} wird geladen.',
  'app-update.hold.released': '{who} hat das Festhalten der App-Updates aufgehoben.',
  'app-update.hold.set': '{who} hat App-Updates bis {until} angehalten.',
  'app-update.install.cancelled': 'Die Installation von App-Version {version} wurde abgebrochen.',
  'app-update.install.deferred': 'Die Installation von App-Version {version} wartet auf das Ende der laufenden Prüfung.',
  'app-update.install.failed': 'Die Installation von App-Version {version} ist fehlgeschlagen.',
  'app-update.install.held': 'Die Installation von App-Version {version} ist von einem Admin angehalten.',
  'app-update.install.started': 'App-Version {version} wird installiert; die App startet neu.',
  'app.child_process_gone': 'Ein Hilfsprozess der App wurde beendet ({reason}).',
  'app.diagnostics_exported': '{who} hat ein Diagnosearchiv exportiert ({file}).',
  'app.renderer_gone': 'Das App-Fenster wurde beendet ({reason}) und neu geladen.',
  'app.started': 'Die Prüfstands-App wurde gestartet (Version {appVersion}).',
  'app.stopped': 'Die Prüfstands-App wurde beendet.',
  'auth.first_admin_created': 'Der erste Admin, {name}, wurde eingerichtet.',
  'auth.sign_in_failed': 'Eine Anmeldung als {operator} ist fehlgeschlagen: {reason}.',
  'auth.sign_in_refused': 'Eine Anmeldung als {operator} wurde abgewiesen: gesperrt bis {until}.',
  'auth.signed_in': '{operator} hat sich als {role} angemeldet.',
  'auth.signed_out': '{operator} hat sich abgemeldet ({reason}).',
  'bench.connect_failed': 'Die Verbindung zum Prüfstand unter {target} ist fehlgeschlagen ({code}).',
  'bench.connected': 'Mit dem Prüfstand {model} unter {target} verbunden (Firmware {firmware}).',
  'bench.hardware_recorded': 'Ein neuer Prüfstand wurde erfasst: {model}, Seriennummer {benchSerial}.',
  'bench.safe_cleared': 'Der Prüfstand hat vor Prüfung {session} seinen sicheren Zustand verlassen ({reason}).',
  'credits.grant_imported': '{credits} Punkte wurden gutgeschrieben (Gutschrift {grant}).',
  'credits.grant_refused': 'Eine Gutschrift wurde abgelehnt ({code}).',
  'document.printed': '{who} hat {document} von {subject} gedruckt.',
  'job.created': '{who} hat Auftrag {job} angelegt: {cylinders} Zylinder, Teil {part}.',
  'job.updated': '{who} hat Auftrag {job} geändert ({fields}).',
  'job.closed': '{who} hat Auftrag {job} abgeschlossen.',
  'job.reopened': '{who} hat Auftrag {job} wieder geöffnet ({reason}).',
  'manual.test': '{operator} hat einen manuellen Test an {serial} ({part}) ausgeführt: {delivery} mm³ je Hub bei {rail} bar.',
  'manual.test_failed': 'Ein manueller Test von {operator} an {serial} endete mit einem Fehler ({code}).',
  'packs.activate': 'Kalibrierpaket {family} {version} ist jetzt aktiv.',
  'packs.activate_refused': 'Kalibrierpaket {family} wurde abgelehnt ({code}).',
  'packs.fallback_to_lkg': 'Kalibrierpaket {family} ist auf die zuletzt bewährte Version {version} zurückgefallen ({code}).',
  'packs.leftovers_removed': '{count} übrig gebliebene Dateien eines unterbrochenen Updates wurden entfernt.',
  'packs.lkg': 'Kalibrierpaket {family} {version} ist jetzt die zuletzt bewährte Version.',
  'packs.lkg_not_updated': 'Die zuletzt bewährte Version von {family} wurde nach Prüfung {session} nicht aktualisiert ({code}).',
  'packs.preflight_refused': 'Kalibrierpaket {family} hat die Prüfung vor einer Sitzung nicht bestanden ({code}).',
  'packs.trust_anchor_refused': '{who} wollte die Vertrauensbasis ersetzen; die Datei wurde abgelehnt ({code}).',
  'packs.trust_anchor_replaced': '{who} hat die Vertrauensbasis auf anderem Weg ersetzt; beim nächsten Update werden alle Pakete neu installiert.',
  'releases.pin_expired': 'Die Festlegung von {family} auf {version} ist abgelaufen.',
  'releases.pin_refused': 'Die Festlegung von {family} auf {version} wurde abgelehnt ({code}).',
  'releases.pinned': '{who} hat {family} bis {until} auf {version} festgelegt.',
  'releases.refresh_deferred': 'Eine Paketaktualisierung wartet auf das Ende der laufenden Prüfung.',
  'releases.refresh_failed': 'Eine Paketaktualisierung durch {who} ist fehlgeschlagen ({code}).',
  'releases.refreshed': '{who} hat die Kalibrierpakete aktualisiert.',
  'releases.rollback_refused': 'Das Zurücksetzen von {family} auf {version} wurde abgelehnt ({code}).',
  'releases.rolled_back': '{who} hat {family} bis {until} auf {version} zurückgesetzt.',
  'releases.session_start_refused': 'Keine Prüfung konnte mit {family} starten: das Paket wurde abgelehnt ({code}).',
  'releases.session_start_resolved': 'Eine Prüfung verwendet Kalibrierpaket {family} {version}.',
  'releases.unpinned': '{who} hat die Festlegung von {family} aufgehoben.',
  'session.aborted': 'Prüfung {session} an {serial} ({part}) wurde abgebrochen ({code}).',
  'session.completed': 'Prüfung {session} an {serial} ({part}) beendet: {verdict}.',
  'session.electrical': 'Elektrischer Test in Prüfung {session}: {passed}.',
  'session.leak': 'Dichtheitstest in Prüfung {session}: {passed}.',
  'session.oil': 'Prüföl bei {temp} °C in Prüfung {session}.',
  'session.preflight': 'Vorabprüfungen für Prüfung {session}: {passedGates} von {gates} bestanden.',
  'session.refused': 'Prüfung {session} an {serial} ({part}) wurde nicht gestartet ({code}).',
  'session.started': '{operator} hat Prüfung {session} an {serial} ({part}) gestartet.',
  'session.step': 'Prüfpunkt {step} in Prüfung {session}: {deviation} %, {verdict}.',
  'support.bundle_exported': 'Ein Support-Paket mit {sessions} Prüfungen wurde exportiert.',
  'sync.enrolled': 'Der Prüfstand wurde beim Server {url} angemeldet.',
};

/** Words the sentences put in: roles, verdicts, documents, changes. */
const words = {
  en: {
    someone: 'someone',
    technician: 'technician',
    admin: 'admin',
    support: 'support',
    pass: 'passed',
    fail: 'injector rejected',
    passed: 'passed',
    failed: 'FAILED',
    in_tolerance: 'in tolerance',
    corrected: 'corrected',
    not_codable: 'not codable',
    label: 'the label',
    report: 'the report',
    jobReport: 'the job report',
    session: 'session {id}',
    job: 'job {id}',
    pinReset: 'new PIN',
    lockoutLifted: 'lockout lifted',
    disabled: 'disabled',
    enabled: 'enabled',
    roleTo: 'role {role}',
    nothing: 'no change',
  },
  de: {
    someone: 'jemand',
    technician: 'Techniker',
    admin: 'Admin',
    support: 'Support',
    pass: 'bestanden',
    fail: 'Injektor abgelehnt',
    passed: 'bestanden',
    failed: 'NICHT BESTANDEN',
    in_tolerance: 'in Toleranz',
    corrected: 'korrigiert',
    not_codable: 'nicht codierbar',
    label: 'das Etikett',
    report: 'den Bericht',
    jobReport: 'den Auftragsbericht',
    session: 'Prüfung {id}',
    job: 'Auftrag {id}',
    pinReset: 'neue PIN',
    lockoutLifted: 'Sperre aufgehoben',
    disabled: 'deaktiviert',
    enabled: 'aktiviert',
    roleTo: 'Rolle {role}',
    nothing: 'keine Änderung',
  },
} as const satisfies Record<UiLocale, Record<string, string>>;

export const evidenceSentences = { en, de } as const satisfies Record<UiLocale, Record<EvidenceKind, string>>;

export interface EvidenceWording {
  locale: UiLocale;
  /** The operator's name for an id, where the view knows it. */
  nameOf(operatorId: string): string | null;
  /** An instant in the bench's zone and language. */
  time(iso: string): string;
}

function text(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

function field(payload: Record<string, unknown>, key: string, sub?: string): string | null {
  const value = payload[key];
  if (sub === undefined) return text(value);
  return value !== null && typeof value === 'object' ? text((value as Record<string, unknown>)[sub]) : null;
}

/** Operator names from the entries themselves (created, first admin): the log names who it was. */
export function namesInEntries(entries: readonly EvidenceEntry[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const entry of entries) {
    const id = text(entry.payload.operatorId);
    const name = text(entry.payload.name);
    if (id && name && (entry.type === 'admin.operator_created' || entry.type === 'auth.first_admin_created')) names.set(id, name);
  }
  return names;
}

function params(entry: EvidenceEntry, wording: EvidenceWording): MessageParams {
  const p = entry.payload;
  const w = words[wording.locale];
  const get = (key: string, sub?: string) => field(p, key, sub);
  const person = (id: string | null) => (id ? (wording.nameOf(id) ?? id) : null);
  // "Ana Admin (op-…)": the actor as the services write it; the name is enough on screen.
  const actor = get('actor')?.replace(/\s*\([^)]*\)\s*$/, '') ?? null;
  const role = get('role');
  const roleWord = role === 'technician' || role === 'admin' || role === 'support' ? w[role] : (role ?? '');
  const when = get('lockedUntil') ?? get('ends_at') ?? get('endsAt') ?? get('until') ?? get('expires');
  const kind = get('kind');
  const verdict = get('verdict');
  const passed = get('passed');
  const changes = [
    ...(role ? [fillPlaceholders(w.roleTo, { role: roleWord })] : []),
    ...(p.disabled === true ? [w.disabled] : p.disabled === false ? [w.enabled] : []),
    ...(p.pinReset === true ? [w.pinReset] : []),
    ...(p.lockoutLifted === true ? [w.lockoutLifted] : []),
  ];
  const gates = Array.isArray(p.gates) ? (p.gates as Array<{ passed?: unknown }>) : [];
  const files = Array.isArray(p.files) ? p.files.length : null;
  const values: Record<string, string | null> = {
    who: person(get('by')) ?? actor ?? person(get('operatorId')) ?? w.someone,
    operator: person(get('operatorId')) ?? get('name') ?? w.someone,
    name: get('name') ?? person(get('operatorId')),
    role: roleWord,
    changes: changes.length > 0 ? changes.join(', ') : w.nothing,
    fields: Array.isArray(p.changed) ? p.changed.join(', ') : Array.isArray(p.fields) ? p.fields.join(', ') : null,
    session: get('sessionId'),
    part: get('partNumber'),
    serial: get('serial'),
    family: get('family'),
    version: get('version') ?? get('activation', 'version') ?? get('target', 'version') ?? get('to', 'version') ?? get('pin', 'version') ?? get('packVersion') ?? get('offeredVersion') ?? get('pendingVersion') ?? get('target', 'channel') ?? get('pin', 'channel'),
    channel: get('channel') ?? get('releaseChannel') ?? get('to'),
    outcome: get('outcome') ?? get('offeredVersion'),
    reason: get('reason') ?? get('reasonCode') ?? get('code'),
    code: get('code') ?? get('reasonCode') ?? get('reason'),
    credits: get('credits'),
    grant: get('grantId'),
    job: get('jobId') ?? get('job', 'jobId'),
    cylinders: get('cylinders'),
    document: kind === 'label' || kind === 'report' || kind === 'jobReport' ? w[kind] : kind,
    subject: get('jobId') ? fillPlaceholders(w.job, { id: get('jobId') ?? '' }) : fillPlaceholders(w.session, { id: get('sessionId') ?? '' }),
    target: get('target'),
    model: get('model'),
    firmware: get('firmware'),
    benchSerial: get('benchSerial'),
    appVersion: get('appVersion') ?? get('currentVersion'),
    count: files === null ? null : String(files),
    sessions: get('sessions'),
    until: when ? wording.time(when) : null,
    url: get('serverUrl'),
    file: get('fileName'),
    verdict: verdict === 'pass' || verdict === 'fail' || verdict === 'in_tolerance' || verdict === 'corrected' || verdict === 'not_codable' ? w[verdict] : verdict,
    passed: passed === 'true' ? w.passed : passed === 'false' ? w.failed : passed,
    passedGates: String(gates.filter((gate) => gate.passed === true).length),
    gates: String(gates.length),
    step: [get('id'), get('label')].filter(Boolean).join(' ') || null,
    deviation: typeof p.deviationPct === 'number' ? p.deviationPct.toFixed(1) : null,
    temp: typeof p.oilTempC === 'number' ? p.oilTempC.toFixed(1) : null,
    delivery: typeof p.deliveryMm3PerStroke === 'number' ? p.deliveryMm3PerStroke.toFixed(2) : null,
    rail: get('railBar'),
  };
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, value ?? '—']));
}

/** The entry as a sentence in the language; a kind this build does not know shows as its raw kind. */
export function describeEvidence(entry: EvidenceEntry, wording: EvidenceWording): string {
  if (!isEvidenceKind(entry.type)) return entry.type;
  return fillPlaceholders(evidenceSentences[wording.locale][entry.type], params(entry, wording));
}
