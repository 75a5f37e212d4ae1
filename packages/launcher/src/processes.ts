import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

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

const mainOf = (name: ServiceName) => fileURLToPath(new URL(`../../../services/${name}/src/main.ts`, import.meta.url));

export interface Running {
  name: ServiceName;
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

/** Starts one service as a child process, its log lines prefixed with its name. */
export const spawnService = (name: ServiceName, env: NodeJS.ProcessEnv = process.env, print = (l: string) => console.log(l)): Running => {
  const child = spawn(process.execPath, ['--import', 'tsx', mainOf(name)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => print(`[${name}] ${line}`));
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name, url: serviceUrl(name, env), child, exited };
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

/** Starts the named services (all four by default) and waits until each is healthy. */
export const startServices = async (names: readonly ServiceName[] = SERVICES.map((s) => s.name), print?: (l: string) => void) => {
  const running = names.map((n) => spawnService(n, process.env, print));
  try {
    await Promise.all(running.map((r) => waitHealthy(r)));
  } catch (err) {
    await stopAll(running);
    throw err;
  }
  return running;
};
