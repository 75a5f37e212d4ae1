import { runProcess } from '@saga/service';
import { loadDbosConfig } from './config.ts';
import { startDbosCoordinator } from './coordinator.ts';

await runProcess(() => startDbosCoordinator(loadDbosConfig()));
