import { loadServiceOptions, startService } from '@saga/service';
import { orderService } from './service.ts';

const service = await startService(orderService, loadServiceOptions('order', { port: 3001, database: 'orders' }));
const stop = () => void service.stop().then(() => process.exit(0));
process.once('SIGINT', stop).once('SIGTERM', stop);
