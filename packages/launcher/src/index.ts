export * from './processes.ts';
export * from './build.ts';
