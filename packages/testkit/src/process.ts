import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, waitFor, type Workbench } from './index.ts';

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

/** A coordinator started as its own process (`spawnProcess`). */
export type SpawnedCoordinator = Awaited<ReturnType<typeof spawnProcess>>;

/**
 * The kill -9 scenario of a durable coordinator's recovery test: 100 orders (every tenth from a
 * customer who cannot pay), the coordinator killed -9 once some have finished, started again by
 * `spawn`; resolves, once every saga ended, to what the test asserts: how many were terminal before
 * the kill, the checker's violations, how many were rejected, and how many the restarted process lists completed.
 */
export const killRestartScenario = async (
  wb: Workbench,
  spawn: () => Promise<SpawnedCoordinator>,
  spawned: SpawnedCoordinator[],
) => {
  await wb.seedStock([{ sku: 'bulk', quantity: 100_000 }]);
  await wb.seedCustomers([
    { id: 'rich', creditLimitCents: 1_000_000_000 },
    { id: 'poor', creditLimitCents: 10 },
  ]);
  const first = await spawn();
  spawned.push(first);
  const ids: string[] = [];
  for (let batch = 0; batch < 5; batch++) {
    ids.push(
      ...(await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          wb.placeOrder((batch * 20 + i) % 10 === 0 ? 'poor' : 'rich', [
            { sku: 'bulk', quantity: 1, unitPriceCents: 100 },
          ]),
        ),
      )),
    );
  }
  const terminal = async () => [...(await wb.orderStatuses(ids)).values()].filter((s) => s !== 'PENDING').length;
  await waitFor('some sagas to finish', async () => (await terminal()) >= 10, 120_000);
  const terminalBeforeKill = await terminal();
  await first.kill();
  const second = await spawn();
  spawned.push(second);
  await wb.waitTerminal(ids, 240_000);
  // The order is terminal before the saga's last steps (commit, notify): wait for those too.
  await waitFor('every saga to finish', async () => (await wb.violations(ids)).length === 0, 120_000);
  const statuses = await wb.waitTerminal(ids);
  // The restarted process lists every saga, the ones the killed one started included.
  const completed = async () =>
    ((await (await fetch(`${second.url}/sagas?status=COMPLETED&pageSize=1`)).json()) as { total: number }).total;
  await waitFor('the restarted process to list 90 completed', async () => (await completed()) >= 90, 60_000).catch(
    () => undefined,
  );
  return {
    terminalBeforeKill,
    violations: await wb.violations(ids),
    rejected: [...statuses.values()].filter((s) => s === 'REJECTED').length,
    listedCompleted: await completed(),
  };
};
