import { loadServiceOptions, runProcess, startService } from '@saga/service';
import { paymentService } from './service.ts';

await runProcess(() =>
  startService(paymentService, loadServiceOptions('payment', { port: 3003, database: 'payments' })),
);
