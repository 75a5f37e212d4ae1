import { pino, type Logger } from 'pino';

export type { Logger };

/** One JSON logger per process; `base` fields (service name) go on every line. */
export const createLogger = (name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger =>
  pino({ name, level, base: { service: name } });
