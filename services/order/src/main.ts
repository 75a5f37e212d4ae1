import { loadServiceOptions, runProcess, startService } from '@saga/service';
import { orderService } from './service.ts';

await runProcess(() => startService(orderService, loadServiceOptions('order', { port: 3001, database: 'orders' })));
