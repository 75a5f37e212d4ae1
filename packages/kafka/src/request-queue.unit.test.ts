import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';

// kafkajs' per-connection request queue, patched by patches/kafkajs+2.2.4.patch (ADR 0015).
const RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as new (o: object) => {
  pending: unknown[];
  inflight: Map<number, unknown>;
  throttledUntil: number;
  throttleCheckTimeoutId: unknown;
  checkPendingRequests(): void;
  maybeThrottle(ms: number): void;
  push(r: { entry: Entry; expectResponse: boolean; sendRequest: () => void }): void;
  fulfillRequest(r: { correlationId: number; payload: Buffer | null; size: number }): void;
  destroy(): void;
};

interface Entry {
  correlationId: number;
  resolve: () => void;
  reject: () => void;
}
const entry = (correlationId: number): Entry => ({ correlationId, resolve: () => undefined, reject: () => undefined });
const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const queue = () =>
  new RequestQueue({
    maxInFlightRequests: 1,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 't',
    broker: 'b',
    logger,
  });

describe('kafkajs request queue (patched)', () => {
  afterEach(() => void vi.useRealTimers());

  it('arms no timer when nothing is pending: an idle connection does not spin a 1 ms timer loop', () => {
    vi.useFakeTimers();
    const q = queue();
    q.checkPendingRequests(); // what every response and every connection start does
    expect(q.throttleCheckTimeoutId).toBeNull();
    expect(vi.getTimerCount()).toBe(0);
    q.destroy();
  });

  it('still sends a request queued behind a full window when the one in flight is answered', () => {
    const q = queue();
    const sent: number[] = [];
    const request = (correlationId: number) => ({
      entry: entry(correlationId),
      expectResponse: true,
      sendRequest: () => void sent.push(correlationId),
    });
    q.push(request(1));
    q.push(request(2)); // maxInFlightRequests 1: waits
    expect(sent).toEqual([1]);
    q.fulfillRequest({ correlationId: 1, payload: null, size: 0 });
    expect(sent).toEqual([1, 2]);
    q.destroy();
  });

  it('still sends a queued request once a client-side throttle ends', async () => {
    vi.useFakeTimers();
    const q = queue();
    const sent: number[] = [];
    q.maybeThrottle(50);
    q.push({ entry: entry(7), expectResponse: true, sendRequest: () => void sent.push(7) });
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(60);
    expect(sent).toEqual([7]);
    q.destroy();
  });
});
