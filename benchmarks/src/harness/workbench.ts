import { Client, Connection } from '@temporalio/client';
import { CoordinatorGroups, OrderEvent, Topics, topicSpecs } from '@saga/contracts';
import { ensureTopics } from '@saga/kafka';
import { coordinatorUrl, spawnService, startServices, stopAll, waitHealthy, type Running } from '@saga/launcher';
import { dropDatabase } from '@saga/postgres';
import { servers, testKafka, uniqueName } from '@saga/testkit';
import { modeEnv, temporalAddress, type Mode } from './modes.ts';
import { takeSnapshot } from './snapshot.ts';

const ADMIN = { authorization: 'Bearer workbench-admin', 'content-type': 'application/json' };
const TERMINAL = new Set(['OrderApproved', 'OrderRejected']);

/**
 * One benchmark run's world: fresh databases and topics, the four services as child processes
 * (started once, used by every mode), an observer of order events, and the coordinator of the
 * mode being measured (started for its slice, stopped after it).
 */
export const startBenchWorkbench = async (opts: { deadlineMs: number; log: (l: string) => void }) => {
  const run = uniqueName('bench');
  const prefix = `${run}.`;
  const dbs = {
    ORDER_DATABASE: `${run}_orders`,
    INVENTORY_DATABASE: `${run}_inventory`,
    PAYMENT_DATABASE: `${run}_payments`,
    NOTIFICATION_DATABASE: `${run}_notifications`,
    ORCHESTRATOR_DATABASE: `${run}_orch`,
    ORCHESTRATOR_TEMPORAL_DATABASE: `${run}_orch_temporal`,
  };
  const kafka = testKafka('bench');
  const admin = kafka.admin();
  await admin.connect();
  const specs = topicSpecs(prefix);
  await ensureTopics(admin, specs);
  const baseEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...dbs,
    KAFKA_TOPIC_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    ADMIN_TOKEN: 'workbench-admin',
    SAGA_DEADLINE_MS: String(opts.deadlineMs),
    NOTIFICATION_SINK_FILE: `/var/tmp/saga-workbench/${run}-notifications.jsonl`,
  };
  const printErrors = (l: string) => (l.includes('"level":50') || l.includes('"level":60') ? opts.log(l) : undefined);
  opts.log(`run ${run}: starting the four services`);
  const services = await startServices(undefined, printErrors, 'none', baseEnv);
  // One client per Temporal server a mode uses (the dev server, the server on PostgreSQL).
  const clients = new Map<string, Client>();
  const clientFor = async (mode: Mode) => {
    const address = temporalAddress(mode, servers);
    if (!clients.has(address)) clients.set(address, new Client({ connection: await Connection.connect({ address }), namespace: servers.TEMPORAL_NAMESPACE }));
    return clients.get(address)!;
  };

  // Every order's terminal event, when it was consumed.
  const terminalAt = new Map<string, number>();
  const outcome = new Map<string, string>();
  const observer = kafka.consumer({ groupId: `${run}-observer`, maxWaitTimeInMs: 20 });
  await observer.connect();
  await observer.subscribe({ topic: prefix + Topics.orderEvents, fromBeginning: true });
  const joined = new Promise<void>((r) => observer.on(observer.events.GROUP_JOIN, () => r()));
  await observer.run({
    partitionsConsumedConcurrently: 8,
    eachMessage: async ({ message }) => {
      const e = OrderEvent.parse(JSON.parse(message.value!.toString()));
      if (TERMINAL.has(e.type)) {
        terminalAt.set(e.payload.orderId, performance.now());
        outcome.set(e.payload.orderId, e.type);
      }
    },
  });
  await joined;

  const post = async (url: string, body: unknown) => {
    const res = await fetch(url, { method: 'POST', headers: ADMIN, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`POST ${url} → ${res.status} ${await res.text()}`);
    return res;
  };
  const urls = { order: services.find((s) => s.name === 'order')!.url, inventory: services.find((s) => s.name === 'inventory')!.url, payment: services.find((s) => s.name === 'payment')!.url };

  let coordinator: { mode: Mode; proc: Running } | undefined;
  /** Task queues of the Temporal modes that ran, with their client. */
  const taskQueues = new Map<string, Client>();
  let ranCustom = false;

  /** Coordinator consumer groups skip what other modes produced while they were stopped. */
  const skipToLatest = async (mode: Mode) => {
    for (const g of Object.values(CoordinatorGroups[mode.coordinator])) {
      for (const topic of [Topics.orderEvents, Topics.sagaReplies]) {
        const offsets = await admin.fetchTopicOffsets(prefix + topic);
        await admin.setOffsets({ groupId: prefix + g, topic: prefix + topic, partitions: offsets.map((o) => ({ partition: o.partition, offset: o.high })) });
      }
    }
  };

  return {
    run,
    prefix,
    urls,
    terminalAt,
    outcome,
    seed: async (stock: { sku: string; quantity: number }[], customers: { id: string; creditLimitCents: number }[]) => {
      await post(`${urls.inventory}/admin/stock`, stock);
      await post(`${urls.payment}/admin/customers`, customers);
    },
    placeOrder: async (customerId: string, lines: { sku: string; quantity: number; unitPriceCents: number }[]) => {
      const res = await fetch(`${urls.order}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customerId, lines }) });
      if (res.status !== 202) throw new Error(`POST /orders → ${res.status}`);
      return ((await res.json()) as { orderId: string }).orderId;
    },
    startCoordinator: async (mode: Mode) => {
      await skipToLatest(mode);
      const env = { ...baseEnv, ...modeEnv(mode, run, servers) };
      if (env.TEMPORAL_TASK_QUEUE) taskQueues.set(env.TEMPORAL_TASK_QUEUE, await clientFor(mode));
      else ranCustom = true;
      const proc = spawnService(mode.coordinator, env, printErrors);
      coordinator = { mode, proc };
      await waitHealthy(proc, 120_000);
    },
    stopCoordinator: async () => {
      if (coordinator) await stopAll([coordinator.proc]);
      coordinator = undefined;
    },
    /** Sagas of the running coordinator not yet finished (the order is terminal before its saga: commit, notify). */
    busy: async () => {
      if (!coordinator) return 0;
      const { mode } = coordinator;
      if (mode.coordinator === 'temporal') return (await (await clientFor(mode)).workflow.count(`TaskQueue = '${run}-${mode.name}' AND ExecutionStatus = 'Running'`)).count;
      const base = coordinatorUrl('custom', baseEnv);
      const counts = await Promise.all(['RUNNING', 'COMPENSATING'].map((st) => fetch(`${base}/sagas?status=${st}&pageSize=1`).then((r) => r.json() as Promise<{ total: number }>)));
      return counts.reduce((n, c) => n + c.total, 0);
    },
    snapshot: () =>
      takeSnapshot({
        postgresUrl: servers.POSTGRES_URL,
        databases: { order: dbs.ORDER_DATABASE, inventory: dbs.INVENTORY_DATABASE, payment: dbs.PAYMENT_DATABASE, notification: dbs.NOTIFICATION_DATABASE, ...(ranCustom ? { custom: dbs.ORCHESTRATOR_DATABASE } : {}) },
        kafka,
        deadLetterTopics: specs.map((s) => s.topic).filter((t) => t.endsWith('.dlq')),
        temporal: { taskQueues: [...taskQueues].map(([queue, client]) => ({ queue, client })), deadlineMs: opts.deadlineMs },
      }),
    close: async () => {
      if (coordinator) await stopAll([coordinator.proc]);
      // Workflows left running (an overloaded step that never drained) would retry on the shared
      // dev server forever with no worker: end them.
      for (const [q, client] of taskQueues) {
        for await (const w of client.workflow.list({ query: `TaskQueue = '${q}' AND ExecutionStatus = 'Running'` })) {
          await client.workflow.getHandle(w.workflowId, w.runId).terminate('benchmark run over').catch(() => undefined);
        }
      }
      await observer.disconnect();
      await admin.disconnect();
      for (const c of clients.values()) await c.connection.close();
      await stopAll(services);
      for (const db of Object.values(dbs)) await dropDatabase(servers.POSTGRES_URL, db);
    },
  };
};
export type BenchWorkbench = Awaited<ReturnType<typeof startBenchWorkbench>>;
