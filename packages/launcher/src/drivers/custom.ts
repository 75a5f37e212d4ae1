import { databaseUrl, loadConfig } from '@saga/config';
import { TERMINAL_STATUSES } from '@saga/contracts';
import { CUSTOM_GROUPS, orchestratorSettings } from '@saga/orchestrator-custom/config';
import { databaseExists, withClient } from '@saga/postgres';
import type { CoordinatorDriver } from '../driver.ts';

/** Our persisted state-machine orchestrator (ADR 0004). */
export const customDriver = {
  name: 'custom',
  what: 'our persisted state-machine orchestrator (PostgreSQL + Kafka command/reply or HTTP)',
  entry: 'orchestrators/custom/src/main.ts',
  settings: orchestratorSettings,
  port: { setting: 'ORCHESTRATOR_PORT', default: 3010 },
  groups: Object.values(CUSTOM_GROUPS),
  dir: 'orchestrators/custom',
  modes: [
    { name: 'custom-kafka', transport: 'kafka' },
    { name: 'custom-http', transport: 'http' },
  ],
  modeEnv: (mode) => ({ TRANSPORT: mode.transport }),
  servers: () => [],
  operations: () => ({
    servers: ['PostgreSQL', 'Kafka'],
    inspection: 'operator API (ADR 0017): GET /sagas, /sagas/:id (+ history); POST /sagas/:id/{retry,compensate,resolve} (admin token)',
  }),
  inFlight: async (env, limit) => {
    const cfg = loadConfig(orchestratorSettings, env);
    if (!(await databaseExists(cfg.POSTGRES_URL, cfg.ORCHESTRATOR_DATABASE))) return { count: 0, ids: [] };
    return withClient(databaseUrl(cfg.POSTGRES_URL, cfg.ORCHESTRATOR_DATABASE), async (db) => {
      // Created by the stack but never migrated: the orchestrator never ran there.
      if ((await db.query<{ t: string | null }>(`SELECT to_regclass('sagas') AS t`)).rows[0]!.t === null) return { count: 0, ids: [] };
      const open = 'status <> ALL($1::text[])';
      const n = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sagas WHERE ${open}`, [TERMINAL_STATUSES])).rows[0]!.n;
      const ids = (await db.query<{ id: string }>(`SELECT id FROM sagas WHERE ${open} ORDER BY created_at LIMIT $2`, [TERMINAL_STATUSES, limit])).rows.map((r) => r.id);
      return { count: n, ids };
    });
  },
} as const satisfies CoordinatorDriver;
