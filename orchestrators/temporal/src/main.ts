import { loadTemporalConfig } from './config.ts';
import { startTemporalCoordinator } from './coordinator.ts';

const coordinator = await startTemporalCoordinator(loadTemporalConfig());
const stop = () => void coordinator.stop().then(() => process.exit(0));
process.once('SIGINT', stop).once('SIGTERM', stop);
