import { CHOREOGRAPHY } from '@saga/contracts';
import { loadServiceOptions, serviceSettings } from '@saga/service';
import type { CoordinatorDriver } from '../driver.ts';
import { openSagas } from './open-sagas.ts';

const ORDER = { port: 3001, database: 'orders' };
const orderSettings = serviceSettings('order', ORDER);
const SERVICES = ['order', 'inventory', 'payment', 'notification'];

/**
 * No coordinator: the services react to each other's domain events (ADR 0018). It has no process
 * of its own — the four services run their reactions under ORCHESTRATOR=choreography — and the
 * order service keeps the sagas' view, owns the deadline and serves the operator API.
 */
export const choreographyDriver = {
  name: CHOREOGRAPHY,
  what: "no coordinator: the services react to each other's domain events; the order service keeps the view and the deadline",
  settings: orderSettings,
  port: { setting: 'ORDER_PORT', default: ORDER.port },
  groups: [...SERVICES.map((s) => `${s}-choreography`), 'order-saga-view'],
  dir: 'services',
  code: {
    src: [
      'packages/contracts/src/choreography.ts',
      'packages/service/src/reactions.ts',
      'services/inventory/src/choreography.ts',
      'services/payment/src/choreography.ts',
      'services/notification/src/choreography.ts',
      'services/order/src/choreography/reactions.ts',
      'services/order/src/choreography/view.ts',
      'services/order/src/choreography/keeper.ts',
    ],
    sql: ['services/order/migrations/1765000000000_saga-view.sql'],
  },
  modes: [{ name: 'choreography-kafka', transport: 'kafka' }],
  modeEnv: () => ({ ORCHESTRATOR: CHOREOGRAPHY }),
  servers: () => [],
  operations: () => ({
    servers: ['PostgreSQL', 'Kafka'],
    inspection:
      'operator API on the order service (ADR 0017/0018): GET /sagas, /sagas/:id (facts + history); POST /sagas/:id/{retry,compensate,resolve} (admin token); retry publishes again the event a stuck step reacts to',
  }),
  inFlight: async (env, limit) => {
    const { postgresUrl, database } = loadServiceOptions('order', ORDER, env);
    return openSagas(postgresUrl, database, 'saga_view', limit);
  },
} as const satisfies CoordinatorDriver;
