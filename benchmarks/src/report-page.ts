/**
 * One page per benchmark run (issue 17): `benchmarks/results/<run>/index.html` — the run's
 * tables and charts (its summary.md, rendered by marked) under the checker's verdict, opened from
 * the Saga Explorer (`/runs/<run>/`) and linked from the ADRs. Every run writes its own; for
 * runs made before, `npm run report -- <run>…` (or `--all`) writes them.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { marked } from 'marked';

interface RunFacts {
  runId: string;
  at: string;
  error?: string;
  checks?: { suite: string; violations: number; problems?: string[] }[];
}

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The checker's verdict of a run in one sentence, and whether it is clean. */
export const verdictOf = (r: RunFacts): { clean: boolean; text: string } => {
  if (r.error) return { clean: false, text: `The run failed: ${r.error}` };
  const checks = r.checks ?? [];
  if (checks.length === 0)
    return { clean: true, text: 'No correctness check in this run (no suite that starts sagas).' };
  const bad = checks.filter((c) => c.violations > 0);
  if (bad.length === 0)
    return {
      clean: true,
      text: `Correctness checker: every invariant holds after ${checks.map((c) => c.suite).join(', ')}.`,
    };
  return {
    clean: false,
    text: `Correctness checker: ${bad.map((c) => `${c.violations} violations after ${c.suite} (${(c.problems ?? []).join('; ')})`).join('; ')}.`,
  };
};

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;color:#1b1f24;margin:0}main{max-width:1200px;margin:0 auto;padding:1rem 1.5rem 4rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:13px;display:block;overflow-x:auto}th,td{border:1px solid #c9d1d9;padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:#f6f8fa}
code{background:#f6f8fa;padding:0 .2rem;word-break:break-word}img{max-width:100%;border:1px solid #c9d1d9;margin:.6rem 0}a{color:#0b57d0}
.verdict{padding:.6rem 1rem;border-radius:6px;font-weight:600}.clean{background:#e6f4ea;color:#0f6b2f}.dirty{background:#fdecea;color:#a3161b}
nav{display:flex;gap:1rem;font-size:14px}`;

/** The report page of the run in `dir` (its results.json and summary.md), as HTML. */
export const reportPage = (dir: string) => {
  const r = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as RunFacts;
  const md = readFileSync(join(dir, 'summary.md'), 'utf8');
  const verdict = verdictOf(r);
  const body = marked.parse(md, { async: false, gfm: true });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Benchmark run ${escape(r.runId)}</title><style>${STYLE}</style></head>
<body><main>
<nav aria-label="Run"><a href="/#/runs">All runs (Saga Explorer)</a><a href="results.json">results.json</a><a href="summary.md">summary.md</a></nav>
<p class="verdict ${verdict.clean ? 'clean' : 'dirty'}" role="status">${escape(verdict.text)}</p>
${body}
</main></body></html>
`;
};

/** Writes `<dir>/index.html`; returns its path. */
export const writeReportPage = (dir: string) => {
  const path = join(dir, 'index.html');
  writeFileSync(path, reportPage(dir));
  return path;
};

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const results = fileURLToPath(new URL('../results/', import.meta.url));
  const args = process.argv.slice(2);
  const hasRun = (d: string) =>
    existsSync(join(results, d, 'results.json')) && existsSync(join(results, d, 'summary.md'));
  const runs = args.includes('--all') ? readdirSync(results).filter(hasRun) : args;
  if (runs.length === 0) {
    console.error('usage: npm run report -- <run>… | --all   (runs under benchmarks/results/)');
    process.exit(2);
  }
  for (const run of runs) {
    if (!hasRun(run)) {
      console.error(`report: no run "${run}" (results.json and summary.md) under ${results}`);
      process.exitCode = 1;
      continue;
    }
    console.log(writeReportPage(join(results, run)));
  }
}
