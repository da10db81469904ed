/**
 * Queries of distribution (signed metadata, packs, publish evidence) and credits (grants, findings), in
 * Kysely for SQLite and PostgreSQL alike. A metadata publish runs with the repository locked, so two
 * publishes cannot both pass the "never older" checks against the same view.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { randomUUID } from 'node:crypto';
import { ServerError } from '../server-error';
import type { DialectName } from './database';
import type { RepositoryFileKind } from '../../common/central-api/repository-paths';
import type { AppReleaseTable, AppUpdateFileTable, CreditGrantTable, RepositoryFileTable, RepositoryPackTable, ServerDatabase } from './schema';

export type RepositoryFileRecord = RepositoryFileTable;
export type AppUpdateFileRecord = AppUpdateFileTable;
export type AppReleaseRecord = AppReleaseTable;
export type RepositoryPackRecord = RepositoryPackTable;
export type CreditGrantRecord = CreditGrantTable;
export type RepositoryFileSummary = Omit<RepositoryFileRecord, 'content_base64'>;

export interface EvidenceRecord {
  evidenceId: string;
  at: string;
  role: string;
  actor: string;
  action: string;
  detail: Record<string, unknown>;
}

export interface NewEvidence {
  at: string;
  role: string;
  actor: string;
  action: string;
  detail: Record<string, unknown>;
}

/** What a metadata publish may read and write while the repository is locked. */
export interface RepositoryTransaction {
  files(): Promise<RepositoryFileSummary[]>;
  file(path: string): Promise<RepositoryFileRecord | null>;
  pack(path: string): Promise<RepositoryPackRecord | null>;
  /** Inserts or replaces the files, in the order given. */
  putFiles(files: readonly RepositoryFileRecord[]): Promise<void>;
  addEvidence(evidence: NewEvidence): Promise<string>;
}

export interface CreditLogEntry {
  seq: number;
  type: string;
  payloadJson: string;
  recordedAt: string;
}

// PostgreSQL may hand integers back as strings; the records promise numbers.
const toNumber = <T extends { length: number }>(row: T): T => ({ ...row, length: Number(row.length) });
const fileRow = <T extends { version: number; length: number }>(row: T): T => ({ ...row, version: Number(row.version), length: Number(row.length) });

function evidenceOps(db: Kysely<ServerDatabase> | Transaction<ServerDatabase>) {
  return async (evidence: NewEvidence): Promise<string> => {
    const evidenceId = randomUUID();
    await db
      .insertInto('server_evidence')
      .values({ evidence_id: evidenceId, at: evidence.at, role: evidence.role, actor: evidence.actor, action: evidence.action, detail_json: JSON.stringify(evidence.detail) })
      .execute();
    return evidenceId;
  };
}

export class DistributionRepository {
  constructor(
    private readonly db: Kysely<ServerDatabase>,
    readonly dialect: DialectName,
  ) {}

  async file(path: string): Promise<RepositoryFileRecord | null> {
    const row = await this.db.selectFrom('repository_files').selectAll().where('path', '=', path).executeTakeFirst();
    return row ? fileRow(row) : null;
  }

  async files(): Promise<RepositoryFileSummary[]> {
    const rows = await this.db
      .selectFrom('repository_files')
      .select(['path', 'kind', 'version', 'sha256', 'length', 'published_at', 'publish_id'])
      .orderBy('path')
      .execute();
    return rows.map(fileRow);
  }

  async pack(path: string): Promise<RepositoryPackRecord | null> {
    const row = await this.db.selectFrom('repository_packs').selectAll().where('path', '=', path).executeTakeFirst();
    return row ? toNumber(row) : null;
  }

  /** When the pack of `family` `version` was first published to this server; null when it never was. */
  async packPublishedAt(family: string, version: string): Promise<string | null> {
    const row = await this.db.selectFrom('repository_packs').select('published_at').where('family', '=', family).where('version', '=', version).orderBy('published_at').executeTakeFirst();
    return row?.published_at ?? null;
  }

  async packs(): Promise<RepositoryPackRecord[]> {
    return (await this.db.selectFrom('repository_packs').selectAll().orderBy('path').execute()).map(toNumber);
  }

  async hasBlob(sha256: string): Promise<boolean> {
    return (await this.db.selectFrom('pack_blobs').select('sha256').where('sha256', '=', sha256).executeTakeFirst()) !== undefined;
  }

