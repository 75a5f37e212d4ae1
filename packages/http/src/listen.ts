import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

export interface Listening {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves `app` on host:port (port 0 = any free port) and resolves once it listens. */
export const listen = async (app: Express, port: number, host = '127.0.0.1'): Promise<Listening> => {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(port, host, () => resolve(s));
  });
  const actual = (server.address() as AddressInfo).port;
  return { url: `http://${host}:${actual}`, port: actual, close: () => new Promise((r) => server.close(() => r())) };
};
