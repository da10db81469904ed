import Database from 'better-sqlite3';
import path from 'node:path';
import { STORE_FILE_NAME } from '../../electron/services/store/bench-store';

/** Opens a bench database the way an attacker would: raw SQL, append-only triggers dropped. */
export function tamperWith(dataDir: string, edit: (db: Database.Database) => void): void {
  const db = new Database(path.join(dataDir, STORE_FILE_NAME));
  for (const trigger of ['integrity_log_no_update', 'integrity_log_no_delete', 'integrity_checkpoints_no_update', 'integrity_checkpoints_no_delete']) {
    db.exec(`DROP TRIGGER IF EXISTS ${trigger}`);
  }
  edit(db);
  db.close();
}
