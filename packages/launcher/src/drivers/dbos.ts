import { loadConfig } from '@saga/config';
import { DBOS_GROUPS, dbosSettings } from '@saga/orchestrator-dbos/config';
import type { CoordinatorDriver } from '../driver.ts';
import { openSagas } from './open-sagas.ts';

/** The order saga as a DBOS Transact workflow: durable execution inside the PostgreSQL we already run (ADR 0019). */
export const dbosDriver = {
  name: 'dbos',
  what: 'a DBOS Transact workflow in the coordinator process, its state in PostgreSQL (no server of its own)',
  entry: 'orchestrators/dbos/src/main.ts',
  settings: dbosSettings,
  port: { setting: 'DBOS_COORDINATOR_PORT', default: 3012 },
  groups: Object.values(DBOS_GROUPS),
  store: { database: 'ORCHESTRATOR_DBOS_DATABASE', sagas: 'dbos_sagas' },
  dir: 'orchestrators/dbos',
  modes: [
    { name: 'dbos-kafka', transport: 'kafka' },
    { name: 'dbos-http', transport: 'http' },
  ],
  modeEnv: (mode) => ({ TRANSPORT: mode.transport }),
  servers: () => [],
  operations: () => ({
    servers: ['PostgreSQL', 'Kafka'],
    inspection:
      "operator API (ADR 0017): GET /sagas, /sagas/:id (the workflow's recorded steps); POST /sagas/:id/{retry,compensate,resolve} (admin token); DBOS: list, fork, resume, cancel workflows",
  }),
  inFlight: async (env, limit) => {
    const cfg = loadConfig(dbosSettings, env);
    return openSagas(cfg.POSTGRES_URL, cfg.ORCHESTRATOR_DBOS_DATABASE, 'dbos_sagas', limit);
  },
} as const satisfies CoordinatorDriver;
