export * from './app.ts';
export * from './logger.ts';
export * from './listen.ts';
export * from './client.ts';
