/**
 * The Saga Explorer's list at 100,000 sagas (issue 17: "paging that holds at 100,000 sagas"):
 * the operator API's list query (`pageOfSagas`, what the custom, DBOS, Restate and choreography
 * coordinators serve) over a scratch copy of each table with N rows, timed per query shape —
 * first, middle and last page, a customer, a status, the stuck order — median and p95 of repeats.
 *
 *   npm run bench:explorer-paging -- --sagas 100000 --repeats 20
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { SAGA_STATUSES, type ListSagasQuery } from '@saga/contracts';
import { CUSTOM_SAGA_COLUMNS } from '@saga/orchestrator-custom';
import { SAGA_VIEW_COLUMNS } from '@saga/order/choreography/operator';
import { DURABLE_SAGA_COLUMNS, pageOfSagas, type SagaColumns } from '@saga/service';
import { scratchDatabase } from '@saga/testkit';
import { percentiles, round } from './stats.ts';

const opts = new Command('bench:explorer-paging')
  .option('--sagas <n>', 'rows in each table', (v) => Number(v), 100_000)
  .option('--repeats <n>', 'times each query is asked', (v) => Number(v), 20)
  .option('--out <dir>', 'results folder', 'benchmarks/results/explorer-paging')
  .parse()
  .opts<{ sagas: number; repeats: number; out: string }>();

const dir = (p: string) => ({
  dir: fileURLToPath(new URL(`../../${p}/migrations`, import.meta.url)),
  table: 'pgmigrations',
});
/** Each coordinator's table, its migrations, how its rows are made and the columns its list reads. */
const TABLES: { name: string; migrations: string; table: string; insert: string; columns: SagaColumns }[] = [
  {
    name: 'custom',
    migrations: 'orchestrators/custom',
    table: 'sagas',
    insert: `INSERT INTO sagas (id, definition, status, current_step, data, state, version, created_at, updated_at)
             SELECT 'o-' || i, 'order', s.status, 'reserveStock', jsonb_build_object('customerId', 'c-' || (i % 1000)), '{}', 1,
                    now() - (i || ' seconds')::interval, now() - ((i % 5000) || ' seconds')::interval
             FROM generate_series(1, $1) i, LATERAL (SELECT ($2::text[])[1 + i % 6] AS status) s`,
    columns: CUSTOM_SAGA_COLUMNS,
  },
  {
    name: 'dbos',
    migrations: 'orchestrators/dbos',
    table: 'dbos_sagas',
    insert: `INSERT INTO dbos_sagas (id, status, current_step, customer_id, created_at, updated_at)
             SELECT 'o-' || i, ($2::text[])[1 + i % 6], 'reserveStock', 'c-' || (i % 1000),
                    now() - (i || ' seconds')::interval, now() - ((i % 5000) || ' seconds')::interval
             FROM generate_series(1, $1) i`,
    columns: DURABLE_SAGA_COLUMNS,
  },
  {
    name: 'choreography',
    migrations: 'services/order',
    table: 'saga_view',
    insert: `WITH o AS (
               INSERT INTO orders (id, customer_id, lines, total_cents, status, created_at)
               SELECT 'o-' || i, 'c-' || (i % 1000), '[]', 100, 'PENDING', now() - (i || ' seconds')::interval
               FROM generate_series(1, $1) i RETURNING id, created_at)
             INSERT INTO saga_view (id, status, current_step, created_at, updated_at)
             SELECT o.id, ($2::text[])[1 + (substr(o.id, 3)::int) % 6], 'reserveStock', o.created_at,
                    now() - ((substr(o.id, 3)::int % 5000) || ' seconds')::interval
             FROM o`,
    columns: SAGA_VIEW_COLUMNS,
  },
];

const shapes = (n: number): Record<string, Partial<ListSagasQuery>> => ({
  'first page': {},
  'middle page': { page: Math.floor(n / 2 / 50) },
  'last page': { page: Math.ceil(n / 50) },
  'newest first': { sort: 'newest' },
  'one customer': { customerId: 'c-7' },
  'one status': { status: 'NEEDS_ATTENTION' },
  'stuck longest first': { sort: 'stuck' },
  'one id': { id: `o-${Math.floor(n / 3)}` },
});

const rows: { table: string; query: string; p50: number; p95: number; total: number }[] = [];
for (const t of TABLES) {
  const db = await scratchDatabase(`explorer_${t.name}`, [dir(t.migrations)]);
  try {
    await db.pool.query(t.insert, [opts.sagas, SAGA_STATUSES]);
    await db.pool.query(`ANALYZE ${t.table}`);
    for (const [query, q] of Object.entries(shapes(opts.sagas))) {
      const full: ListSagasQuery = { page: 1, pageSize: 50, sort: 'oldest', ...q };
      const times: number[] = [];
      let total = 0;
      for (let i = 0; i < opts.repeats; i++) {
        const t0 = performance.now();
        total = (await pageOfSagas(db.pool, t.table, t.columns, full)).total;
        times.push(performance.now() - t0);
      }
      const p = percentiles(times, [50, 95]);
      rows.push({ table: t.name, query, p50: round(p.p50!), p95: round(p.p95!), total });
      console.log(
        `${t.name.padEnd(8)} ${query.padEnd(20)} p50 ${round(p.p50!)} ms, p95 ${round(p.p95!)} ms (total ${total})`,
      );
    }
  } finally {
    await db.drop();
  }
}

mkdirSync(opts.out, { recursive: true });
const file = `${opts.out}/${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}-n${opts.sagas}.json`;
writeFileSync(file, `${JSON.stringify({ sagas: opts.sagas, repeats: opts.repeats, pageSize: 50, rows }, null, 2)}\n`);
console.log(`results: ${file}`);
