import { fileURLToPath } from 'node:url';
import { databaseUrl } from '@saga/config';
import { createPool, ensureDatabase, migrate } from '@saga/postgres';

/** The registry's own migrations (one table, `saga_owners`). */
export const ownershipMigrations = {
  dir: fileURLToPath(new URL('../migrations', import.meta.url)),
  table: 'pgmigrations',
};

export interface Ownership {
  /** The owner this process claims for. */
  readonly owner: string;
  /**
   * Claims `sagaId` for this owner unless another owner has it. True when it is (now or already)
   * ours: the caller may start or continue the saga. A redelivered start claims again and gets
   * true again, so a crash between the claim and the saga's first commit loses nothing.
   */
  claim(sagaId: string): Promise<boolean>;
  /** Who owns `sagaId`, if anyone has claimed it. */
  ownerOf(sagaId: string): Promise<string | undefined>;
  close(): Promise<void>;
}

/**
 * One claim per saga, first writer wins (ADR 0011). `INSERT … ON CONFLICT DO UPDATE` locks the
 * row and returns the owner that stands, so two coordinators claiming at once both learn the
 * same winner.
 */
export const claimSql = `INSERT INTO saga_owners (saga_id, owner) VALUES ($1, $2)
  ON CONFLICT (saga_id) DO UPDATE SET owner = saga_owners.owner RETURNING owner`;

export interface OwnershipOptions {
  postgresUrl: string;
  /** `SAGA_REGISTRY_DATABASE`. */
  database: string;
  /** The coordinator claiming: `custom`, `temporal`, … */
  owner: string;
  /** Connections (the starter's concurrency). */
  max?: number;
  onIdleError?: (err: Error) => void;
}

/** Opens the registry (creating and migrating its database when needed) for one owner. */
export const openOwnership = async ({
  postgresUrl,
  database,
  owner,
  max = 8,
  onIdleError,
}: OwnershipOptions): Promise<Ownership> => {
  await ensureDatabase(postgresUrl, database);
  const url = databaseUrl(postgresUrl, database);
  await migrate(url, [ownershipMigrations]);
  const pool = createPool(url, {
    max,
    applicationName: `saga-registry-${owner}`,
    ...(onIdleError ? { onIdleError } : {}),
  });
  return {
    owner,
    claim: async (sagaId) => (await pool.query<{ owner: string }>(claimSql, [sagaId, owner])).rows[0]!.owner === owner,
    ownerOf: async (sagaId) =>
      (await pool.query<{ owner: string }>('SELECT owner FROM saga_owners WHERE saga_id = $1', [sagaId])).rows[0]
        ?.owner,
    close: () => pool.end(),
  };
};
