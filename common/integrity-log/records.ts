/** The integrity log's rows as the bench stores them and the server receives, stores and verifies them. */

export interface LogEntryRecord {
  seq: number;
  prevHash: string;
  entryHash: string;
  recordedAt: string;
  type: string;
  /** The exact JSON text that was hashed. */
  payloadJson: string;
}

export interface CheckpointRecord {
  seq: number;
  entryHash: string;
  signedAt: string;
  /** Ed25519 signature by the bench key, base64. */
  signature: string;
}
