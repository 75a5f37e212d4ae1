import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { kafkaServer } from './kafka.ts';
import { postgresServer } from './postgres.ts';
import { portInUse, StackError, tailFile } from './proc.ts';
import type { Say, Server } from './server.ts';
import { loadStackSettings, type ServerName, type StackSettings } from './settings.ts';
import { restateServer } from './restate.ts';
import { temporalServer } from './temporal.ts';
import { temporalPgServer } from './temporal-pg.ts';
import { temporalPgUiServer } from './temporal-pg-ui.ts';

export const stackServers = (s: StackSettings = loadStackSettings()): Server[] => {
  mkdirSync(s.runDir, { recursive: true, mode: 0o755 });
  return [
    postgresServer(s),
    kafkaServer(s),
    temporalServer(s),
    temporalPgServer(s),
    temporalPgUiServer(s),
    restateServer(s),
  ];
};

export type UpResult = 'started' | 'already running' | 'external' | 'building in the background';

export interface UpOptions {
  /** A server that still needs a long build (temporal-pg) is built detached and left down. */
  deferBuilds?: boolean;
}

export interface ServerStatus {
  name: ServerName;
  state: 'running' | 'stopped' | 'external';
  pid?: number;
  address: string;
  log?: string;
  details: Record<string, string>;
}

export const status = (servers: Server[]): ServerStatus[] =>
  servers.map((srv) => {
    const pid = srv.endpoint.managed ? srv.pid() : undefined;
    return {
      name: srv.name,
      state: !srv.endpoint.managed ? 'external' : pid ? 'running' : 'stopped',
      ...(pid ? { pid } : {}),
      address: srv.address,
      ...(srv.endpoint.managed ? { log: srv.logFile } : {}),
      details: srv.details,
    };
  });

/** Polls `ready()` until it passes; fails early, with the log tail, when the process died. */
const waitReady = async (srv: Server, timeoutS: number) => {
  const deadline = Date.now() + timeoutS * 1000;
  let last: unknown;
  for (;;) {
    try {
      await withTimeout(srv.ready(), 30_000);
      return;
    } catch (err) {
      last = err;
    }
    const died = srv.endpoint.managed && srv.pid() === undefined;
    if (died || Date.now() > deadline) {
      const why = died ? 'exited during start-up' : `did not serve within ${timeoutS} s (STACK_READY_TIMEOUT)`;
      const where = srv.endpoint.managed ? `\n--- last lines of ${srv.logFile} ---\n${tailFile(srv.logFile)}` : '';
      throw new StackError(`${srv.name} at ${srv.address} ${why}: ${errText(last)}${where}`);
    }
    await sleep(500);
  }
};

const upOne = async (srv: Server, s: StackSettings, say: Say, opts: UpOptions): Promise<UpResult> => {
  if (!srv.endpoint.managed) {
    say(`external server at ${srv.address} (${srv.envVar}); checking it serves`);
    await waitReady(srv, s.STACK_READY_TIMEOUT);
    return 'external';
  }
  if (srv.pid() !== undefined) {
    await waitReady(srv, s.STACK_READY_TIMEOUT);
    return 'already running';
  }
  if (opts.deferBuilds && srv.installInBackground && srv.installed?.() === false) {
    srv.installInBackground(say);
    return 'building in the background';
  }
  for (const port of [srv.endpoint.port, ...srv.extraPorts]) {
    if (await portInUse(srv.endpoint.host, port)) {
      throw new StackError(
        `${srv.name}: port ${port} on ${srv.endpoint.host} is already taken by another process. ` +
          `Fix: stop it (\`ss -ltnp 'sport = :${port}'\` shows which), point ${srv.envVar} at another port, ` +
          `or set STACK_EXTERNAL=${srv.name} to use the server already there.`,
      );
    }
  }
  await srv.install(say);
  await srv.start(say);
  await waitReady(srv, s.STACK_READY_TIMEOUT);
  return 'started';
};

/**
 * Brings up the named servers (all by default) at once. A server that already runs is left as
 * it is; an external one is only checked. Rejects when any failed, after the others finished.
 */
export const up = async (
  servers: Server[],
  s: StackSettings,
  log: (line: string) => void,
  opts: UpOptions = {},
): Promise<Map<ServerName, UpResult>> => {
  const started = Date.now();
  const results = await Promise.allSettled(
    servers.map(async (srv) => {
      const say: Say = (line) => log(`[${srv.name}] ${line}`);
      const t0 = Date.now();
      const result = await upOne(srv, s, say, opts);
      say(`${result} — ${srv.address} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      return [srv.name, result] as const;
    }),
  );
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [errText(r.reason)] : []));
  if (failures.length > 0) throw new StackError(failures.join('\n\n'));
  log(`stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return new Map(results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])));
};

/** Stops the named servers that this stack started (pid files), in reverse order. */
export const down = async (servers: Server[], log: (line: string) => void): Promise<void> => {
  for (const srv of [...servers].reverse()) {
    if (!srv.endpoint.managed) continue;
    const pid = srv.pid();
    if (pid === undefined) {
      log(`[${srv.name}] not running`);
      continue;
    }
    log(`[${srv.name}] stopping pid ${pid}`);
    await srv.stop(pid);
    log(`[${srv.name}] stopped`);
  }
};

/** `p`, or a rejection once `ms` passed without an answer. */
export const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e: unknown) => (clearTimeout(t), reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });

export const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));
