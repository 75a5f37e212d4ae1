import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { adrFiles, blocksOf, regenerate, renderBlock, uncommittedRuns } from './adr-tables.ts';

describe('ADR tables', () => {
  it('the ADRs quote benchmark runs, and only runs whose results are committed', () => {
    const blocks = adrFiles().flatMap((f) => blocksOf(readFileSync(f, 'utf8')));
    expect(blocks.length).toBeGreaterThan(0);
    expect(uncommittedRuns()).toEqual([]);
  });

  it('every quoted table is what `npm run adr:tables` generates from its run (no hand edits, no stale numbers)', () => {
    expect(regenerate(false)).toEqual([]);
  });

  it('a block naming a run that does not exist, or a table the run does not have, is an error', () => {
    expect(() => renderBlock('latency', 'no-such-run')).toThrow(/no-such-run\/results.json does not exist/);
    const run = blocksOf(adrFiles().map((f) => readFileSync(f, 'utf8')).join('\n'))[0]!.run;
    expect(() => renderBlock('warp-drive', run)).toThrow(/has no "warp-drive" table/);
  });
});
