import { API_ROUTES, registeredRoutes } from '@imagegate/ingress';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { callJson, type ErrorEnvelope } from '../support/http.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';

let stack: TestStack;
let account: TestAccount;

beforeAll(async () => {
  stack = await startTestStack();
  account = await stack.createAccount('openapi');
});
afterAll(async () => {
  await stack?.stop();
});

const documentSchema = z.object({
  openapi: z.string(),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
  components: z.object({ schemas: z.record(z.string(), z.unknown()) }),
});

/** `/v1/images/jobs/:id` → `/v1/images/jobs/{id}`, as the document writes paths. */
const openApiPath = (path: string) => path.replace(/[:*]([A-Za-z_]\w*)/g, '{$1}');

describe('GET /v1/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document, served without a key', async () => {
    const response = await fetch(`${stack.url}/v1/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await response.text();
    const result = await new Validator().validate(z.record(z.string(), z.unknown()).parse(JSON.parse(text)));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(documentSchema.parse(JSON.parse(text)).openapi).toBe('3.1.0');
  });

  it('describes every route the express app registers, with the method it registers', async () => {
    const document = documentSchema.parse(await (await fetch(`${stack.url}/v1/openapi.json`)).json());
    const registered = registeredRoutes(stack.ingress.app);
    // The express app has at least the routes the list names, and the list names each of them.
    expect(registered.length).toBeGreaterThanOrEqual(API_ROUTES.length);
    const missing = registered.filter((route) => document.paths[openApiPath(route.path)]?.[route.method] === undefined);
    expect(missing).toEqual([]);
    const unserved = API_ROUTES.filter(
      (route) => !registered.some((each) => each.path === route.path && each.method === route.method),
    );
    expect(unserved).toEqual([]);
  });

  it('documents the request bodies from the schemas the routes parse with, and the error envelope with its codes', async () => {
    const document = documentSchema.parse(await (await fetch(`${stack.url}/v1/openapi.json`)).json());
    const text = JSON.stringify(document);
    const generations = z
      .object({ post: z.object({ requestBody: z.object({ content: z.record(z.string(), z.unknown()) }) }) })
      .parse(document.paths['/v1/images/generations']);
    expect(JSON.stringify(generations.post.requestBody.content['application/json'])).toContain('"providerOptions"');
    const edits = z
      .object({ post: z.object({ requestBody: z.object({ content: z.record(z.string(), z.unknown()) }) }) })
      .parse(document.paths['/v1/images/edits']);
    expect(Object.keys(edits.post.requestBody.content).sort()).toEqual(['application/json', 'multipart/form-data']);
    expect(JSON.stringify(edits.post.requestBody.content['multipart/form-data'])).toContain('"image[]"');
    expect(document.components.schemas.ErrorEnvelope).toMatchObject({ type: 'object' });
    expect(document.components.schemas.Job).toMatchObject({ type: 'object' });
    for (const code of ['insufficient_balance', 'method_not_allowed', 'overloaded', 'unknown_url']) {
      expect(text).toContain(code);
    }
  });
});

describe('a wrong method on a known path', () => {
  it.each([
    ['GET', '/v1/images/generations', 'POST'],
    ['DELETE', '/v1/images/jobs/job_123', 'GET, HEAD'],
    ['GET', '/v1/images/jobs/job_123/cancel', 'POST'],
    ['PUT', '/v1/models/gpt-image-2', 'GET, HEAD'],
    ['POST', '/admin/v1/reports/margin', 'GET, HEAD'],
  ])('answers %s %s with 405 and Allow: %s', async (method, path, allow) => {
    const response = await callJson<ErrorEnvelope>(`${stack.url}${path}`, { method, apiKey: account.apiKey });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allow);
    expect(response.body.error).toMatchObject({ type: 'invalid_request_error', code: 'method_not_allowed' });
  });

  it('still answers an unknown path 404, and a known method as before', async () => {
    const unknown = await callJson<ErrorEnvelope>(`${stack.url}/v1/images/nothing`, { apiKey: account.apiKey });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('unknown_url');
    const jobs = await callJson(`${stack.url}/v1/images/jobs`, { apiKey: account.apiKey });
    expect(jobs.status).toBe(200);
  });
});
