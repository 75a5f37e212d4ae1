export * from './settings.ts';
export * from './stack.ts';
export type { Server } from './server.ts';
export { CHROMIUM_ARGS, ensureChromium } from './browser.ts';
export { ensureSchemathesis, SCHEMATHESIS_VERSION } from './schemathesis.ts';
export { liveProgress } from './progress.ts';
export { atBaselinePriority, livePid, spawnDetached, stopPid } from './proc.ts';
export { SEARCH_ATTRIBUTES } from './temporal.ts';
