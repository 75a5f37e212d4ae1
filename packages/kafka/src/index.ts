export * from './client.ts';
export * from './consumer.ts';
export * from './offsets.ts';
