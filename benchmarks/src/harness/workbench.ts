import { rmSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { Topics, topicSpecs } from '@saga/contracts';
import { ensureTopics, moveGroupToEnd } from '@saga/kafka';
import {
  coordinatorUrl,
  DRIVERS,
  driverOf,
  hasProcess,
  spawnService,
  startServices,
  stopAll,
  temporalAddress,
  waitHealthy,
  type CoordinatorDriver,
  type Running,
  type ServiceName,
} from '@saga/launcher';
import { createPool, dropDatabase, type Pool } from '@saga/postgres';
import { databaseUrl } from '@saga/config';
import type { ServerName } from '@saga/stack';
import { stackControl } from './stack-control.ts';
import { freePort, servers, testKafka, uniqueName } from '@saga/testkit';
import { extraInstanceEnv, modeEnv, type Mode } from './modes.ts';
import { observeOrders, retryParked, sagasMoving } from './observer.ts';
import { BENCH_PREFIX, endLeftoverWorkflows, terminateRunning } from './temporal-runs.ts';

export { endLeftoverWorkflows } from './temporal-runs.ts';

/** Where a mode's consumer groups read: the order's events and the replies (coordinators), every service's events (choreography). */
const COORDINATOR_TOPICS = [Topics.orderEvents, Topics.sagaReplies];
/** The services the coordinator faults hit in a mode without a coordinator process (choreography). */
const IN_PLACE_OF_COORDINATOR: ServiceName[] = ['order', 'inventory'];
const EVENT_TOPICS = [Topics.orderEvents, Topics.inventoryEvents, Topics.paymentEvents, Topics.notificationEvents];
import { runSources, takeSnapshot } from './snapshot.ts';
import { commitTimes } from './commit-times.ts';

const ADMIN = { authorization: 'Bearer workbench-admin', 'content-type': 'application/json' };

/**
 * One benchmark run's world: fresh databases and topics, the four services as child processes
 * (started once, used by every mode), an observer of order events, and the coordinator of the
 * mode being measured (started for its slice, stopped after it).
 */
export const startBenchWorkbench = async (opts: { deadlineMs: number; log: (l: string) => void }) => {
  const run = uniqueName(BENCH_PREFIX);
  const prefix = `${run}.`;
  const serviceDbs = {
    ORDER_DATABASE: `${run}_orders`,
    INVENTORY_DATABASE: `${run}_inventory`,
    PAYMENT_DATABASE: `${run}_payments`,
    NOTIFICATION_DATABASE: `${run}_notifications`,
    SAGA_REGISTRY_DATABASE: `${run}_registry`,
  };
  /** The run's databases: the services', the registry, and each coordinator's own (its driver names the setting). */
  const dbs: Record<string, string> = {
    ...serviceDbs,
    ...Object.fromEntries(
      (DRIVERS as readonly CoordinatorDriver[]).flatMap((d) =>
        d.store ? [[d.store.database, `${run}_orch_${d.name}`]] : [],
      ),
    ),
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
    // The services drive no saga of their own unless the choreography mode runs (then: restarted with its env).
    ORCHESTRATOR: 'none',
  };
  // Error and fatal log lines, and plain stderr text about an error (a crash's stack trace).
  const printErrors = (l: string) => {
    const body = l.slice(l.indexOf('] ') + 2);
    if (body.startsWith('{') ? /"level":(50|60)/.test(body) : /error|Error|^\s+at /.test(body)) opts.log(l);
  };
  opts.log(`run ${run}: starting the four services`);
  const services = await startServices(undefined, printErrors, 'none', baseEnv);
  // One client per Temporal server a mode uses (the dev server, the server on PostgreSQL).
  const clients = new Map<string, Client>();
  const clientFor = async (mode: Mode) => {
    const address = temporalAddress(mode, servers);
    if (!clients.has(address)) {
      const client = new Client({
        connection: await Connection.connect({ address }),
        namespace: servers.TEMPORAL_NAMESPACE,
      });
      clients.set(address, client);
      await endLeftoverWorkflows(client, opts.log);
    }
    return clients.get(address)!;
  };

  // Every order's terminal event, when it was consumed, and why a rejected one was rejected.
  const {
    terminalAt,
    outcome,
    rejectReason,
    bothVerdicts,
    stop: stopObserver,
  } = await observeOrders(kafka, `${run}-observer`, prefix + Topics.orderEvents, (err) =>
    opts.log(`the order observer started afresh after: ${err.message}`),
  );

  const post = async (url: string, body: unknown) => {
    const res = await fetch(url, { method: 'POST', headers: ADMIN, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`POST ${url} → ${res.status} ${await res.text()}`);
    return res;
  };
  const urls = {
    order: services.find((s) => s.name === 'order')!.url,
    inventory: services.find((s) => s.name === 'inventory')!.url,
    payment: services.find((s) => s.name === 'payment')!.url,
  };

  /** The running mode's coordinator instances (index 0 on the default port, extras on free ports). */
  let coordinator: { mode: Mode; env: NodeJS.ProcessEnv; procs: Running[] } | undefined;
  /** Task queues of the Temporal modes that ran, with their client. */
  const taskQueues = new Map<string, Client>();
  /** The coordinators whose modes ran (the checker reads their stores). */
  const ran = new Set<string>();
  /** One connection to the notification database, for `notified`. */
  let notifications: Pool | undefined;

  /** Coordinator consumer groups skip what other modes produced while they were stopped. */
  const skipToLatest = (mode: Mode) =>
    Promise.all(
      driverOf(mode.coordinator).groups.map((g) =>
        moveGroupToEnd(
          kafka,
          prefix + g,
          (hasProcess(mode.coordinator) ? COORDINATOR_TOPICS : EVENT_TOPICS).map((t) => prefix + t),
        ),
      ),
    );
  const instanceEnv = extraInstanceEnv(freePort);
  /** Extra settings for every process started from now on (the profile suite's CHILD_NODE_ARGS). */
  let childEnv: NodeJS.ProcessEnv = {};
  /** The services' settings now: the choreography mode's while it runs (ADR 0018), the base ones otherwise. */
  let servicesEnv: NodeJS.ProcessEnv = {};
  const spawnOne = (name: ServiceName) => spawnService(name, { ...baseEnv, ...servicesEnv, ...childEnv }, printErrors);
  /** Every service stopped (SIGTERM) and started again with the current settings. */
  const restartServices = async () => {
    await stopAll(services);
    for (let i = 0; i < services.length; i++) services[i] = spawnOne(services[i]!.name as ServiceName);
    await Promise.all(services.map((s) => waitHealthy(s, 60_000)));
  };
  const spawnInstance = async (i: number) => {
    const c = coordinator!;
    const name = c.mode.coordinator;
    if (!hasProcess(name)) throw new Error(`${name} has no process of its own to start`);
    const proc = spawnService(name, { ...c.env, ...(await instanceEnv(c.mode, i)), ...childEnv }, printErrors);
    c.procs[i] = proc;
    await waitHealthy(proc, 120_000);
    return proc;
  };
  let closing: Promise<void> | undefined;
  /** Coordinator instances the harness killed on purpose (not a crash). */
  const killedOnPurpose = new Set<Running>();
  /** SIGKILL to a recorded pid; resolves once the process is gone. */
  const kill9 = async (r: Running) => {
    killedOnPurpose.add(r);
    r.child.kill('SIGKILL');
    await r.exited;
    return r.child.pid!;
  };
  const exited = (r: Running) => r.child.exitCode !== null || r.child.signalCode !== null;
  const stack = stackControl();
  /** The running coordinator's operator API: a live instance's (after a fault, instance #1 may be gone). */
  const operatorUrl = () =>
    coordinator!.procs.find((p) => !exited(p))?.url ?? coordinatorUrl(coordinator!.mode.coordinator, baseEnv);
  /** The stack server the running mode needs besides PostgreSQL and Kafka (its driver's), if any: the `temporal-kill` / `restate-kill` target. */
  const engineServerOf = (): ServerName | undefined =>
    coordinator ? driverOf(coordinator.mode.coordinator).servers(coordinator.mode)[0] : undefined;

  return {
    run,
    prefix,
    kafka,
    urls,
    /** Poison messages a suite injected on purpose, per dead-letter topic: the checker wants exactly these there. */
    poison: {} as Record<string, number>,
    /** Fault injection of one service (its `/admin/faults`). */
    setFaults: (
      service: 'inventory' | 'payment',
      settings: { latencyMs?: number; failureRate?: number; crash?: boolean },
    ) => post(`${urls[service]}/admin/faults`, settings).then(() => undefined),
    terminalAt,
    outcome,
    rejectReason,
    seed: async (stock: { sku: string; quantity: number }[], customers: { id: string; creditLimitCents: number }[]) => {
      await post(`${urls.inventory}/admin/stock`, stock);
      await post(`${urls.payment}/admin/customers`, customers);
    },
    placeOrder: async (customerId: string, lines: { sku: string; quantity: number; unitPriceCents: number }[]) => {
      const res = await fetch(`${urls.order}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ customerId, lines }),
      });
      if (res.status !== 202) throw new Error(`POST /orders → ${res.status}`);
      return ((await res.json()) as { orderId: string }).orderId;
    },
    startCoordinator: async (mode: Mode, instances = 1) => {
      await skipToLatest(mode);
      const env = { ...baseEnv, ...modeEnv(mode, run, servers) };
      coordinator = { mode, env, procs: [] };
      if (!hasProcess(mode.coordinator)) {
        // No process of its own: the services take the mode's settings and drive the saga.
        ran.add(mode.coordinator);
        servicesEnv = modeEnv(mode, run, servers);
        return restartServices();
      }
      ran.add(mode.coordinator);
      if (env.TEMPORAL_TASK_QUEUE) taskQueues.set(env.TEMPORAL_TASK_QUEUE, await clientFor(mode));
      for (let i = 0; i < instances; i++) await spawnInstance(i);
    },
    stopCoordinator: async () => {
      if (coordinator) await stopAll(coordinator.procs);
      const inServices = coordinator && !hasProcess(coordinator.mode.coordinator);
      coordinator = undefined;
      if (inServices) {
        servicesEnv = {};
        await restartServices();
      }
    },
    /**
     * kill -9 of coordinator instance `i` (its recorded pid); returns the pid. A mode without a
     * coordinator process (choreography) loses a service instead: the order service (the saga's
     * view and deadline) for 0, inventory for 1.
     */
    killCoordinator: (i = 0) =>
      hasProcess(coordinator!.mode.coordinator)
        ? kill9(coordinator!.procs[i]!)
        : kill9(services.find((s) => s.name === IN_PLACE_OF_COORDINATOR[i % 2])!),
    /** Starts coordinator instance `i` (or the service killed in its place) again with the same settings; resolves once healthy. */
    restartCoordinator: async (i = 0) => {
      if (hasProcess(coordinator!.mode.coordinator)) return void (await spawnInstance(i));
      const at = services.findIndex((s) => s.name === IN_PLACE_OF_COORDINATOR[i % 2]);
      services[at] = spawnOne(IN_PLACE_OF_COORDINATOR[i % 2]!);
      await waitHealthy(services[at], 60_000);
    },
    killService: (name: ServiceName) => kill9(services.find((s) => s.name === name)!),
    restartService: async (name: ServiceName) => {
      const i = services.findIndex((s) => s.name === name);
      const proc = spawnOne(name);
      services[i] = proc;
      await waitHealthy(proc, 60_000);
    },
    /** Extra settings for every service and coordinator started from now on. */
    setChildEnv: (env: NodeJS.ProcessEnv) => void (childEnv = env),
    /** Stops every service cleanly (SIGTERM, so a CPU profile is written) and starts it again. */
    restartServicesCleanly: restartServices,
    /** The pid of every process of ours now running, by name (coordinator instances as `coordinator #n`). */
    ourPids: (): Map<number, string> =>
      new Map([
        ...services.flatMap((s) => (s.child.pid ? [[s.child.pid, s.name] as const] : [])),
        ...(coordinator?.procs ?? []).flatMap((p, i) =>
          p.child.pid ? [[p.child.pid, `coordinator #${i + 1}`] as const] : [],
        ),
      ]),
    /** Services that exited although the harness did not kill them (a crash). */
    crashedServices: () =>
      services.filter((s) => exited(s) && !killedOnPurpose.has(s)).map((s) => s.name as ServiceName),
    /** Coordinator instances that exited although the harness did not kill them (a crash). */
    crashedCoordinators: () =>
      (coordinator?.procs ?? []).flatMap((p, i) => (exited(p) && !killedOnPurpose.has(p) ? [i] : [])),
    killServer: stack.killServer,
    stopServer: stack.stopServer,
    startServer: stack.startServer,
    /** The operator: every parked saga of the running mode retried through the operator API (observer.ts). */
    retryParked: async () => (coordinator ? retryParked(operatorUrl(), 'recovery suite: the failed part is back') : []),
    engineServerOf,
    /** Root pids per part of the running mode, for the CPU / memory meter. */
    processGroups: (): Record<string, number[]> => {
      const pidOf = stack.pidOf;
      const c = coordinator;
      const server = engineServerOf();
      const engine = server && pidOf(server);
      return {
        coordinator: c ? c.procs.flatMap((p) => (p.child.pid ? [p.child.pid] : [])) : [],
        services: services.flatMap((s) => (s.child.pid ? [s.child.pid] : [])),
        postgres: [pidOf('postgres') ?? 0],
        kafka: [pidOf('kafka') ?? 0],
        ...(engine ? { 'temporal-server': [engine] } : {}),
      };
    },
    /** The running mode's operator API (undefined when none runs). */
    operatorUrl: () => (coordinator ? operatorUrl() : undefined),
    /** Sagas of the running coordinator still moving on their own (the order is terminal before its saga: commit, notify). */
    busy: async () => (coordinator ? sagasMoving(operatorUrl()) : 0),
    snapshot: () =>
      takeSnapshot(
        runSources({ run, serviceDbs, dbs, ran, kafka, specs, taskQueues, bothVerdicts, deadlineMs: opts.deadlineMs }),
      ),
    /** When the order and notification services committed each saga's milestones (`commit-times.ts`). */
    commitTimes: (ids: string[]) =>
      commitTimes(
        servers.POSTGRES_URL,
        { order: serviceDbs.ORDER_DATABASE, notification: serviceDbs.NOTIFICATION_DATABASE },
        ids,
      ),
    /** How many of `ids` have their notification recorded (the saga's last step), on one kept connection. */
    notified: async (ids: string[]) =>
      (
        await (notifications ??= createPool(databaseUrl(servers.POSTGRES_URL, serviceDbs.NOTIFICATION_DATABASE), {
          max: 1,
        })).query<{ n: number }>(
          'SELECT count(DISTINCT order_id)::int AS n FROM notifications WHERE order_id = ANY($1)',
          [ids],
        )
      ).rows[0]!.n,
    /** Stops everything the run started and drops its databases; a second call waits for the first. */
    close: () =>
      (closing ??= (async () => {
        await notifications?.end();
        if (coordinator) await stopAll(coordinator.procs);
        // Workflows left running (an overloaded step that never drained) would retry on the shared
        // dev server forever with no worker: end them.
        for (const [q, client] of taskQueues) {
          await terminateRunning(client, `TaskQueue = '${q}'`, 'benchmark run over').catch((err: unknown) =>
            opts.log(`could not end the workflows left on ${q}: ${String(err)}`),
          );
        }
        await stopObserver();
        // The run's topics go too: every partition left behind slows each later broker start.
        await admin
          .deleteTopics({ topics: specs.map((t) => t.topic) })
          .catch((err: unknown) => opts.log(`could not delete the run's topics: ${String(err)}`));
        await admin.disconnect();
        for (const c of clients.values()) await c.connection.close();
        await stopAll(services);
        for (const db of Object.values(dbs)) await dropDatabase(servers.POSTGRES_URL, db);
        rmSync(baseEnv.NOTIFICATION_SINK_FILE!, { force: true });
      })()),
  };
};
export type BenchWorkbench = Awaited<ReturnType<typeof startBenchWorkbench>>;
