import pg from 'pg';

// BIGINT (int8) and NUMERIC come back as strings by default; our ids and cents fit in a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
export type Queryable = Pick<pg.ClientBase, 'query'>;

export interface PoolOptions {
  max?: number;
  applicationName?: string;
  /** An idle connection failed (e.g. the database restarted); the pool drops it and connects anew. */
  onIdleError?: (err: Error) => void;
}

/**
 * A pool that survives a database restart: pg emits 'error' for an idle connection that breaks,
 * and an 'error' event with no listener ends the process — so there always is one.
 */
export const createPool = (
  url: string,
  { max = 10, applicationName = 'saga-workbench', onIdleError = () => undefined }: PoolOptions = {},
): Pool => {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    application_name: applicationName,
    connectionTimeoutMillis: 10_000,
  });
  pool.on('error', onIdleError);
  return pool;
};

/**
 * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. A
 * connection that breaks while checked out (the database restarting between two statements)
 * emits 'error' outside any query — with no listener that ends the process — so one is attached
 * for the checkout, and a broken connection is destroyed instead of going back to the pool.
 */
export const withTransaction = async <T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> => {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error) => void (broken = err);
  client.on('error', onError);
  const hooks: CommitHook[] = [];
  let result: T;
  try {
    await client.query('BEGIN');
    open.set(client, hooks);
    result = await fn(client);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    open.delete(client);
    client.off('error', onError);
    client.release(broken);
  }
  for (const hook of hooks) {
    try {
      hook(pool);
    } catch {
      // Committed is committed: a hook's failure is not the transaction's.
    }
  }
  return result;
};

type CommitHook = (pool: Pool) => void;
/** The transactions `withTransaction` has open, by their client: what runs after their commit. */
const open = new WeakMap<object, CommitHook[]>();

/**
 * Runs `fn` once what `db` just wrote is committed: after the COMMIT of the `withTransaction` that
 * `db` belongs to (never if it rolls back), or at once when `db` is a pool (its statements
 * commit as they run). Returns false for any other client, whose transactions it cannot see.
 */
export const afterCommit = (db: Queryable, fn: CommitHook): boolean => {
  const hooks = open.get(db);
  if (hooks) {
    hooks.push(fn);
    return true;
  }
  if (db instanceof pg.Pool) {
    fn(db);
    return true;
  }
  return false;
};

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Runs `fn` on one short-lived connection to `url`, closed afterwards whatever happens. */
export const withClient = async <T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
};

const exists = async (client: pg.Client, name: string) =>
  ((await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount ?? 0) > 0;

/** Whether the server at `serverUrl` has a database `name`. */
export const databaseExists = (serverUrl: string, name: string): Promise<boolean> =>
  withClient(serverUrl, (client) => exists(client, name));

/** Creates a database on the server at `serverUrl` (a URL of any database there) when missing. */
export const ensureDatabase = (serverUrl: string, name: string): Promise<boolean> =>
  withClient(serverUrl, async (client) => {
    if (await exists(client, name)) return false;
    await client.query(`CREATE DATABASE ${quoteIdent(name)}`).catch((err: { code?: string }) => {
      // Two processes racing to create it: the other one won, which is what we wanted.
      if (err.code !== '42P04' && err.code !== '23505') throw err;
    });
    return true;
  });

/**
 * Drops a database once its last sessions are gone (a pool's `end()` resolves a moment before
 * its connections close); forces it only when they linger, since forcing them fails their clients.
 */
export const dropDatabase = (serverUrl: string, name: string): Promise<void> =>
  withClient(serverUrl, async (client) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}${attempt >= 50 ? ' WITH (FORCE)' : ''}`);
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== '55006' || attempt >= 50) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  });
