import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';

const src = fileURLToPath(new URL('.', import.meta.url));
const dist = fileURLToPath(new URL('../dist/', import.meta.url));

/** What the bundle is made of: our workflow sources and the SDK's version. */
const sourceHash = () => {
  const h = createHash('sha256');
  h.update((createRequire(import.meta.url)('@temporalio/workflow/package.json') as { version: string }).version);
  for (const f of readdirSync(src)
    .filter((f) => f.endsWith('.ts') && !f.includes('.test.'))
    .sort())
    h.update(f).update(readFileSync(join(src, f)));
  return h.digest('hex').slice(0, 16);
};

/**
 * The workflow code, bundled once (webpack) into `dist/workflows-<hash>.js` and reused by every
 * later worker start — Temporal's advice for production: without it each start bundles again,
 * ~1.5 s of CPU, which a restarted coordinator pays before it polls (ADR 0005). A changed
 * source or SDK version gives a new hash, so a stale bundle is never used. Two instances
 * starting at once both bundle; the rename keeps the file whole.
 */
export const workflowBundle = async (): Promise<{ codePath: string; built: boolean }> => {
  const codePath = join(dist, `workflows-${sourceHash()}.js`);
  if (existsSync(codePath)) return { codePath, built: false };
  const { code } = await bundleWorkflowCode({
    workflowsPath: join(src, 'workflows.ts'),
    logger: new DefaultLogger('WARN'),
  });
  mkdirSync(dist, { recursive: true });
  const tmp = `${codePath}.${process.pid}.tmp`;
  writeFileSync(tmp, code);
  renameSync(tmp, codePath);
  return { codePath, built: true };
};