  /**
   * Records a whole, fsynced blob and names it at a pack path, with the evidence, in one transaction.
   * A pack path is immutable: the same bytes again change nothing, other bytes are refused.
   */
  async addPack(pack: RepositoryPackRecord, evidence: NewEvidence): Promise<{ added: boolean }> {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('pack_blobs')
        .values({ sha256: pack.sha256, length: pack.length, stored_at: pack.published_at })
        .onConflict((oc) => oc.column('sha256').doNothing())
        .execute();
      const existing = await trx.selectFrom('repository_packs').selectAll().where('path', '=', pack.path).executeTakeFirst();
      if (existing) {
        if (existing.sha256 === pack.sha256) return { added: false };
        throw new ServerError('CONFLICT', `${pack.path} is already published with other bytes (SHA-256 ${existing.sha256}); a published version never changes: build a new version.`);
      }
      await trx.insertInto('repository_packs').values(pack).execute();
      await evidenceOps(trx)(evidence);
      return { added: true };
    });
  }

  /** Runs `work` with the repository's metadata locked against a concurrent publish; commits only if it returns. */
  async withRepositoryLocked<T>(work: (tx: RepositoryTransaction) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      // SQLite has one writer at a time; PostgreSQL needs the lock (readers of the served files are not blocked).
      if (this.dialect === 'postgres') await sql`LOCK TABLE repository_files IN SHARE ROW EXCLUSIVE MODE`.execute(trx);
      return work({
        files: async () =>
          (await trx.selectFrom('repository_files').select(['path', 'kind', 'version', 'sha256', 'length', 'published_at', 'publish_id']).orderBy('path').execute()).map(fileRow),
        file: async (path) => {
          const row = await trx.selectFrom('repository_files').selectAll().where('path', '=', path).executeTakeFirst();
          return row ? fileRow(row) : null;
        },
        pack: async (path) => {
          const row = await trx.selectFrom('repository_packs').selectAll().where('path', '=', path).executeTakeFirst();
          return row ? toNumber(row) : null;
        },
        putFiles: async (files) => {
          for (const file of files) {
            await trx
              .insertInto('repository_files')
              .values(file)
              .onConflict((oc) =>
                oc.column('path').doUpdateSet({
                  kind: file.kind,
                  version: file.version,
                  sha256: file.sha256,
                  length: file.length,
                  content_base64: file.content_base64,
                  published_at: file.published_at,
                  publish_id: file.publish_id,
                }),
              )
              .execute();
          }
        },
        addEvidence: evidenceOps(trx),
      });
    });
  }

  async appUpdateFile(name: string): Promise<AppUpdateFileRecord | null> {
    const row = await this.db.selectFrom('app_update_files').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? toNumber(row) : null;
  }

  /** Names a whole blob as an app installer, with the evidence; a name never changes its bytes. */
  async addAppUpdateFile(file: AppUpdateFileRecord, evidence: NewEvidence): Promise<{ added: boolean }> {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('pack_blobs')
        .values({ sha256: file.sha256, length: file.length, stored_at: file.uploaded_at })
        .onConflict((oc) => oc.column('sha256').doNothing())
        .execute();
      const existing = await trx.selectFrom('app_update_files').selectAll().where('name', '=', file.name).executeTakeFirst();
      if (existing) {
        if (existing.sha256 === file.sha256) return { added: false };
        throw new ServerError('CONFLICT', `${file.name} is already uploaded with other bytes (SHA-256 ${existing.sha256}); an installer never changes: build a new version.`);
      }
      await trx.insertInto('app_update_files').values(file).execute();
      await evidenceOps(trx)(evidence);
      return { added: true };
    });
  }

  async appRelease(channel: string): Promise<AppReleaseRecord | null> {
    const row = await this.db.selectFrom('app_releases').selectAll().where('channel', '=', channel).executeTakeFirst();
    return row ? { ...row, sequence: Number(row.sequence) } : null;
  }

  async appReleases(): Promise<AppReleaseRecord[]> {
    return (await this.db.selectFrom('app_releases').selectAll().orderBy('channel').execute()).map((row) => ({ ...row, sequence: Number(row.sequence) }));
  }

  /**
   * Replaces a channel's signed app release, with the evidence, only if its sequence moves forward
   * (checked inside the transaction, so two publishes cannot both pass against the same row).
   */
  async putAppRelease(release: AppReleaseRecord, evidence: NewEvidence): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      if (this.dialect === 'postgres') await sql`LOCK TABLE app_releases IN SHARE ROW EXCLUSIVE MODE`.execute(trx);
      const existing = await trx.selectFrom('app_releases').select(['sequence', 'sha256']).where('channel', '=', release.channel).executeTakeFirst();
      if (existing && Number(existing.sequence) >= release.sequence) {
        throw new ServerError('ROLLBACK', `The ${release.channel} app release has sequence ${release.sequence}, not newer than the ${Number(existing.sequence)} the server serves; refused (a bench would see it as a rollback).`);
      }
      await trx
        .insertInto('app_releases')
        .values(release)
        .onConflict((oc) =>
          oc.column('channel').doUpdateSet({ sequence: release.sequence, version: release.version, sha256: release.sha256, content_base64: release.content_base64, published_at: release.published_at }),
        )
        .execute();
      await evidenceOps(trx)(evidence);
    });
  }

  async addEvidence(evidence: NewEvidence): Promise<string> {
    return evidenceOps(this.db)(evidence);
  }

  async evidence(options: { limit: number; action?: string }): Promise<EvidenceRecord[]> {
    let query = this.db.selectFrom('server_evidence').selectAll();
    if (options.action) query = query.where('action', '=', options.action);
    const rows = await query.orderBy('at', 'desc').orderBy('evidence_id').limit(options.limit).execute();
    return rows.map((row) => ({ evidenceId: row.evidence_id, at: row.at, role: row.role, actor: row.actor, action: row.action, detail: JSON.parse(row.detail_json) as Record<string, unknown> }));
  }

  // ---- credits ----

  async addGrant(grant: CreditGrantRecord, evidence: NewEvidence): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('credit_grants').select('grant_id').where('grant_id', '=', grant.grant_id).executeTakeFirst();
      if (existing) throw new ServerError('CONFLICT', `Grant id ${grant.grant_id} is already issued; grant ids are single use.`);
      await trx.insertInto('credit_grants').values(grant).execute();
      await evidenceOps(trx)(evidence);
    });
  }

  async grants(benchId?: string): Promise<CreditGrantRecord[]> {
    let query = this.db.selectFrom('credit_grants').selectAll();
    if (benchId) query = query.where('bench_id', '=', benchId);
    return (await query.orderBy('issued_at').orderBy('grant_id').execute()).map((row) => ({ ...row, credits: Number(row.credits) }));
  }

  async markGrantsFetched(benchId: string, at: string): Promise<void> {
    await this.db.updateTable('credit_grants').set({ first_fetched_at: at }).where('bench_id', '=', benchId).where('first_fetched_at', 'is', null).execute();
  }

  /** The bench's synced log entries of the given types, in log order, up to and including `throughSeq`. */
  async logEntriesOfTypes(benchId: string, types: readonly string[], throughSeq: number): Promise<CreditLogEntry[]> {
    if (types.length === 0 || throughSeq < 1) return [];
    const rows = await this.db
      .selectFrom('log_entries')
      .select(['seq', 'type', 'payload_json', 'recorded_at'])
      .where('bench_id', '=', benchId)
      .where('type', 'in', [...types])
      .where('seq', '<=', throughSeq)
      .orderBy('seq')
      .execute();
    return rows.map((row) => ({ seq: Number(row.seq), type: row.type, payloadJson: row.payload_json, recordedAt: row.recorded_at }));
  }

  /** Records a finding and raises its alarm, once: false when this finding was recorded before. */
  async recordFinding(finding: { key: string; benchId: string; kind: string; message: string; detail: Record<string, unknown>; at: string }): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const alarmId = randomUUID();
      // The finding row first: a concurrent reconciliation waits on it, then finds it there.
      const inserted = await trx
        .insertInto('credit_findings')
        .values({ finding_key: finding.key, bench_id: finding.benchId, kind: finding.kind, alarm_id: alarmId, found_at: finding.at })
        .onConflict((oc) => oc.column('finding_key').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) !== 1) return false;
      await trx
        .insertInto('alarms')
        .values({ alarm_id: alarmId, bench_id: finding.benchId, kind: finding.kind, message: finding.message, detail_json: JSON.stringify(finding.detail), raised_at: finding.at })
        .execute();
      return true;
    });
  }
}

export type { RepositoryFileKind };
