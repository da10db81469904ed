/** The server database's tables as Kysely sees them. Times are ISO 8601 text in both dialects. */
import type { RepositoryFileKind } from '../../common/central-api/repository-paths';

export interface BenchTable {
  bench_id: string;
  public_key: string;
  status: 'active' | 'revoked';
  enrolled_at: string;
  revoked_at: string | null;
  revoke_reason: string | null;
  /** Last acknowledged entry of the bench's integrity log (0 and the genesis hash before the first). */
  head_seq: number;
  head_hash: string;
  sealed_through: number;
  /** When the bench last made a signed request, to the minute (ServerRepository.markSeen); null: never since 0006. */
  last_seen_at: string | null;
}

export interface EnrolmentCodeTable {
  /** SHA-256 of the code: a database leak does not leak usable codes. */
  code_hash: string;
  created_at: string;
  expires_at: string;
  note: string | null;
  used_at: string | null;
  used_by: string | null;
}

export interface LogEntryTable {
  bench_id: string;
  seq: number;
  prev_hash: string;
  entry_hash: string;
  recorded_at: string;
  type: string;
  payload_json: string;
  received_at: string;
}

export interface LogCheckpointTable {
  bench_id: string;
  seq: number;
  entry_hash: string;
  signed_at: string;
  signature: string;
  received_at: string;
}

export interface RequestNonceTable {
  bench_id: string;
  nonce: string;
  seen_at: string;
}

export interface AlarmTable {
  alarm_id: string;
  bench_id: string;
  kind: string;
  message: string;
  detail_json: string;
  raised_at: string;
}


export interface RepositoryFileTable {
  /** The path under /api/v1/repository/, e.g. timestamp.json or index/<family>.json. */
  path: string;
  kind: RepositoryFileKind;
  /** Root version, timestamp or snapshot version, index sequence or directive seq. */
  version: number;
  sha256: string;
  length: number;
  /** The exact bytes received, base64. */
  content_base64: string;
  published_at: string;
  publish_id: string;
}

export interface PackBlobTable {
  /** SHA-256 of the pack file's bytes; the file is <blob dir>/<first two hex digits>/<sha256>. */
  sha256: string;
  length: number;
  stored_at: string;
}

export interface RepositoryPackTable {
  /** packs/<family>/<version>.injpack */
  path: string;
  family: string;
  version: string;
  sha256: string;
  length: number;
  /** SHA-256 of the manifest inside the pack: what the family's index names. */
  manifest_sha256: string;
  published_at: string;
  publish_id: string;
}

export interface ServerEvidenceTable {
  evidence_id: string;
  at: string;
  /** The token role that acted (release, admin) or "server". */
  role: string;
  actor: string;
  action: string;
  detail_json: string;
}

export interface CreditGrantTable {
  grant_id: string;
  bench_id: string;
  credits: number;
  issued_at: string;
  expires: string;
  /** The signed grant exactly as the bench receives it, base64. */
  envelope_base64: string;
  issued_by: string;
  note: string | null;
  first_fetched_at: string | null;
}

export interface CreditFindingTable {
  /** bench, kind and subject: the same finding is recorded (and alarmed) once. */
  finding_key: string;
  bench_id: string;
  kind: string;
  alarm_id: string;
  found_at: string;
}

/** An admin's whole-log re-check (log-check-store.ts). */
export interface LogCheckTable {
  check_id: string;
  bench_id: string;
  requested_at: string;
  state: 'running' | 'done' | 'failed';
  head_seq: number;
  checked_through: number;
  updated_at: string;
  finished_at: string | null;
  verdict_json: string | null;
  failure: string | null;
}

/** An app installer uploaded by `injbench release app-publish`; its bytes are a blob (pack_blobs). */
export interface AppUpdateFileTable {
  /** The installer's file name, as the signed app release names it (immutable once uploaded). */
  name: string;
  sha256: string;
  /** base64, as electron-builder and the signed app release write it. */
  sha512: string;
  length: number;
  uploaded_at: string;
}

/** The signed app release a channel serves (trust/app-release.ts), exact bytes. */
export interface AppReleaseTable {
  channel: string;
  sequence: number;
  version: string;
  sha256: string;
  content_base64: string;
  published_at: string;
}

export interface ServerDatabase {
  benches: BenchTable;
  enrolment_codes: EnrolmentCodeTable;
  log_entries: LogEntryTable;
  log_checkpoints: LogCheckpointTable;
  request_nonces: RequestNonceTable;
  alarms: AlarmTable;
  repository_files: RepositoryFileTable;
  pack_blobs: PackBlobTable;
  repository_packs: RepositoryPackTable;
  server_evidence: ServerEvidenceTable;
  credit_grants: CreditGrantTable;
  credit_findings: CreditFindingTable;
  log_checks: LogCheckTable;
  app_update_files: AppUpdateFileTable;
  app_releases: AppReleaseTable;
}
