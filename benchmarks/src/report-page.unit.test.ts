import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportPage, verdictOf } from './report-page.ts';

describe('a run’s report page', () => {
  it('says the checker’s verdict: clean, violations with what broke, or the run’s failure', () => {
    expect(
      verdictOf({
        runId: 'r',
        at: '',
        checks: [
          { suite: 'latency', violations: 0 },
          { suite: 'chaos', violations: 0 },
        ],
      }),
    ).toEqual({
      clean: true,
      text: 'Correctness checker: every invariant holds after latency, chaos.',
    });
    expect(
      verdictOf({ runId: 'r', at: '', checks: [{ suite: 'chaos', violations: 2, problems: ['o-1 charged twice'] }] }),
    ).toEqual({
      clean: false,
      text: 'Correctness checker: 2 violations after chaos (o-1 charged twice).',
    });
    expect(verdictOf({ runId: 'r', at: '', error: 'Kafka did not start', checks: [] }).clean).toBe(false);
  });
  it('renders the summary’s tables and charts under the verdict, text escaped', () => {
    const dir = mkdtempSync(join(tmpdir(), 'run-'));
    writeFileSync(
      join(dir, 'results.json'),
      JSON.stringify({ runId: 'r<1>', at: '', checks: [{ suite: 'latency', violations: 0 }] }),
    );
    writeFileSync(
      join(dir, 'summary.md'),
      '# Run\n\n| mode | p50 |\n|---|---|\n| custom-kafka | 25 |\n\n![latency](latency.svg)\n',
    );
    const html = reportPage(dir);
    expect(html).toContain('<title>Benchmark run r&lt;1&gt;</title>');
    expect(html).toMatch(/class="verdict clean"[^>]*>Correctness checker: every invariant holds after latency\./);
    expect(html).toContain('<td>custom-kafka</td>');
    expect(html).toContain('<img src="latency.svg" alt="latency">');
  });
});
