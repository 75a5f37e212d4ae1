import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDatabase, type ScratchDb } from '@saga/testkit';
import { migrate } from './migrate.ts';

let db: ScratchDb;
const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
beforeAll(async () => {
  writeFileSync(
    join(dir, '1764000000001_things.sql'),
    '-- Up Migration\nCREATE TABLE things (id int PRIMARY KEY);\n-- Down Migration\nDROP TABLE things;\n',
  );
  writeFileSync(
    join(dir, '1764000000002_more.sql'),
    '-- Up Migration\nINSERT INTO things VALUES (1);\n-- Down Migration\nDELETE FROM things;\n',
  );
  db = await scratchDatabase('migrate');
});
afterAll(() => db.drop());

describe('migrations', () => {
  it('apply once; a second run is a no-op', async () => {
    const set = { dir, table: 'pgmigrations_test' };
    expect(await migrate(db.url, [set])).toEqual(['1764000000001_things', '1764000000002_more']);
    expect(await migrate(db.url, [set])).toEqual([]);
    const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM things');
    expect(rows[0]!.n).toBe(1);
  });

  it('two processes migrating at once apply each migration once', async () => {
    const other = await scratchDatabase('migrate2');
    const set = { dir, table: 'pgmigrations_test' };
    const [a, b] = await Promise.all([migrate(other.url, [set]), migrate(other.url, [set])]);
    expect([...a, ...b].sort()).toEqual(['1764000000001_things', '1764000000002_more']);
    await other.drop();
  });
});
