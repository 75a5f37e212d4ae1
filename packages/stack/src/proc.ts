import { getPriority } from 'node:os';
import { spawn, type SpawnOptions } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Whether `pid` is a running process (a zombie, exited but not yet reaped, is not). */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S ..."; the state letter follows the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
};

const cmdline = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
};

/**
 * The live pid recorded in `pidFile`, or undefined. A pid file whose process is gone, or whose
 * pid now belongs to another program (pid reuse after a crash), is stale: it is removed.
 */
export const livePid = (pidFile: string, marker: string): number | undefined => {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && cmdline(pid).includes(marker)) return pid;
  rmSync(pidFile, { force: true });
  return undefined;
};

/**
 * A command to run at nice 0 even from a process that raised its own priority (the benchmark
 * harness runs above the system it measures, ADR 0006): `nice -n <k>` in front when this process
 * runs below 0 — `nice` execs the command, so its pid is the child's.
 */
export const atBaselinePriority = (cmd: string, args: string[]): [string, string[]] => {
  const own = getPriority();
  return own < 0 ? ['nice', ['-n', String(-own), cmd, ...args]] : [cmd, args];
};

/** Starts a long-running server in its own process group, output appended to `logFile`. */
export const spawnDetached = (
  cmd: string,
  args: string[],
  logFile: string,
  pidFile: string,
  opts: SpawnOptions = {},
) => {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(...atBaselinePriority(cmd, args), { ...opts, detached: true, stdio: ['ignore', fd, fd] });
    if (child.pid === undefined) throw new Error(`could not start ${cmd}`);
    writeFileSync(pidFile, `${child.pid}\n`);
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
};

/** Signals `pid` and waits for it to exit; SIGKILL after `timeoutMs`. */
export const stopPid = async (pid: number, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000) => {
  if (!isAlive(pid)) return;
  process.kill(pid, signal);
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(50);
};

/** Whether something already listens on host:port. */
export const portInUse = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EADDRINUSE'));
    srv.listen({ host, port, exclusive: true }, () => srv.close(() => resolve(false)));
  });

export class StackError extends Error {
  override name = 'StackError';
}

/** Runs a command to completion; rejects with its output when it fails. */
export const run = (cmd: string, args: string[], opts: SpawnOptions & { logFile?: string } = {}): Promise<string> =>
  new Promise((resolve, reject) => {
    const child = spawn(...atBaselinePriority(cmd, args), { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const collect = (b: Buffer) => {
      out += b.toString();
      if (out.length > 200_000) out = out.slice(-100_000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('error', (err) => reject(new StackError(`${cmd}: ${err.message}`)));
    child.once('close', (code) => {
      if (opts.logFile) writeFileSync(opts.logFile, out, { flag: 'a' });
      if (code === 0) resolve(out);
      else reject(new StackError(`${cmd} ${args.join(' ')} exited with ${code}:\n${tail(out, 30)}`));
    });
  });

export const tail = (text: string, lines: number) => text.trimEnd().split('\n').slice(-lines).join('\n');

export const tailFile = (file: string, lines = 40) =>
  existsSync(file) ? tail(readFileSync(file, 'utf8'), lines) : `(no log at ${file})`;

/** Finds an executable on PATH (or an absolute path that exists). */
export const which = (cmd: string): string | undefined => {
  if (cmd.includes('/')) return existsSync(cmd) ? cmd : undefined;
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(`${dir}/${cmd}`)) return `${dir}/${cmd}`;
  }
  return undefined;
};

export const requireTool = (cmd: string, fix: string): string => {
  const path = which(cmd);
  if (!path) throw new StackError(`'${cmd}' was not found on PATH. Fix: ${fix}`);
  return path;
};

export const isRoot = () => process.getuid?.() === 0;

/** Installs a Debian package when we may (root, apt-get present); otherwise an error naming the fix. */
export const aptInstall = async (pkg: string, say: (msg: string) => void, missing: string, otherwise?: string) => {
  if (!isRoot() || !which('apt-get'))
    throw new StackError(`${missing} Fix: sudo apt-get install -y ${pkg}${otherwise ? ` (${otherwise})` : ''}.`);
  say(`installing ${pkg} with apt-get`);
  await withProgress('apt-get install', run('apt-get', ['update']), say);
  await withProgress(
    'apt-get install',
    run('apt-get', ['install', '-y', '--no-install-recommends', pkg], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    }),
    say,
  );
};

/** Prints a line every `everyMs` while `work` runs, so long builds show they are alive. */
export const withProgress = async <T>(
  label: string,
  work: Promise<T>,
  say: (msg: string) => void,
  everyMs = 15_000,
) => {
  const started = Date.now();
  const timer = setInterval(() => say(`${label}… ${Math.round((Date.now() - started) / 1000)} s`), everyMs);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
};
