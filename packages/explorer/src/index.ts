export * from './server.ts';
export * from './build.ts';
