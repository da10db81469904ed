import type Database from 'better-sqlite3';

export interface StoredBenchIdentity {
  benchId: string;
  /** Ed25519 public key, base64. */
  publicKey: string;
  createdAt: string;
}

interface IdentityRow {
  bench_id: string;
  public_key: string;
  created_at: string;
}

export class IdentityRepository {
  readonly #select: Database.Statement<[], IdentityRow>;
  readonly #insert: Database.Statement<[string, string, string]>;

  constructor(db: Database.Database) {
    this.#select = db.prepare('SELECT bench_id, public_key, created_at FROM bench_identity WHERE singleton = 1');
    this.#insert = db.prepare('INSERT INTO bench_identity (singleton, bench_id, public_key, created_at) VALUES (1, ?, ?, ?)');
  }

  get(): StoredBenchIdentity | null {
    const row = this.#select.get();
    return row ? { benchId: row.bench_id, publicKey: row.public_key, createdAt: row.created_at } : null;
  }

  create(identity: StoredBenchIdentity): void {
    this.#insert.run(identity.benchId, identity.publicKey, identity.createdAt);
  }
}
