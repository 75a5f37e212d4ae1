export * from './app.ts';
export * from './logger.ts';
