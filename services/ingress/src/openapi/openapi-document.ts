import { ERROR_CODE_DETAILS, ERROR_CODES } from '@imagegate/core';
import { z } from 'zod';
import type { ApiRoute, RouteAnswer } from './api-route.ts';
import { type JsonSchema, jsonSchemaOf } from './json-schema-of.ts';
import { errorEnvelopeSchema } from './response-schemas.ts';
import { openApiPathOf } from './route-matcher.ts';

/** A JSON Schema object's `properties` (none when it has none). */
function propertiesOf(schema: JsonSchema): Record<string, unknown> {
  return z
    .record(z.string(), z.unknown())
    .catch({})
    .parse(schema.properties ?? {});
}

const SECURITY = { api_key: [{ apiKey: [] }], admin: [{ adminToken: [] }], none: [] } as const;

/** The error codes by HTTP status, for each operation's error answers. */
function errorCodesByStatus(): Map<number, string[]> {
  const byStatus = new Map<number, string[]>();
  for (const code of ERROR_CODES) {
    const { status } = ERROR_CODE_DETAILS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return byStatus;
}

/**
 * The OpenAPI 3.1 document of `routes`: requests from the zod schemas the routes parse with,
 * answers from the response schemas, and every error as the envelope with its code.
 */
export function openApiDocument(routes: readonly ApiRoute[], info: { version: string; serverUrl?: string }) {
  const components = new Map<string, JsonSchema>();
  const errorRef = jsonSchemaOf(errorEnvelopeSchema, 'output', components);
  const codesByStatus = errorCodesByStatus();
  const errorAnswer = (codes: string[]) => ({
    description: `The error envelope; \`code\` is one of: ${codes.map((code) => `\`${code}\``).join(', ')}.`,
    content: { 'application/json': { schema: errorRef } },
  });
  const errorAnswers = {
    '4XX': errorAnswer([...codesByStatus].filter(([status]) => status < 500).flatMap(([, codes]) => codes)),
    '5XX': errorAnswer([...codesByStatus].filter(([status]) => status >= 500).flatMap(([, codes]) => codes)),
  };

  function answerOf(answer: RouteAnswer) {
    if (answer.json !== undefined) {
      return {
        description: answer.description,
        content: { 'application/json': { schema: jsonSchemaOf(answer.json, 'output', components) } },
      };
    }
    if (answer.text !== undefined) {
      return {
        description: answer.description,
        content: { [answer.text.contentType]: { schema: { type: 'string' } } },
      };
    }
    return { description: answer.description };
  }

  function parametersOf(route: ApiRoute) {
    const path = [...route.path.matchAll(/[:*]([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => ({
      name: match[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const querySchema = route.query === undefined ? {} : jsonSchemaOf(route.query, 'input', components);
    const required = new Set(Array.isArray(querySchema.required) ? querySchema.required : []);
    const properties = propertiesOf(querySchema);
    const query = Object.entries(properties).map(([name, schema]) => ({
      name,
      in: 'query',
      required: required.has(name),
      schema,
    }));
    const headers = Object.entries(route.headers ?? {}).map(([name, description]) => ({
      name,
      in: 'header',
      required: false,
      description,
      schema: { type: 'string' },
    }));
    return [...path, ...query, ...headers];
  }

  function requestBodyOf(route: ApiRoute) {
    const content: Record<string, { schema: JsonSchema }> = {};
    if (route.jsonBody !== undefined) {
      content['application/json'] = { schema: jsonSchemaOf(route.jsonBody, 'input', components) };
    }
    if (route.multipartBody !== undefined) {
      const fields = jsonSchemaOf(route.multipartBody.fields, 'input', components);
      const fieldProperties = propertiesOf(fields);
      const file = { type: 'string', contentMediaType: 'application/octet-stream' };
      const files = Object.fromEntries(
        route.multipartBody.files.map((part) => [
          part.name,
          part.many
            ? { type: 'array', items: file, description: part.description }
            : { ...file, description: part.description },
        ]),
      );
      const { images: _images, mask: _mask, ...textFields } = fieldProperties;
      content['multipart/form-data'] = {
        schema: {
          type: 'object',
          properties: { ...textFields, ...files },
          required: Array.isArray(fields.required) ? fields.required : [],
        },
      };
    }
    return Object.keys(content).length === 0 ? undefined : { required: true, content };
  }

  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const requestBody = requestBodyOf(route);
    const parameters = parametersOf(route);
    paths[openApiPathOf(route.path)] ??= {};
    const item = paths[openApiPathOf(route.path)] ?? {};
    item[route.method] = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      security: SECURITY[route.auth],
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(requestBody === undefined ? {} : { requestBody }),
      responses: {
        ...Object.fromEntries(route.answers.map((answer) => [String(answer.status), answerOf(answer)])),
        ...errorAnswers,
      },
    };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'imagegate',
      version: info.version,
      description:
        'An OpenAI-compatible image-generation gateway. Every error is the OpenAI envelope `{"error": {"message", "type", "param", "code"}}` with a code from docs/error-codes.md.',
    },
    ...(info.serverUrl === undefined ? {} : { servers: [{ url: info.serverUrl }] }),
    paths,
    components: {
      schemas: Object.fromEntries([...components].sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key (`sk-…`).' },
        adminToken: { type: 'http', scheme: 'bearer', description: '`ADMIN_TOKEN`, for /admin/v1.' },
      },
    },
  };
}
