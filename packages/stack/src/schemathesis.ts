import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { requireTool, run, withProgress } from './proc.ts';
import type { StackSettings } from './settings.ts';

/** Pinned: the property-based OpenAPI tester the conformance test runs (ADR 0013). */
export const SCHEMATHESIS_VERSION = '4.32.5';

/**
 * Schemathesis from PyPI in a virtualenv inside the cache (`python3 -m venv`, then pip), so a
 * fresh clone on the same machine reuses it; returns the path of its `st` command.
 */
export const ensureSchemathesis = async (s: StackSettings, say: (msg: string) => void): Promise<string> => {
  const venv = join(s.SAGA_CACHE_DIR, `schemathesis-${SCHEMATHESIS_VERSION}`);
  const st = join(venv, 'bin', 'st');
  if (existsSync(st)) return st;
  const python = requireTool('python3', 'install Python 3.9+ (apt-get install -y python3 python3-venv)');
  say(`installing schemathesis ${SCHEMATHESIS_VERSION} from PyPI into ${venv}`);
  try {
    await run(python, ['-m', 'venv', venv]);
    await withProgress(
      'pip install schemathesis',
      run(join(venv, 'bin', 'pip'), [
        'install',
        '--quiet',
        '--disable-pip-version-check',
        `schemathesis==${SCHEMATHESIS_VERSION}`,
      ]),
      say,
    );
  } catch (err) {
    rmSync(venv, { recursive: true, force: true }); // no half-made venv for the next try to trust
    throw err;
  }
  return st;
};
