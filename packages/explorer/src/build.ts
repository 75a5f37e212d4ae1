import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const ui = here('../ui/');
/** Where the built page goes (git-ignored): index.html, app.js, app.css. */
export const assetsDir = here('../../../dist/explorer/');

/**
 * Builds the explorer's page from the registry's packages (Preact, bundled by esbuild): one
 * script and one stylesheet, nothing the browser fetches from elsewhere. Run at install time
 * (postinstall) and again by `npm run explorer` (it takes well under a second).
 */
export const buildExplorer = async () => {
  mkdirSync(assetsDir, { recursive: true });
  await build({
    entryPoints: [join(ui, 'main.tsx')],
    outfile: join(assetsDir, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: join(ui, 'tsconfig.json'),
    logLevel: 'warning',
  });
  for (const f of ['index.html', 'app.css']) copyFileSync(join(ui, f), join(assetsDir, f));
  return assetsDir;
};
