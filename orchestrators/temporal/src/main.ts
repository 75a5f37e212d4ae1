import { runProcess } from '@saga/service';
import { loadTemporalConfig } from './config.ts';
import { startTemporalCoordinator } from './coordinator.ts';

await runProcess(() => startTemporalCoordinator(loadTemporalConfig()));
