import { describe, expect, it } from 'vitest';
import { fdatasyncOf, tpsOf } from './calibration.ts';

// As pg_test_fsync 15 and pgbench 15 print them (captured on this kind of machine).
const FSYNC = `1 second per test
O_DIRECT supported on this platform for open_datasync and open_sync.

Compare file sync methods using one 8kB write:
(in wal_sync_method preference order, except fdatasync is Linux's default)
        open_datasync                      4836.468 ops/sec     207 usecs/op
        fdatasync                          6502.733 ops/sec     154 usecs/op
        fsync                              4602.503 ops/sec     217 usecs/op

Compare file sync methods using two 8kB writes:
        fdatasync                          2887.490 ops/sec     346 usecs/op
`;
const PGBENCH = `transaction type: /tmp/calibration-x/service-like.sql
scaling factor: 1
number of clients: 2
duration: 3 s
number of transactions actually processed: 12104
latency average = 0.495 ms
initial connection time = 4.113 ms
tps = 4034.629120 (without initial connection time)
`;

describe("the calibration's readings", () => {
  it("reads pg_test_fsync's fdatasync rate for one 8 kB write, not the two-write one", () => {
    expect(fdatasyncOf(FSYNC)).toBe(6503);
    expect(fdatasyncOf('fdatasync                          12,345.6 ops/sec')).toBe(12346);
    expect(fdatasyncOf('fdatasync n/a')).toBeNull();
  });

  it("reads pgbench's tps", () => {
    expect(tpsOf(PGBENCH)).toBeCloseTo(4034.63, 2);
    expect(tpsOf('pgbench: error: connection failed')).toBeNull();
  });
});
