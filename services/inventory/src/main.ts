import { loadServiceOptions, runProcess, startService } from '@saga/service';
import { inventoryService } from './service.ts';

await runProcess(() =>
  startService(inventoryService, loadServiceOptions('inventory', { port: 3002, database: 'inventory' })),
);
