import { isLocalObjectStore } from '@imagegate/storage';
import express, { type Express, type RequestHandler } from 'express';
import type { IngressDeps } from './deps.ts';
import { authenticate } from './middleware/authenticate.ts';
import { bodyDeadline } from './middleware/body-deadline.ts';
import { errorHandler, unknownRoute } from './middleware/error-handler.ts';
import { jsonBody } from './middleware/json-body.ts';
import { observeRequests } from './middleware/observe-requests.ts';
import { requestId } from './middleware/request-id.ts';
import { API_ROUTES } from './openapi/api-routes.ts';
import { methodNotAllowed } from './openapi/method-not-allowed.ts';
import { createRouteMatcher } from './openapi/route-matcher.ts';
import { accountRouter } from './routes/account.ts';
import { adminRouter } from './routes/admin.ts';
import { createChatCompletionHandler } from './routes/chat-completions.ts';
import { consoleRouter } from './routes/console.ts';
import { createEditHandlers, EDITS_PATH } from './routes/edits.ts';
import { createGenerationHandler } from './routes/generations.ts';
import { healthRouter } from './routes/health.ts';
import { imageFilesRouter } from './routes/image-files.ts';
import { jobsRouter } from './routes/jobs.ts';
import { metricsRouter } from './routes/metrics.ts';
import { modelsRouter } from './routes/models.ts';
import { openApiRouter } from './routes/openapi.ts';
import { quoteRouter } from './routes/quote.ts';
import { webhookDeliveriesRouter } from './routes/webhook-deliveries.ts';
import { createEnqueueBatcher } from './submission/enqueue-batcher.ts';
import { createHoldBatcher } from './submission/hold-batcher.ts';

/**
 * The ingress express app, built from its dependencies (no I/O here). `onRequest` runs first on
 * every request (the server's shutdown bookkeeping).
 */
export function buildApp(deps: IngressDeps, onRequest?: RequestHandler): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  if (onRequest !== undefined) app.use(onRequest);
  app.use(requestId);
  const matchPath = createRouteMatcher(API_ROUTES);
  app.use(observeRequests(deps.telemetry, matchPath));
  // Every route's body, however it is read (JSON here, a multipart stream in a route), must arrive in time.
  app.use(bodyDeadline(deps.settings));
  app.use(methodNotAllowed(matchPath));
  app.use(healthRouter(deps));
  app.use(metricsRouter(deps.telemetry.metrics));
  app.use(openApiRouter(API_ROUTES));
  app.use(consoleRouter(deps.store));
  // Bodies are read only after the caller is known (the admin router guards itself first).
  app.use(adminRouter(deps));
  // The local store's image URLs carry their own signature instead of an API key.
  if (isLocalObjectStore(deps.store)) app.use(imageFilesRouter(deps.store, deps));

  const auth = authenticate(deps.pool);
  // Submits arriving together share one hold statement and one queue round trip, whatever their route.
  const submission = { ...deps, holds: createHoldBatcher(deps.pool), enqueuer: createEnqueueBatcher(deps.redis) };
  // Edits read their own bodies (multipart as a stream, JSON with a limit sized for images), after the key.
  app.post(EDITS_PATH, auth, ...createEditHandlers(submission));
  app.use('/v1', auth, jsonBody(deps.settings.maxBodyBytes));
  app.post('/v1/images/generations', createGenerationHandler(submission));
  app.post('/v1/chat/completions', createChatCompletionHandler(submission));
  app.use(quoteRouter(deps));
  app.use(jobsRouter(deps));
  app.use(webhookDeliveriesRouter(deps));
  app.use(modelsRouter(deps));
  app.use(accountRouter(deps));

  app.use(unknownRoute);
  app.use(errorHandler(deps.logger));
  return app;
}
