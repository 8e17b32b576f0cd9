import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkGeminiApiKey, checkVertexAuth } from './auth.ts';
import { googleError } from './errors.ts';
import type { GoogleSurface } from './fault-replies.ts';
import { generateContentReply } from './generate-content-response.ts';
import { runGeneration } from './generation-pipeline.ts';
import { isGeminiImageModel, isImagenModel } from './models.ts';
import { predictReply } from './predict-response.ts';
import { redactInlineData } from './redact.ts';
import { sendGoogleError } from './reply.ts';
import type { RouterContext } from './router-context.ts';
import type { GoogleRoute } from './routes.ts';
import { geminiModelNotFound, vertexModelNotFound } from './routes.ts';
import { streamGenerateContent } from './stream-generate-content.ts';
import { validateGenerateContent } from './validate-generate-content.ts';
import { validatePredictRequest } from './validate-predict.ts';

type ModelRoute = Extract<GoogleRoute, { kind: 'vertex' | 'gemini' }>;

/**
 * Dispatches a model call to `:predict` (Vertex only) or `:generateContent` (both surfaces). Auth
 * comes first, then model existence, both inside the pipeline so stats count refused calls too.
 */
export function routeGeneration(
  req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
  route: ModelRoute,
  context: RouterContext,
): Promise<void> {
  const surface: GoogleSurface = route.kind;
  const authenticate = () =>
    route.kind === 'vertex'
      ? checkVertexAuth(req, context.tokens, context.projectId, route)
      : checkGeminiApiKey(req, query, context.apiKey);
  const notFound = () => (route.kind === 'vertex' ? vertexModelNotFound(route) : geminiModelNotFound(route));

  if (route.method === 'predict' && route.kind === 'vertex') {
    const model = route.model;
    return runGeneration(req, res, context.settings, {
      surface,
      model,
      stats: context.stats.recorder('predict'),
      precheck: () => authenticate() ?? (isImagenModel(model) ? undefined : notFound()),
      validate: (body) =>
        isImagenModel(model) ? validatePredictRequest(model, body) : { ok: false, error: notFound() },
      redact: (body) => body,
      respond: (request, outcome) => predictReply(request, outcome, context.render),
    });
  }
  if (route.method === 'generateContent' || route.method === 'streamGenerateContent') {
    const model = route.model;
    return runGeneration(req, res, context.settings, {
      ...(route.method === 'streamGenerateContent' ? { stream: streamGenerateContent } : {}),
      surface,
      model,
      stats: context.stats.recorder(route.kind === 'vertex' ? 'vertexGenerateContent' : 'geminiGenerateContent'),
      precheck: () => authenticate() ?? (isGeminiImageModel(model) ? undefined : notFound()),
      validate: (body) =>
        isGeminiImageModel(model) ? validateGenerateContent(model, surface, body) : { ok: false, error: notFound() },
      redact: redactInlineData,
      respond: (request, outcome) => generateContentReply(request, outcome, context.render),
    });
  }
  const message = `Method '${route.method}' is not implemented by the imagegate Google emulator (only predict, generateContent and streamGenerateContent).`;
  sendGoogleError(res, googleError(404, 'NOT_FOUND', message));
  return Promise.resolve();
}
