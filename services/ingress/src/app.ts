import { isLocalObjectStore } from '@imagegate/storage';
import express, { type Express } from 'express';
import type { IngressDeps } from './deps.ts';
import { authenticate } from './middleware/authenticate.ts';
import { errorHandler, unknownRoute } from './middleware/error-handler.ts';
import { requestId } from './middleware/request-id.ts';
import { storableJson } from './middleware/storable-json.ts';
import { accountRouter } from './routes/account.ts';
import { adminRouter } from './routes/admin.ts';
import { createGenerationHandler } from './routes/generations.ts';
import { healthRouter } from './routes/health.ts';
import { imageFilesRouter } from './routes/image-files.ts';
import { jobsRouter } from './routes/jobs.ts';
import { modelsRouter } from './routes/models.ts';
import { webhookDeliveriesRouter } from './routes/webhook-deliveries.ts';
import { createEnqueueBatcher } from './submission/enqueue-batcher.ts';
import { createHoldBatcher } from './submission/hold-batcher.ts';

/** The ingress express app, built from its dependencies (no I/O here). */
export function buildApp(deps: IngressDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(requestId);
  app.use(express.json({ limit: deps.settings.maxBodyBytes, type: ['application/json', 'application/*+json'] }));
  app.use(storableJson);
  app.use(healthRouter(deps));
  app.use(adminRouter(deps));
  // The local store's image URLs carry their own signature instead of an API key.
  if (isLocalObjectStore(deps.store)) app.use(imageFilesRouter(deps.store, deps));

  const auth = authenticate(deps.pool);
  app.use('/v1', auth);
  // Submits arriving together share one hold statement and one queue round trip, whatever their route.
  const submission = { ...deps, holds: createHoldBatcher(deps.pool), enqueuer: createEnqueueBatcher(deps.redis) };
  app.post('/v1/images/generations', createGenerationHandler(submission));
  app.use(jobsRouter(deps));
  app.use(webhookDeliveriesRouter(deps));
  app.use(modelsRouter(deps));
  app.use(accountRouter(deps));

  app.use(unknownRoute);
  app.use(errorHandler(deps.logger));
  return app;
}
