import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createApp, HttpError } from './app.ts';
import { listen } from './listen.ts';
import { createLogger } from './logger.ts';

let server: Server;
let base: string;
let dependencyUp = true;

beforeAll(async () => {
  const app = createApp({
    name: 'test-service',
    logger: createLogger('test-service', 'silent'),
    bodyLimit: '1kb',
    health: {
      database: async () => {
        if (!dependencyUp) throw new Error('connection refused');
      },
    },
    routes: (r) => {
      r.post('/echo', (req, res) => {
        res.status(201).json({ got: req.body as unknown });
      });
      r.post('/refuse', () => {
        throw new HttpError(422, 'order refused', [{ path: 'lines', message: 'empty' }]);
      });
      r.get('/boom', async () => {
        await Promise.resolve();
        throw new Error('secret internal detail');
      });
    },
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

const post = (path: string, body: string) =>
  fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('HTTP app factory', () => {
  it('serves routes with JSON bodies', async () => {
    const res = await post('/echo', '{"a":1}');
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ got: { a: 1 } });
  });

  it('answers invalid JSON with 400 and what was wrong', async () => {
    const res = await post('/echo', '{"a":');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/^invalid JSON body/);
  });

  it('answers an oversize body with 413', async () => {
    const res = await post('/echo', JSON.stringify({ pad: 'x'.repeat(5000) }));
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: 'body larger than the limit' });
  });

  it('renders HttpError with its status and details, and hides internal errors', async () => {
    const refused = await post('/refuse', '{}');
    expect(refused.status).toBe(422);
    expect(await refused.json()).toEqual({ error: 'order refused', details: [{ path: 'lines', message: 'empty' }] });
    const boom = await fetch(`${base}/boom`);
    expect(boom.status).toBe(500);
    expect(await boom.json()).toEqual({ error: 'internal error' });
  });

  it('answers an unknown route with a JSON 404', async () => {
    const res = await fetch(`${base}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'no route for GET /nope' });
  });

  it('reports health from its checks: 200 when they pass, 503 naming the one that fails', async () => {
    dependencyUp = true;
    expect((await fetch(`${base}/health`)).status).toBe(200);
    dependencyUp = false;
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      service: 'test-service',
      status: 'degraded',
      checks: { database: 'connection refused' },
    });
  });

  it('exposes Prometheus metrics', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/process_cpu_seconds_total\{service="test-service"\}/);
  });
});

describe('request logs', () => {
  const serve = async (level: string) => {
    const lines: Array<{ level: number; msg: string }> = [];
    const logger = pino(
      { level },
      { write: (line: string) => lines.push(JSON.parse(line) as { level: number; msg: string }) },
    );
    const app = createApp({
      name: 'log-test',
      logger,
      routes: (r) => {
        r.get('/ok', (_req, res) => void res.json({ ok: true }));
        r.get('/boom', () => {
          throw new Error('boom');
        });
      },
    });
    const srv = await listen(app, 0);
    await (await fetch(`${srv.url}/ok`)).text();
    await (await fetch(`${srv.url}/boom`)).text();
    await srv.close();
    return lines;
  };

  it('writes one line per request at info', async () => {
    const lines = await serve('info');
    expect(lines.filter((l) => l.msg === 'request completed')).toHaveLength(1);
    expect(lines.some((l) => l.msg === 'request errored')).toBe(true);
  });

  it('at warn, no request lines but the unhandled error still logged', async () => {
    const lines = await serve('warn');
    expect(lines.map((l) => l.msg)).toEqual(['unhandled error']);
  });
});
