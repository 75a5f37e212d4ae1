export * from './faults.ts';
export * from './spec.ts';
export * from './executor.ts';
export * from './routes.ts';
export * from './runtime.ts';
export * from './outcomes.ts';
export * from './operator-api.ts';
export * from './reactions.ts';
