import { existsSync } from 'node:fs';
import { aptInstall } from './proc.ts';
import type { StackSettings } from './settings.ts';

/** Chromium flags that keep a headless browser from reaching for the network or a GPU (STACK.md). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Debian's Chromium for the Web UI test (playwright-core drives it by path; a browser download
 * would fail here). Installed with apt-get when missing and we are root; returns its path.
 */
export const ensureChromium = async (s: StackSettings, say: (msg: string) => void) => {
  if (!existsSync(s.CHROMIUM_PATH)) {
    await aptInstall(
      'chromium',
      say,
      `No browser at ${s.CHROMIUM_PATH} (needed by the Temporal Web UI test).`,
      'or set CHROMIUM_PATH to a Chromium binary',
    );
  }
  if (!existsSync(s.CHROMIUM_PATH))
    throw new Error(`apt-get installed chromium, but ${s.CHROMIUM_PATH} is still missing: set CHROMIUM_PATH`);
  return s.CHROMIUM_PATH;
};
