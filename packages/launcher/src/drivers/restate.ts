import { loadConfig } from '@saga/config';
import { RESTATE_GROUPS, restateSettings } from '@saga/orchestrator-restate/config';
import type { CoordinatorDriver } from '../driver.ts';
import { openSagas } from './open-sagas.ts';

/** The order saga as a Restate workflow: the coordinator process is its endpoint, the Restate server drives it (ADR 0020). */
export const restateDriver = {
  name: 'restate',
  what: 'a Restate workflow served from the coordinator process, its journal, timers and promises in the Restate server',
  entry: 'orchestrators/restate/src/main.ts',
  settings: restateSettings,
  port: { setting: 'RESTATE_COORDINATOR_PORT', default: 3013 },
  instancePorts: ['RESTATE_ENDPOINT_PORT'],
  scalesOut: false,
  groups: Object.values(RESTATE_GROUPS),
  store: { database: 'ORCHESTRATOR_RESTATE_DATABASE', sagas: 'restate_sagas' },
  dir: 'orchestrators/restate',
  modes: [
    { name: 'restate-kafka', transport: 'kafka' },
    { name: 'restate-http', transport: 'http' },
  ],
  modeEnv: (mode) => ({ TRANSPORT: mode.transport }),
  servers: () => ['restate'],
  operations: () => ({
    servers: ['PostgreSQL', 'Kafka', 'Restate server'],
    inspection:
      "operator API (ADR 0017): GET /sagas, /sagas/:id (the workflow's own state); POST /sagas/:id/{retry,compensate,resolve} (admin token); Restate UI / CLI: invocations, journal, state, cancel, kill",
  }),
  links: (env) => {
    const base = `${(env.RESTATE_ADMIN_URL ?? 'http://127.0.0.1:9070').replace(/\/$/, '')}/ui`;
    return { base, saga: `${base}/invocations` };
  },
  ui: (env) => `${(env.RESTATE_ADMIN_URL ?? 'http://127.0.0.1:9070').replace(/\/$/, '')}/ui (Invocations: orderSaga)`,
  inFlight: async (env, limit) => {
    const cfg = loadConfig(restateSettings, env);
    return openSagas(cfg.POSTGRES_URL, cfg.ORCHESTRATOR_RESTATE_DATABASE, 'restate_sagas', limit);
  },
} as const satisfies CoordinatorDriver;
