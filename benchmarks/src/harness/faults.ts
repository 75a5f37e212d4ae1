import { setTimeout as sleep } from 'node:timers/promises';
import type { Mode } from './modes.ts';
import { driverOf, hasProcess } from '@saga/launcher';
import type { ServerName } from '@saga/stack';
import type { BenchWorkbench } from './workbench.ts';

/** The recovery suite's faults (recovery.ts runs them): what each breaks, and how it brings it back. */

/** What an injection did: which pid, when the part went down and when it served again (performance.now()). */
export interface Injected {
  target: string;
  pid: number;
  downAt: number;
  backAt: number;
}

export interface Fault {
  name: string;
  what: string;
  /** Coordinator instances the mode runs with for this fault. */
  instances: number;
  applies: (m: Mode) => boolean;
  inject: (wb: BenchWorkbench) => Promise<Injected>;
}

/** Brings a part down, waits `downMs`, brings it back (restart resolves once it serves again). */
const downFor = async (
  target: string,
  down: () => Promise<number>,
  downMs: number,
  back: () => Promise<void>,
): Promise<Injected> => {
  const downAt = performance.now();
  const pid = await down();
  await sleep(Math.max(0, downMs - (performance.now() - downAt)));
  await back();
  return { target, pid, downAt, backAt: performance.now() };
};

/** kill -9 of the engine server a mode runs on (its driver's `servers`, one of `names`), restarted after 5 s. */
function serverKill(name: string, what: string, names: readonly ServerName[]): Fault {
  return {
    name,
    what,
    instances: 1,
    applies: (m) =>
      driverOf(m.coordinator)
        .servers(m)
        .some((s) => names.includes(s)),
    inject: (wb) => {
      const server = wb.engineServerOf()!;
      return downFor(
        server,
        () => wb.killServer(server),
        5_000,
        () => wb.startServer(server),
      );
    },
  };
}

/** The faults, one at a time, in this order (server restarts last: they disturb the most). */
export const FAULTS: Fault[] = [
  {
    name: 'coordinator-kill',
    what: 'kill -9 of the coordinator (custom orchestrator / Temporal worker process; choreography: the order service, which keeps its view and deadline), restarted after 5 s',
    instances: 1,
    applies: () => true,
    inject: (wb) =>
      downFor(
        'coordinator',
        () => wb.killCoordinator(0),
        5_000,
        () => wb.restartCoordinator(0),
      ),
  },
  {
    name: 'coordinator-kill-one-of-two',
    what: 'two coordinator instances; one killed -9 and not restarted',
    instances: 2,
    // Choreography has no coordinator instances to run twice; Restate's would not share the sagas.
    applies: (m) => hasProcess(m.coordinator) && driverOf(m.coordinator).scalesOut !== false,
    inject: async (wb) => {
      const downAt = performance.now();
      const pid = await wb.killCoordinator(1);
      return { target: 'coordinator #2', pid, downAt, backAt: downAt };
    },
  },
  {
    name: 'payment-kill',
    what: 'kill -9 of the payment service, restarted after 10 s',
    instances: 1,
    applies: () => true,
    inject: (wb) =>
      downFor(
        'payment',
        () => wb.killService('payment'),
        10_000,
        () => wb.restartService('payment'),
      ),
  },
  {
    name: 'kafka-stop',
    what: 'the Kafka broker stopped (SIGTERM) for 10 s, then started again',
    instances: 1,
    applies: () => true,
    inject: (wb) =>
      downFor(
        'kafka',
        () => wb.stopServer('kafka'),
        10_000,
        () => wb.startServer('kafka'),
      ),
  },
  serverKill('temporal-kill', "kill -9 of the mode's Temporal server, restarted after 5 s", [
    'temporal',
    'temporal-pg',
  ]),
  serverKill('restate-kill', 'kill -9 of the Restate server, restarted after 5 s', ['restate']),
  {
    name: 'postgres-restart',
    what: 'PostgreSQL restarted (fast shutdown, started again at once)',
    instances: 1,
    applies: () => true,
    inject: (wb) =>
      downFor(
        'postgres',
        () => wb.stopServer('postgres'),
        0,
        () => wb.startServer('postgres'),
      ),
  },
];

export const pickFaults = (names?: string[]) => {
  if (!names?.length) return FAULTS;
  const unknown = names.filter((n) => !FAULTS.some((f) => f.name === n));
  if (unknown.length)
    throw new Error(`unknown fault ${unknown.join(', ')}; valid: ${FAULTS.map((f) => f.name).join(', ')}`);
  return FAULTS.filter((f) => names.includes(f.name));
};
