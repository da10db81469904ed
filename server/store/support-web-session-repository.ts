/** Sign-in sessions of the support web view; only a hash of each cookie is stored. */
import type { Kysely } from 'kysely';
import { withFleetTables, type FleetDatabase } from './fleet-schema';
import type { ServerDatabase } from './schema';

export interface StoredWebSession {
  csrfToken: string;
  role: string;
  expiresAt: string;
}

export class SupportWebSessionRepository {
  private readonly db: Kysely<FleetDatabase>;

  constructor(db: Kysely<ServerDatabase>) {
    this.db = withFleetTables(db);
  }

  /** Stores a new session and forgets the expired ones. */
  async create(session: { sessionHash: string; csrfToken: string; role: string; createdAt: string; expiresAt: string }): Promise<void> {
    await this.db.deleteFrom('support_web_sessions').where('expires_at', '<=', session.createdAt).execute();
    await this.db
      .insertInto('support_web_sessions')
      .values({ session_hash: session.sessionHash, csrf_token: session.csrfToken, role: session.role, created_at: session.createdAt, expires_at: session.expiresAt })
      .execute();
  }

  /** The live session with this cookie hash, or null (unknown or expired). */
  async find(sessionHash: string, now: string): Promise<StoredWebSession | null> {
    const row = await this.db.selectFrom('support_web_sessions').selectAll().where('session_hash', '=', sessionHash).where('expires_at', '>', now).executeTakeFirst();
    return row ? { csrfToken: row.csrf_token, role: row.role, expiresAt: row.expires_at } : null;
  }

  async delete(sessionHash: string): Promise<void> {
    await this.db.deleteFrom('support_web_sessions').where('session_hash', '=', sessionHash).execute();
  }
}
