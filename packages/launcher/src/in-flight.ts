import { Client, Connection } from '@temporalio/client';
import { databaseUrl, loadConfig, temporalConnection } from '@saga/config';
import { orchestratorSettings } from '@saga/orchestrator-custom/config';
import { temporalSettings } from '@saga/orchestrator-temporal/config';
import { databaseExists, withClient } from '@saga/postgres';

/** The coordinators that own sagas (ADR 0011); `none` owns nothing. */
export const OWNERS = ['custom', 'temporal'] as const;
export type Owner = (typeof OWNERS)[number];

/** Sagas one coordinator owns that are not finished (running, compensating, or parked for an operator). */
export interface InFlight {
  owner: Owner;
  /** undefined when the coordinator's store could not be read (`error` says why). */
  count?: number;
  /** Up to `limit` of them, oldest first. */
  ids: string[];
  error?: string;
}

type Env = Record<string, string | undefined>;

const custom = async (env: Env, limit: number): Promise<InFlight> => {
  const cfg = loadConfig(orchestratorSettings, env);
  if (!(await databaseExists(cfg.POSTGRES_URL, cfg.ORCHESTRATOR_DATABASE))) return { owner: 'custom', count: 0, ids: [] };
  return withClient(databaseUrl(cfg.POSTGRES_URL, cfg.ORCHESTRATOR_DATABASE), async (db) => {
    // Created by the stack but never migrated: the orchestrator never ran there.
    if ((await db.query<{ t: string | null }>(`SELECT to_regclass('sagas') AS t`)).rows[0]!.t === null) return { owner: 'custom' as const, count: 0, ids: [] };
    const open = `status NOT IN ('COMPLETED', 'REJECTED', 'RESOLVED')`;
    const n = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sagas WHERE ${open}`)).rows[0]!.n;
    const ids = (await db.query<{ id: string }>(`SELECT id FROM sagas WHERE ${open} ORDER BY created_at LIMIT $1`, [limit])).rows.map((r) => r.id);
    return { owner: 'custom', count: n, ids };
  });
};

const temporal = async (env: Env, limit: number): Promise<InFlight> => {
  const cfg = loadConfig(temporalSettings, env);
  const connection = await Connection.connect({ ...temporalConnection(cfg), connectTimeout: 3_000 });
  try {
    const client = new Client({ connection, namespace: cfg.TEMPORAL_NAMESPACE });
    const query = `TaskQueue = '${cfg.TEMPORAL_TASK_QUEUE}' AND ExecutionStatus = 'Running'`;
    const { count } = await client.workflow.count(query);
    const ids: string[] = [];
    for await (const w of client.workflow.list({ query, pageSize: limit })) {
      if (ids.length >= limit) break;
      ids.push(w.workflowId);
    }
    return { owner: 'temporal', count, ids };
  } finally {
    await connection.close();
  }
};

/** What each coordinator still has in flight, read from its own store (never from the other's). */
export const inFlight = async (owners: readonly Owner[] = OWNERS, env: Env = process.env, limit = 10): Promise<InFlight[]> =>
  Promise.all(
    owners.map((o) =>
      (o === 'custom' ? custom(env, limit) : temporal(env, limit)).catch((err: unknown) => ({ owner: o, ids: [], error: err instanceof Error ? err.message : String(err) })),
    ),
  );

/**
 * What the launcher tells the user when it starts `active`: sagas another coordinator owns finish
 * only there (ADR 0011). Empty when nothing waits.
 */
export const inFlightNotice = (active: Owner | 'none', found: InFlight[]): string[] =>
  found
    .filter((f) => f.owner !== active && (f.count === undefined || f.count > 0))
    .map((f) =>
      f.count === undefined
        ? `could not tell whether ${f.owner} has sagas in flight (${f.error}); any it has finish when ${f.owner} runs`
        : `${f.count} saga${f.count === 1 ? '' : 's'} owned by ${f.owner} ${f.count === 1 ? 'is' : 'are'} still in flight; ${f.count === 1 ? 'it finishes' : 'they finish'} when ${f.owner} runs ` +
          `(ORCHESTRATOR=${f.owner} npm run services, or alongside: npm run sagas -- drain ${f.owner})`,
    );
