import { loadOrchestratorConfig } from './config.ts';
import { startOrchestrator } from './runtime.ts';

const orchestrator = await startOrchestrator(loadOrchestratorConfig());
const stop = () => void orchestrator.stop().then(() => process.exit(0));
process.once('SIGINT', stop).once('SIGTERM', stop);
