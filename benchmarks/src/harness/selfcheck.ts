import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openLoopStep } from './driver.ts';

/**
 * Harness self-check: the same open-loop driver against a no-op endpoint (202 at once) at five
 * times the highest rate any mode reached. If it cannot keep that pace with a low p99, the
 * harness — not the system under test — was the bottleneck, and the report says so.
 */
export const selfCheck = async (highestReported: number, say: (l: string) => void, progress: (l: string) => void) => {
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ orderId: String(n++) }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`;
  const done = new Map<string, number>();
  const target = Math.ceil(highestReported * 5);
  try {
    const r = await openLoopStep({
      rate: target,
      count: target * 5,
      send: async () => {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"customerId":"x","lines":[]}',
        });
        const { orderId } = (await res.json()) as { orderId: string };
        done.set(orderId, performance.now());
        return orderId;
      },
      terminalAt: (id) => done.get(id),
      drainMs: 5_000,
      progress: (l) => progress(`selfcheck @ ${target}/s: ${l}`),
    });
    const ok = r.errors === 0 && r.notTerminal === 0 && r.throughput >= 0.9 * target && r.p99 <= 100;
    const verdict = ok
      ? `the driver kept ${target}/s (5× the highest measured rate) with p99 ${r.p99} ms: the harness was not the bottleneck`
      : `the driver could not keep ${target}/s against a no-op endpoint (reached ${r.throughput}/s, p99 ${r.p99} ms, errors ${r.errors}): the harness WAS the bottleneck at the highest rates`;
    say(`selfcheck: ${verdict}`);
    return {
      targetRate: target,
      highestReported,
      p50: r.p50,
      p99: r.p99,
      throughput: r.throughput,
      errors: r.errors,
      ok,
      verdict,
    };
  } finally {
    server.close();
  }
};
