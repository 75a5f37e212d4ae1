import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Command } from '@saga/contracts';
import { postCommand } from './client.ts';

const command = {
  messageId: 'saga-1:reserveStock',
  sagaId: 'saga-1',
  occurredAt: new Date().toISOString(),
  type: 'ReserveStock',
  payload: { orderId: 'saga-1', lines: [{ sku: 'A', quantity: 1 }] },
} as Command;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

let servers: Server[] = [];
afterEach(() => {
  for (const s of servers) {
    s.close();
    s.closeAllConnections();
  }
  servers = [];
});

/** A service's reply to the command with message id `commandId` (the Reply schema's shape). */
const replyTo = (commandId: string) => ({
  messageId: `reply:${commandId}`,
  sagaId: 'saga-1',
  occurredAt: new Date().toISOString(),
  type: 'Reply',
  payload: { commandId, commandType: 'ReserveStock', outcome: 'SUCCESS', data: {} },
});

/** A service stand-in: answers every command with `status` and a body (by default its reply); counts requests. */
const serve = (port: number, status = 200, answer: (commandId: string) => unknown = replyTo) => {
  const seen: string[] = [];
  const srv = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const { messageId } = JSON.parse(body) as { messageId: string };
      seen.push(messageId);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer(messageId)));
    });
  });
  servers.push(srv);
  return new Promise<string[]>((resolve) => srv.listen(port, '127.0.0.1', () => resolve(seen)));
};

describe('postCommand', () => {
  it('waits within its attempt for a service that is restarting, then gets the reply', async () => {
    const port = await freePort();
    const t0 = Date.now();
    let seen: string[] = [];
    setTimeout(() => void serve(port).then((s) => (seen = s)), 700); // down for 0.7 s
    const r = await postCommand(`http://127.0.0.1:${port}`, command, 3_000);
    expect(r).toEqual({ kind: 'reply', replyId: 'reply:saga-1:reserveStock', outcome: 'SUCCESS' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
    expect(seen).toEqual(['saga-1:reserveStock']); // refused connections never reached it; one request did
  });

  it('fails the attempt once its timeout passes with the service still unreachable', async () => {
    const port = await freePort();
    const t0 = Date.now();
    const r = await postCommand(`http://127.0.0.1:${port}`, command, 1_000);
    expect(r.kind).toBe('failed');
    expect(r.kind === 'failed' && r.error).toMatch(/ECONNREFUSED/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
    expect(Date.now() - t0).toBeLessThan(1_500);
  });

  it('fails the attempt when its timeout passes with the service holding the request, and says so', async () => {
    const port = await freePort();
    const srv = createServer(() => undefined); // takes the request, never answers
    servers.push(srv);
    await new Promise<void>((resolve) => srv.listen(port, '127.0.0.1', () => resolve()));
    const t0 = Date.now();
    const r = await postCommand(`http://127.0.0.1:${port}`, command, 500);
    expect(r).toEqual({ kind: 'failed', error: 'no answer within 500 ms' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450);
    expect(Date.now() - t0).toBeLessThan(1_500);
  });

  it('fails the attempt at once on an answer other than 200: the service answered', async () => {
    const port = await freePort();
    const seen = await serve(port, 503);
    const t0 = Date.now();
    const r = await postCommand(`http://127.0.0.1:${port}`, command, 3_000);
    expect(r.kind === 'failed' && r.error).toMatch(/^HTTP 503/);
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(seen).toHaveLength(1);
  });

  it('fails the attempt when a 200 does not carry a Reply, and says what was wrong', async () => {
    const port = await freePort();
    await serve(port, 200, () => ({ messageId: 'reply-1', payload: { outcome: 'MAYBE' } }));
    const r = await postCommand(`http://127.0.0.1:${port}`, command, 3_000);
    expect(r.kind).toBe('failed');
    expect(r.kind === 'failed' && r.error).toMatch(/^the answer is not a Reply: /);
  });

  it('fails the attempt when the reply answers another command', async () => {
    const port = await freePort();
    await serve(port, 200, () => replyTo('saga-1:authorizePayment'));
    const r = await postCommand(`http://127.0.0.1:${port}`, command, 3_000);
    expect(r.kind === 'failed' && r.error).toBe('the reply answers saga-1:authorizePayment, not saga-1:reserveStock');
  });

  it('gives the reply of a conforming answer: its id, outcome and reason', async () => {
    const port = await freePort();
    await serve(port, 200, (id) => ({
      ...replyTo(id),
      payload: { commandId: id, commandType: 'ReserveStock', outcome: 'FAILURE', reason: 'OUT_OF_STOCK' },
    }));
    expect(await postCommand(`http://127.0.0.1:${port}`, command, 3_000)).toEqual({
      kind: 'reply',
      replyId: 'reply:saga-1:reserveStock',
      outcome: 'FAILURE',
      reason: 'OUT_OF_STOCK',
    });
  });

  it('stops when its caller cancels (a Temporal activity cancelled)', async () => {
    const port = await freePort();
    const t0 = Date.now();
    const r = await postCommand(`http://127.0.0.1:${port}`, command, 10_000, AbortSignal.timeout(400));
    expect(r.kind).toBe('failed');
    expect(Date.now() - t0).toBeLessThan(2_000);
  });
});

describe('postCommand connections', () => {
  it('keeps its connection: twenty commands in a row to one service reuse its sockets, not one socket each', async () => {
    const port = await freePort();
    await serve(port);
    let sockets = 0;
    servers[0]!.on('connection', () => void sockets++);
    for (let i = 0; i < 20; i++) {
      const r = await postCommand(`http://127.0.0.1:${port}`, { ...command, messageId: `m-${i}` }, 3_000);
      expect(r.kind).toBe('reply');
    }
    // undici's pool may open a second socket while the first is being released; never one per command.
    expect(sockets).toBeLessThanOrEqual(2);
  });

  it('sends again, within its attempt, when the service drops the connection before answering', async () => {
    const port = await freePort();
    let calls = 0;
    const srv = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (++calls === 1) return req.socket.destroy(); // crashed mid-request: no answer
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            ...replyTo(command.messageId),
            payload: {
              commandId: command.messageId,
              commandType: 'ReserveStock',
              outcome: 'FAILURE',
              reason: 'OUT_OF_STOCK',
            },
          }),
        );
      });
    });
    servers.push(srv);
    await new Promise<void>((resolve) => srv.listen(port, '127.0.0.1', () => resolve()));
    const r = await postCommand(`http://127.0.0.1:${port}`, command, 3_000);
    expect(r).toEqual({
      kind: 'reply',
      replyId: 'reply:saga-1:reserveStock',
      outcome: 'FAILURE',
      reason: 'OUT_OF_STOCK',
    });
    expect(calls).toBe(2);
  });
});
