export * from './definition.ts';
export * from './engine.ts';
export * from './order-saga.ts';
export * from './config.ts';
export * from './runtime.ts';
export { CUSTOM_SAGA_COLUMNS } from './api.ts';
