import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { DRIVERS } from './coordinators.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Every process the launcher and the harness start, by name, and its entry point: the services, then each coordinator's (its driver's). */
export const ENTRY_POINTS = {
  order: 'services/order/src/main.ts',
  inventory: 'services/inventory/src/main.ts',
  payment: 'services/payment/src/main.ts',
  notification: 'services/notification/src/main.ts',
  ...(Object.fromEntries(DRIVERS.flatMap((d) => ('entry' in d ? [[d.name, d.entry]] : []))) as Record<
    ProcessCoordinator,
    string
  >),
};
/** The coordinators that run a process of their own (choreography has none: the services react). */
type ProcessCoordinator = Extract<(typeof DRIVERS)[number], { entry: string }>['name'];
export type Runnable = keyof typeof ENTRY_POINTS;
const NAMES = Object.keys(ENTRY_POINTS) as Runnable[];

/** Where the compiled processes go (git-ignored), and the list of sources each build read. */
export const buildDir = join(root, 'dist', 'processes');
const manifestPath = join(buildDir, 'manifest.json');
export const sourceOf = (name: Runnable) => join(root, ENTRY_POINTS[name]);
export const compiledOf = (name: Runnable) => join(buildDir, `${name}.mjs`);

/**
 * Our workspace packages are compiled into each bundle; every other package stays an import
 * from node_modules. Each of our files keeps its own `import.meta.url` (migrations, bundles and
 * other files are found next to their source, as under tsx).
 */
const ours: Plugin = {
  name: 'saga-sources',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@saga/') ? undefined : { path: args.path, external: true },
    );
    b.onLoad({ filter: /\.ts$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replaceAll(
        'import.meta.url',
        JSON.stringify(pathToFileURL(args.path).href),
      ),
      loader: 'ts',
      resolveDir: dirname(args.path),
    }));
  },
};

/** Whether the last build is there and no source it read has changed or gone since. */
const fresh = (): boolean => {
  if (!existsSync(manifestPath)) return false;
  const { builtAt, inputs } = JSON.parse(readFileSync(manifestPath, 'utf8')) as { builtAt: number; inputs: string[] };
  return (
    NAMES.every((n) => existsSync(compiledOf(n))) &&
    inputs.every((f) => existsSync(join(root, f)) && statSync(join(root, f)).mtimeMs < builtAt)
  );
};

/** One ES module per process (esbuild, source maps inline), renamed into place so a starting process never reads half a file. */
const compile = async () => {
  const builtAt = Date.now();
  const tmp = join(buildDir, `.tmp-${process.pid}`);
  const result = await build({
    entryPoints: Object.fromEntries(NAMES.map((n) => [n, sourceOf(n)])),
    outdir: tmp,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    metafile: true,
    logLevel: 'silent',
    plugins: [ours],
  });
  mkdirSync(buildDir, { recursive: true });
  for (const n of NAMES) renameSync(join(tmp, `${n}.mjs`), compiledOf(n));
  rmSync(tmp, { recursive: true, force: true });
  const inputs = Object.keys(result.metafile.inputs).map((f) => relative(root, join(process.cwd(), f)));
  writeFileSync(manifestPath, JSON.stringify({ builtAt, inputs }, null, 1));
};

let ready: Promise<{ built: boolean; ms: number }> | undefined;
let done = false;
/** Whether this process has made sure the compiled processes are current. */
export const isBuilt = () => done;

/**
 * Compiles every process unless the last build is still current — once per launcher process.
 * Processes then start with plain `node`, without tsx's loader compiling TypeScript at every
 * start (ADR 0014).
 */
export const ensureBuilt = (): Promise<{ built: boolean; ms: number }> =>
  (ready ??= (async () => {
    const t0 = performance.now();
    const built = !fresh();
    if (built) await compile();
    done = true;
    return { built, ms: performance.now() - t0 };
  })());

/**
 * How processes run (`SAGA_RUNTIME`): `js`, the compiled bundles, by default; `tsx`, the
 * TypeScript sources through tsx's loader, to debug a source file as it is.
 */
export const runtimeOf = (env: NodeJS.ProcessEnv = process.env): 'js' | 'tsx' => {
  const runtime = env.SAGA_RUNTIME ?? 'js';
  if (runtime !== 'js' && runtime !== 'tsx')
    throw new Error(
      `SAGA_RUNTIME="${runtime}": expected js (compiled processes, the default) or tsx (TypeScript sources)`,
    );
  return runtime;
};

/** Whatever the processes need before they start: the build, under the `js` runtime. */
export const prepareProcesses = async (env: NodeJS.ProcessEnv = process.env): Promise<void> => {
  if (runtimeOf(env) === 'js') await ensureBuilt();
};
