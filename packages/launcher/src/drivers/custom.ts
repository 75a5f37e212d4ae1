import { loadConfig } from '@saga/config';
import { CUSTOM_GROUPS, orchestratorSettings } from '@saga/orchestrator-custom/config';
import type { CoordinatorDriver } from '../driver.ts';
import { openSagas } from './open-sagas.ts';

/** Our persisted state-machine orchestrator (ADR 0004). */
export const customDriver = {
  name: 'custom',
  what: 'our persisted state-machine orchestrator (PostgreSQL + Kafka command/reply or HTTP)',
  entry: 'orchestrators/custom/src/main.ts',
  settings: orchestratorSettings,
  port: { setting: 'ORCHESTRATOR_PORT', default: 3010 },
  groups: Object.values(CUSTOM_GROUPS),
  store: { database: 'ORCHESTRATOR_DATABASE', sagas: 'sagas' },
  dir: 'orchestrators/custom',
  modes: [
    { name: 'custom-kafka', transport: 'kafka' },
    { name: 'custom-http', transport: 'http' },
  ],
  modeEnv: (mode) => ({ TRANSPORT: mode.transport }),
  servers: () => [],
  operations: () => ({
    servers: ['PostgreSQL', 'Kafka'],
    inspection:
      'operator API (ADR 0017): GET /sagas, /sagas/:id (+ history); POST /sagas/:id/{retry,compensate,resolve} (admin token)',
  }),
  inFlight: async (env, limit) => {
    const cfg = loadConfig(orchestratorSettings, env);
    return openSagas(cfg.POSTGRES_URL, cfg.ORCHESTRATOR_DATABASE, 'sagas', limit);
  },
} as const satisfies CoordinatorDriver;
