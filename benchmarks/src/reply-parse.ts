/**
 * What checking an HTTP reply at the edge costs (ADR 0017, decision 5): `Reply.safeParse` of one
 * reply, with the JSON round trip it always comes with, against that round trip alone.
 *   npx tsx benchmarks/src/reply-parse.ts [parses]
 */
import { Reply } from '@saga/contracts';

const n = Number(process.argv[2] ?? 200_000);
const reply = {
  messageId: 'reply:saga-1:reserveStock',
  sagaId: 'saga-1',
  occurredAt: new Date().toISOString(),
  type: 'Reply',
  payload: { commandId: 'saga-1:reserveStock', commandType: 'ReserveStock', outcome: 'SUCCESS', data: {} },
};
const perCall = (fn: () => unknown) => {
  for (let i = 0; i < n / 10; i++) fn(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return ((performance.now() - t0) / n) * 1000;
};
const roundTrip = () => JSON.parse(JSON.stringify(reply)) as unknown;
const checked = perCall(() => Reply.safeParse(roundTrip()));
const plain = perCall(roundTrip);
console.log(
  `${n} replies: checked ${checked.toFixed(2)} µs each, JSON round trip alone ${plain.toFixed(2)} µs, the check ${(checked - plain).toFixed(2)} µs`,
);
