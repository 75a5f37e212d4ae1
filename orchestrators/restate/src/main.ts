import { runProcess } from '@saga/service';
import { loadRestateConfig } from './config.ts';
import { startRestateCoordinator } from './coordinator.ts';

await runProcess(() => startRestateCoordinator(loadRestateConfig()));
