import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';

// Histories recorded from the e2e runs (RECORD_HISTORIES=1 npx vitest run orchestrators/temporal/src/temporal.e2e.test.ts):
// a change to workflows.ts that would break running sagas fails here with a non-determinism error.
const root = fileURLToPath(new URL('../histories', import.meta.url));
const fixtures = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'));

describe('workflow replay', () => {
  it('has recorded histories for both transports and local activities', () => {
    for (const dir of ['kafka/', 'http/', 'http-local/'])
      expect(fixtures.filter((f) => f.startsWith(dir)).length).toBeGreaterThanOrEqual(4);
  });

  it('replays every recorded history without a non-determinism error', async () => {
    const histories = fixtures.map((f) => ({
      workflowId: f,
      history: JSON.parse(readFileSync(`${root}/${f}`, 'utf8')) as unknown,
    }));
    const failures: string[] = [];
    for await (const r of Worker.runReplayHistories(
      { workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)) },
      histories,
    )) {
      if (r.error) failures.push(`${r.workflowId}: ${r.error.message}`);
    }
    expect(failures).toEqual([]);
  });
});
