import { runner } from 'node-pg-migrate';

/** One folder of `.sql` migrations and the table that records which of them ran. */
export interface MigrationSet {
  dir: string;
  table: string;
}

/**
 * Applies every pending migration of each set, in order, to the database at `url`.
 * node-pg-migrate takes an advisory lock, so two processes migrating at once are safe,
 * and a second run finds nothing to do. Returns the names of the migrations it applied.
 */
export const migrate = async (url: string, sets: MigrationSet[]): Promise<string[]> => {
  const applied: string[] = [];
  for (const set of sets) {
    const ran = await runner({
      databaseUrl: url,
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
};
