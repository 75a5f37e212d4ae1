export * from './processes.ts';
export * from './build.ts';
export * from './coordinators.ts';
