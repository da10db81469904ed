/** Sign-in sessions and named users of the support web view; only a hash of each cookie is stored. */
import type { Kysely } from 'kysely';
import { ServerError } from '../server-error';
import { withFleetTables, type FleetDatabase } from './fleet-schema';
import type { ServerDatabase } from './schema';

export interface StoredWebSession {
  csrfToken: string;
  role: string;
  userName: string | null;
  expiresAt: string;
}

export interface SupportUser {
  name: string;
  passwordHash: string;
  createdAt: string;
  disabledAt: string | null;
}

export class SupportWebSessionRepository {
  private readonly db: Kysely<FleetDatabase>;

  constructor(db: Kysely<ServerDatabase>) {
    this.db = withFleetTables(db);
  }

  /** Stores a new session and forgets the expired ones. */
  async create(session: { sessionHash: string; csrfToken: string; role: string; userName: string | null; createdAt: string; expiresAt: string }): Promise<void> {
    await this.db.deleteFrom('support_web_sessions').where('expires_at', '<=', session.createdAt).execute();
    await this.db
      .insertInto('support_web_sessions')
      .values({ session_hash: session.sessionHash, csrf_token: session.csrfToken, role: session.role, user_name: session.userName, created_at: session.createdAt, expires_at: session.expiresAt })
      .execute();
  }

  /** The live session with this cookie hash, or null (unknown, expired, or its user disabled since). */
  async find(sessionHash: string, now: string): Promise<StoredWebSession | null> {
    const row = await this.db.selectFrom('support_web_sessions').selectAll().where('session_hash', '=', sessionHash).where('expires_at', '>', now).executeTakeFirst();
    if (!row) return null;
    if (row.user_name !== null) {
      const user = await this.user(row.user_name);
      if (!user || user.disabledAt !== null) return null;
    }
    return { csrfToken: row.csrf_token, role: row.role, userName: row.user_name, expiresAt: row.expires_at };
  }

  async delete(sessionHash: string): Promise<void> {
    await this.db.deleteFrom('support_web_sessions').where('session_hash', '=', sessionHash).execute();
  }

  async addUser(user: { name: string; passwordHash: string; createdAt: string }): Promise<void> {
    const existing = await this.user(user.name);
    if (existing) throw new ServerError('INVALID_REQUEST', `A support user named ${user.name} exists already${existing.disabledAt ? ' (disabled)' : ''}; choose another name.`);
    await this.db.insertInto('support_users').values({ name: user.name, password_hash: user.passwordHash, created_at: user.createdAt, disabled_at: null }).execute();
  }

  async user(name: string): Promise<SupportUser | null> {
    const row = await this.db.selectFrom('support_users').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? { name: row.name, passwordHash: row.password_hash, createdAt: row.created_at, disabledAt: row.disabled_at } : null;
  }

  async users(): Promise<Omit<SupportUser, 'passwordHash'>[]> {
    const rows = await this.db.selectFrom('support_users').select(['name', 'created_at', 'disabled_at']).orderBy('name').execute();
    return rows.map((row) => ({ name: row.name, createdAt: row.created_at, disabledAt: row.disabled_at }));
  }

  /** Disables a user and ends their sessions at once. */
  async disableUser(name: string, at: string): Promise<void> {
    const result = await this.db.updateTable('support_users').set({ disabled_at: at }).where('name', '=', name).where('disabled_at', 'is', null).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0 && !(await this.user(name))) throw new ServerError('NOT_FOUND', `No support user named ${name}.`);
    await this.db.deleteFrom('support_web_sessions').where('user_name', '=', name).execute();
  }
}
