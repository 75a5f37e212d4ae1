import { loadServiceOptions, startService } from '@saga/service';
import { paymentService } from './service.ts';

const service = await startService(paymentService, loadServiceOptions('payment', { port: 3003, database: 'payments' }));
const stop = () => void service.stop().then(() => process.exit(0));
process.once('SIGINT', stop).once('SIGTERM', stop);
