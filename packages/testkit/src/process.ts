import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, waitFor } from './index.ts';

/**
 * A process of ours (a coordinator's `main.ts`) run through tsx on a free port given in
 * `portSetting`, so a test can kill it -9 by its pid; resolves once its `/health` answers 200.
 */
export const spawnProcess = async (
  main: string,
  /** Its settings, or a function of its port (an instance id named after it). */
  env: Record<string, string> | ((port: number) => Record<string, string>),
  portSetting: string,
  opts: { what?: string; timeoutMs?: number } = {},
) => {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', main], {
    env: { ...process.env, ...(typeof env === 'function' ? env(port) : env), [portSetting]: String(port) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    opts.what ?? main,
    async () => (await fetch(`${url}/health`).catch(() => undefined))?.status === 200,
    opts.timeoutMs ?? 90_000,
  );
  return { url, port, child, exited, kill: async () => (child.kill('SIGKILL'), await exited) };
};
