import { runner } from 'node-pg-migrate';
import pg from 'pg';

/** One folder of `.sql` migrations and the table that records which of them ran. */
export interface MigrationSet {
  dir: string;
  table: string;
}

// node-pg-migrate's own lock is a *try* lock: a second process starting at the same moment fails
// with "Another migration is already running". We wait on a blocking advisory lock instead.
const MIGRATION_LOCK = 7_315_002;

/**
 * Applies every pending migration of each set, in order, to the database at `url`. Processes
 * migrating one database at once take turns; a second run finds nothing to do. Returns the names
 * of the migrations it applied.
 */
export const migrate = async (url: string, sets: MigrationSet[]): Promise<string[]> => {
  const client = new pg.Client({ connectionString: url, application_name: 'migrate' });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied: string[] = [];
    for (const set of sets) {
      const ran = await runner({
        dbClient: client,
        noLock: true,
        dir: set.dir,
        migrationsTable: set.table,
        direction: 'up',
        count: Infinity,
        checkOrder: true,
        log: () => undefined,
      });
      applied.push(...ran.map((m) => m.name));
    }
    return applied;
  } finally {
    await client.end();
  }
};
