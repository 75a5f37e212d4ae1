export * from './shared.ts';
export * from './config.ts';
export * from './coordinator.ts';
export * from './endpoint.ts';
