import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

const DEFS_REF = /^#\/\$defs\//;

/** `#/$defs/X` (what zod writes) → `#/components/schemas/X` (where the document keeps them). */
function moveRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(moveRefs);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      key === '$ref' && typeof inner === 'string' ? inner.replace(DEFS_REF, '#/components/schemas/') : moveRefs(inner),
    ]),
  );
}

function asJsonSchema(value: unknown): JsonSchema {
  return z.record(z.string(), z.unknown()).parse(value);
}

/**
 * A zod schema as the JSON Schema (2020-12, OpenAPI 3.1's dialect) of what a client sends
 * (`input`: before transforms and defaults) or receives (`output`). Schemas named with
 * `.meta({ id })` go to `components` (shared by every operation) and are referenced by `$ref`.
 */
export function jsonSchemaOf(
  schema: z.ZodType,
  io: 'input' | 'output',
  components: Map<string, JsonSchema>,
): JsonSchema {
  const {
    $schema: _dialect,
    $defs,
    id: _id,
    ...converted
  } = asJsonSchema(z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }));
  for (const [name, definition] of Object.entries(asJsonSchema($defs ?? {}))) {
    components.set(name, asJsonSchema(moveRefs(definition)));
  }
  const body = asJsonSchema(moveRefs(converted));
  const id = schema.meta()?.id;
  if (typeof id !== 'string') return body;
  // zod may already have written the named schema into `$defs` and answered a bare reference to it.
  const onlyReference = typeof body.$ref === 'string' && Object.keys(body).length === 1;
  if (!onlyReference) components.set(id, body);
  return { $ref: `#/components/schemas/${id}` };
}
