import { createServer, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import * as restate from '@restatedev/restate-sdk';
import type { Logger } from 'pino';

const trimSlash = (url: string) => url.replace(/\/$/, '');

/**
 * A Restate service endpoint (HTTP/2, one bidirectional stream per invocation) on `host:port`
 * serving `services`. `close` also ends the sessions the Restate server keeps open, or the
 * server's close would never return.
 */
export const serveEndpoint = async (
  services: Parameters<typeof restate.createEndpointHandler>[0]['services'],
  port: number,
  host: string,
  log?: Pick<Logger, 'debug' | 'warn' | 'error'>,
) => {
  // The SDK's own lines into our log: its per-invocation INFO lines ("Starting invocation", …)
  // at debug (on stdout at INFO, two lines per invocation cost the endpoint real CPU); none when replaying.
  const logger: restate.LoggerTransport = (meta, message: unknown, ...rest: unknown[]) => {
    if (!log || meta.replaying) return;
    const level = (['warn', 'error'] as const).find((l) => l === String(meta.level)) ?? 'debug';
    log[level](
      { invocation: meta.context?.invocationId, target: meta.context?.invocationTarget },
      [message, ...rest].map(String).join(' '),
    );
  };
  const server = createServer(restate.createEndpointHandler({ services, logger }));
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (s: ServerHttp2Session) => {
    sessions.add(s);
    s.once('close', () => sessions.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(
              `the Restate endpoint's port ${host}:${port} is taken (RESTATE_ENDPOINT_PORT): stop what holds it or set another`,
            )
          : err,
      ),
    );
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sessions) s.destroy();
      await closed;
    },
  };
};

/**
 * Registers an endpoint with the Restate server (the same URI again updates it in place, so the
 * invocations pinned to it carry on); resolves to the deployment's id.
 */
export const registerDeployment = async (adminUrl: string, uri: string): Promise<string> => {
  const res = await fetch(`${trimSlash(adminUrl)}/deployments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ uri, force: true }),
    signal: AbortSignal.timeout(30_000),
  });
  if (!res.ok)
    throw new Error(
      `the Restate server at ${adminUrl} refused the deployment ${uri}: ${res.status} ${await res.text()} (RESTATE_ADMIN_URL, RESTATE_ENDPOINT_URL)`,
    );
  return ((await res.json()) as { id: string }).id;
};

/** Removes a deployment whose invocations are all done (a benchmark's own). */
export const removeDeployment = async (adminUrl: string, id: string) => {
  await fetch(`${trimSlash(adminUrl)}/deployments/${encodeURIComponent(id)}?force=true`, {
    method: 'DELETE',
    signal: AbortSignal.timeout(30_000),
  });
};
