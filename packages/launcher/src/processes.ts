import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { atBaselinePriority } from '@saga/stack';
import { setTimeout as sleep } from 'node:timers/promises';
import { compiledOf, isBuilt, prepareProcesses, runtimeOf, sourceOf, type Runnable } from './build.ts';
import { COORDINATOR_NAMES, driverOf, isCoordinator, type CoordinatorName } from './coordinators.ts';

/** The four domain services: where each lives and the port it listens on by default. */
export const SERVICES = [
  { name: 'order', port: 3001 },
  { name: 'inventory', port: 3002 },
  { name: 'payment', port: 3003 },
  { name: 'notification', port: 3004 },
] as const;
export type ServiceName = (typeof SERVICES)[number]['name'];

export const serviceUrl = (name: ServiceName, env: Record<string, string | undefined> = process.env) => {
  const svc = SERVICES.find((s) => s.name === name)!;
  return `http://${env.SERVICE_HOST ?? '127.0.0.1'}:${env[`${name.toUpperCase()}_PORT`] ?? svc.port}`;
};

/** The coordinators `ORCHESTRATOR` can name (the registry's); `none` runs the services alone. */
export const COORDINATORS: readonly [Coordinator, ...Coordinator[]] = [...COORDINATOR_NAMES, 'none'];
export type Coordinator = CoordinatorName | 'none';

/** The compiled bundle (`ensureBuilt` first) or, with SAGA_RUNTIME=tsx, the sources. */
const nodeArgs = (name: Runnable, env: NodeJS.ProcessEnv): string[] => {
  if (runtimeOf(env) === 'tsx') return ['--import', 'tsx', sourceOf(name)];
  if (!isBuilt())
    throw new Error(
      `${name}: the compiled processes are not known to be current; await prepareProcesses() before spawnService()`,
    );
  return ['--enable-source-maps', compiledOf(name)];
};

/** Whether a coordinator runs a process of its own (choreography's part runs in the services). */
export const hasProcess = (c: CoordinatorName): c is Extract<Runnable, CoordinatorName> =>
  driverOf(c).entry !== undefined;

/** Where a coordinator serves `/health` and the operator API: its driver's port setting, or its default. */
export const coordinatorUrl = (c: CoordinatorName, env: Record<string, string | undefined> = process.env) => {
  const { port } = driverOf(c);
  return `http://127.0.0.1:${env[port.setting] ?? port.default}`;
};

export interface Running {
  name: Runnable;
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

/** Starts one service as a child process, its log lines prefixed with its name. */
export const spawnService = (
  name: Runnable,
  env: NodeJS.ProcessEnv = process.env,
  print = (l: string) => console.log(l),
): Running => {
  // CHILD_NODE_ARGS: extra node flags for every child, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile.
  const extra = env.CHILD_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(...atBaselinePriority(process.execPath, [...extra, ...nodeArgs(name, env)]), {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => print(`[${name}] ${line}`));
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = isCoordinator(name) ? coordinatorUrl(name, env) : serviceUrl(name, env);
  return { name, url, child, exited };
};

/** Resolves when `/health` answers 200; rejects if the process exits first or after `timeoutMs`. */
export const waitHealthy = async (svc: Running, timeoutMs = 60_000) => {
  let exited = false;
  void svc.exited.then(() => (exited = true));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${svc.url}/health`).catch(() => undefined);
    if (res?.status === 200) return;
    if (exited) throw new Error(`${svc.name} exited during start-up (see its log lines above)`);
    if (Date.now() > deadline) throw new Error(`${svc.name} not healthy at ${svc.url}/health after ${timeoutMs} ms`);
    await sleep(200);
  }
};

/** SIGTERM to each, then wait; SIGKILL whatever is still running after `graceMs`. */
export const stopAll = async (running: Running[], graceMs = 10_000) => {
  for (const r of running) if (r.child.exitCode === null) r.child.kill('SIGTERM');
  const timer = setTimeout(() => running.forEach((r) => r.child.exitCode === null && r.child.kill('SIGKILL')), graceMs);
  await Promise.all(running.map((r) => r.exited));
  clearTimeout(timer);
};

/**
 * Starts the named services (all four by default), then the coordinator's process if it has one,
 * and waits until each is healthy.
 */
export const startServices = async (
  names: readonly ServiceName[] = SERVICES.map((s) => s.name),
  print?: (l: string) => void,
  coordinator: Coordinator = 'none',
  env: NodeJS.ProcessEnv = process.env,
) => {
  await prepareProcesses(env);
  // The services learn the mode too: under choreography they drive the saga themselves (ADR 0018).
  const modeEnv = coordinator === 'none' ? env : { ...env, ORCHESTRATOR: coordinator };
  const running = names.map((n) => spawnService(n, modeEnv, print));
  try {
    await Promise.all(running.map((r) => waitHealthy(r)));
    if (coordinator !== 'none' && hasProcess(coordinator)) {
      const c = spawnService(coordinator, modeEnv, print);
      running.push(c);
      await waitHealthy(c);
    }
  } catch (err) {
    await stopAll(running);
    throw err;
  }
  return running;
};
