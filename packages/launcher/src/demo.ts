/**
 * The main job until the comparison harness exists: the four services and the coordinator named
 * by ORCHESTRATOR (custom | temporal | choreography | dbos; TRANSPORT picks Kafka or HTTP for the coordinators), three orders through the saga — one approved,
 * one out of stock, one declined by payment — and what each saga did, step by step.
 *   npm run demo            (ORCHESTRATOR=custom TRANSPORT=kafka by default)
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, loadConfig, setting } from '@saga/config';
import type { SagaTimeline } from '@saga/contracts';
import { driverOf } from './coordinators.ts';
import { COORDINATORS, coordinatorUrl, hasProcess, serviceUrl, startServices, stopAll } from './processes.ts';

let cfg: { ORCHESTRATOR: (typeof COORDINATORS)[number]; TRANSPORT: 'kafka' | 'http'; ADMIN_TOKEN: string };
try {
  cfg = loadConfig({
    ORCHESTRATOR: setting.oneOf(COORDINATORS, 'custom'),
    TRANSPORT: setting.oneOf(['kafka', 'http'] as const, 'kafka'),
    ADMIN_TOKEN: setting.string('workbench-admin'),
  });
} catch (err) {
  console.error(`demo: ${(err as ConfigError).message}`);
  process.exit(2);
}
if (cfg.ORCHESTRATOR === 'none') {
  console.error(
    `demo: ORCHESTRATOR=none has no saga to show; use one of ${COORDINATORS.filter((c) => c !== 'none').join(', ')}`,
  );
  process.exit(2);
}
const coordinator = cfg.ORCHESTRATOR;

const admin = { authorization: `Bearer ${cfg.ADMIN_TOKEN}`, 'content-type': 'application/json' };
const json = async (url: string, init?: RequestInit) => {
  const res = await fetch(url, init);
  if (res.status >= 400) throw new Error(`${init?.method ?? 'GET'} ${url} → ${res.status} ${await res.text()}`);
  return res.status === 204 ? {} : ((await res.json()) as Record<string, unknown>);
};
const orchestrator = coordinatorUrl(coordinator);

console.log(
  hasProcess(coordinator)
    ? `\nSaga demo: ORCHESTRATOR=${cfg.ORCHESTRATOR} TRANSPORT=${cfg.TRANSPORT}; starting the four services and the coordinator…`
    : `\nSaga demo: ORCHESTRATOR=${cfg.ORCHESTRATOR}; starting the four services (they drive the saga themselves, no coordinator process)…`,
);
const procs = await startServices(undefined, () => undefined, cfg.ORCHESTRATOR);
try {
  const run = randomUUID().slice(0, 6);
  await json(`${serviceUrl('inventory')}/admin/stock`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify([{ sku: `demo-${run}`, quantity: 5 }]),
  });
  await json(`${serviceUrl('payment')}/admin/customers`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify([
      { id: `ann-${run}`, creditLimitCents: 100_000 },
      { id: `ben-${run}`, creditLimitCents: 500 },
    ]),
  });
  const cases = [
    { label: 'approved', customerId: `ann-${run}`, quantity: 2 },
    { label: 'out of stock', customerId: `ann-${run}`, quantity: 50 },
    { label: 'payment declined', customerId: `ben-${run}`, quantity: 1 },
  ];
  for (const c of cases) {
    const t0 = performance.now();
    const { orderId } = (await json(`${serviceUrl('order')}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        customerId: c.customerId,
        lines: [{ sku: `demo-${run}`, quantity: c.quantity, unitPriceCents: 1_000 }],
      }),
    })) as { orderId: string };
    let saga: Pick<SagaTimeline, 'status' | 'steps'> = { status: 'RUNNING', steps: [] };
    while (!['COMPLETED', 'REJECTED', 'NEEDS_ATTENTION', 'RESOLVED'].includes(saga.status)) {
      await sleep(20);
      saga = (await fetch(`${orchestrator}/sagas/${orderId}`).then((r) =>
        r.status === 200 ? r.json() : saga,
      )) as typeof saga;
    }
    const order = (await json(`${serviceUrl('order')}/orders/${orderId}`)) as { status: string };
    console.log(
      `\n${c.label}: order ${orderId} → ${order.status}, saga ${saga.status} in ${(performance.now() - t0).toFixed(0)} ms`,
    );
    // The same timeline from every coordinator (contracts SagaTimeline): each step, its attempts, how long it took.
    for (const s of saga.steps) {
      const took = s.startedAt && s.finishedAt ? ` in ${Date.parse(s.finishedAt) - Date.parse(s.startedAt)} ms` : '';
      const tries = s.attempts && s.attempts > 1 ? ` after ${s.attempts} attempts` : '';
      console.log(
        `    ${s.kind === 'undo' ? 'undo ' : ''}${s.step}: ${s.state}${took}${tries}${s.detail ? ` (${s.detail})` : ''}`,
      );
    }
  }
  // Every coordinator serves the same operator API (ADR 0017); some have a web UI of their own too.
  console.log(
    `\nInspect sagas: ${orchestrator}/sagas   (operator actions: POST /sagas/:id/retry | compensate | resolve)`,
  );
  const ui = driverOf(coordinator).ui?.(process.env);
  if (ui) console.log(`and in its web UI: ${ui}`);
} finally {
  await stopAll(procs);
}
process.exit(0);
