import { runProcess } from '@saga/service';
import { loadOrchestratorConfig } from './config.ts';
import { startOrchestrator } from './runtime.ts';

await runProcess(() => startOrchestrator(loadOrchestratorConfig()));
