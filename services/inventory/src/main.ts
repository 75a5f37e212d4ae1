import { loadServiceOptions, startService } from '@saga/service';
import { inventoryService } from './service.ts';

const service = await startService(inventoryService, loadServiceOptions('inventory', { port: 3002, database: 'inventory' }));
const stop = () => void service.stop().then(() => process.exit(0));
process.once('SIGINT', stop).once('SIGTERM', stop);
