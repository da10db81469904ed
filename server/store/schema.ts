/** The server database's tables as Kysely sees them. Times are ISO 8601 text in both dialects. */
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

export interface ServerDatabase {
  benches: BenchTable;
  enrolment_codes: EnrolmentCodeTable;
  log_entries: LogEntryTable;
  log_checkpoints: LogCheckpointTable;
  request_nonces: RequestNonceTable;
  alarms: AlarmTable;
}
