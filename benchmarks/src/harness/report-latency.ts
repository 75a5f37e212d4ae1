import { latencyByRate } from './charts.ts';
import { HARNESS_DELAY_LIMIT_MS } from './driver.ts';
import type { IoPerSaga } from './io.ts';
import { cellOf, keptUp, section, table, type Build } from './report-cells.ts';
import { P99_MIN_N, p50Cell, tailCell } from '../evidence.ts';

/** The report's sections for the corrected method's latency suite (issue 42): pooled latencies with their evidence, IO per saga. */

/** The latency suite pooled over its repetitions (runs from issue 42 on): both latencies, with n, CIs and errors. */
export const pooledLatency = (r: Parameters<Build>[0]) => {
  const rows = (r.latency ?? []).flatMap((m) =>
    (m.pooled ?? []).map((p) => ({ mode: m.mode, sustained: m.highestSustainedRate, p })),
  );
  const late = rows.filter((x) => (x.p.harnessDelayP99Ms ?? 0) > HARNESS_DELAY_LIMIT_MS);
  return section(
    'latency',
    `### Latency by the services' commits, pooled over the repetitions (seed ${typeof r.settings.seed === 'number' ? r.settings.seed : '—'}): *decided* = order row → verdict, *done* = order row → the notification (the saga's last step); p50 [95 % bootstrap CI] and p99 [CI], or the maximum of n where n < ${P99_MIN_N}`,
    table(
      [
        'mode',
        'rate',
        'n',
        'decided p50 ms',
        'decided p99 ms',
        'done p50 ms',
        'done p99 ms',
        'observer − decided p50 ms',
        'errors (wrong outcome)',
        'harness delay p99 ms',
        'highest sustained',
      ],
      rows.map(({ mode, sustained, p }) => [
        mode,
        `${p.rate}/s`,
        p.decided.n,
        p50Cell(p.decided),
        tailCell(p.decided),
        p50Cell(p.done),
        tailCell(p.done),
        p.observerMinusDecidedMs,
        `${p.errors}${p.wrongOutcome ? ` (${p.wrongOutcome})` : ''}`,
        p.harnessDelayP99Ms === null
          ? '—'
          : `${p.harnessDelayP99Ms}${p.harnessDelayP99Ms > HARNESS_DELAY_LIMIT_MS ? ' **late**' : ''}`,
        `${sustained}/s`,
      ]),
    ),
    late.length
      ? `**Harness late:** ${late.map((x) => `${x.mode} at ${x.p.rate}/s (${x.p.harnessDelayP99Ms} ms)`).join(', ')} — the load generator's event loop was delayed more than ${HARNESS_DELAY_LIMIT_MS} ms (p99): it measured itself as much as the system there.`
      : '',
  );
};

/** IO per saga in the latency suite (runs from issue 42 on): WAL bytes and syncs, bytes Kafka and the engine server wrote. */
export const ioSection: Build = (r) => {
  const rows = (r.latency ?? []).flatMap((m) =>
    latencyByRate(m.steps).flatMap((x) => {
      const ios = x.steps.flatMap((st) => {
        const io = (st as { io?: IoPerSaga }).io;
        return io && keptUp(st) ? [io] : [];
      });
      return ios.length ? [{ mode: m.mode, rate: x.rate, ios }] : [];
    }),
  );
  if (!rows.length) return undefined;
  const med = (xs: number[]) => cellOf(xs, 0);
  return section(
    'io',
    '### IO per saga during the latency suite (steps that kept up; median (min–max) of the repetitions): PostgreSQL WAL (the whole server), bytes written to storage by Kafka and by the engine server',
    table(
      ['mode', 'rate', 'WAL bytes', 'WAL syncs', 'Kafka bytes written', 'engine server bytes written'],
      rows.map(({ mode, rate, ios }) => [
        mode,
        `${rate}/s`,
        med(ios.map((i) => i.walBytes)),
        cellOf(
          ios.map((i) => i.walSyncs),
          2,
        ),
        med(ios.map((i) => i.writeBytes.kafka ?? 0)),
        ios.some((i) => (i.writeBytes['temporal-server'] ?? 0) > 0)
          ? med(ios.map((i) => i.writeBytes['temporal-server'] ?? 0))
          : '—',
      ]),
    ),
  );
};
