/**
 * Every kind of entry the bench writes to its integrity log. The Evidence view words each of them for
 * people (renderer/src/i18n/evidence-words.ts, typed against this list), and a unit test reads the
 * services' source for the kinds they append: a kind appended but missing here fails that test, and a
 * kind listed here without a sentence fails the type check.
 */
export const evidenceKinds = [
  'admin.operator_created',
  'admin.operator_updated',
  'admin.settings_changed',
  'app-update.channel.applied',
  'app-update.channel.changed',
  'app-update.check.completed',
  'app-update.check.failed',
  'app-update.check.refused',
  'app-update.check.skipped',
  'app-update.downgrade.refused',
  'app-update.download.completed',
  'app-update.download.failed',
  'app-update.download.started',
  'app-update.hold.released',
  'app-update.hold.set',
  'app-update.install.cancelled',
  'app-update.install.deferred',
  'app-update.install.failed',
  'app-update.install.held',
  'app-update.install.started',
  'app.child_process_gone',
  'app.diagnostics_exported',
  'app.renderer_gone',
  'app.started',
  'app.stopped',
  'auth.first_admin_created',
  'auth.sign_in_failed',
  'auth.sign_in_refused',
  'auth.signed_in',
  'auth.signed_out',
  'bench.connect_failed',
  'bench.connected',
  'bench.hardware_recorded',
  'bench.safe_cleared',
  'credits.grant_imported',
  'credits.grant_refused',
  'document.printed',
  'job.closed',
  'job.created',
  'job.reopened',
  'job.updated',
  'manual.test',
  'manual.test_failed',
  'packs.activate',
  'packs.activate_refused',
  'packs.fallback_to_lkg',
  'packs.leftovers_removed',
  'packs.lkg',
  'packs.lkg_not_updated',
  'packs.preflight_refused',
  'releases.pin_expired',
  'releases.pin_refused',
  'releases.pinned',
  'releases.refresh_deferred',
  'releases.refresh_failed',
  'releases.refreshed',
  'releases.rollback_refused',
  'releases.rolled_back',
  'releases.session_start_refused',
  'releases.session_start_resolved',
  'releases.unpinned',
  'session.aborted',
  'session.completed',
  'session.electrical',
  'session.leak',
  'session.oil',
  'session.preflight',
  'session.refused',
  'session.started',
  'session.step',
  'support.bundle_exported',
  'sync.enrolled',
] as const;

export type EvidenceKind = (typeof evidenceKinds)[number];

const known: ReadonlySet<string> = new Set(evidenceKinds);

/** True for a kind this build can word; older or newer logs may hold others, shown by their raw kind. */
export function isEvidenceKind(type: string): type is EvidenceKind {
  return known.has(type);
}
