import type { GoogleErrorReply } from './errors.ts';
import { invalidArgument } from './errors.ts';

/** A JSON object as parsed from a request body. */
export type JsonObject = Record<string, unknown>;

/**
 * Validation failure carrying the exact reply to send. A class (not a tagged object) so that no
 * user-supplied JSON object can ever be mistaken for a failure.
 */
export class Invalid {
  readonly reply: GoogleErrorReply;

  constructor(reply: GoogleErrorReply) {
    this.reply = reply;
  }
}

/** Narrows a parsed JSON value to a plain object. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Narrows a reader result to a failure. */
export function isInvalid(value: unknown): value is Invalid {
  return value instanceof Invalid;
}

/** Wraps a message into a 400 INVALID_ARGUMENT failure. */
export function invalid(message: string): Invalid {
  return new Invalid(invalidArgument(message));
}

/** `imageConfig` → `image_config`; Google's JSON transcoder accepts both spellings. */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** `image_config` → `imageConfig`. */
export function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

/** Reads a field under its camelCase name or its snake_case twin. */
export function field(object: JsonObject, camelName: string): unknown {
  const value = object[camelName];
  return value === undefined ? object[snakeCase(camelName)] : value;
}

/**
 * Finds the first key (in either spelling) not in `known`, as Google's transcoder rejects them.
 * @returns the offending key as sent, or undefined.
 */
export function unknownKey(object: JsonObject, known: ReadonlySet<string>): string | undefined {
  return Object.keys(object).find((key) => !known.has(camelCase(key)));
}

/** Reads an optional string; `null` counts as absent, as in proto3 JSON. */
export function optionalString(object: JsonObject, name: string, path: string): string | undefined | Invalid {
  const value = field(object, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return invalid(`Invalid value at '${path}' (TYPE_STRING), ${JSON.stringify(value)}`);
  return value;
}

/** Reads an optional boolean. */
export function optionalBoolean(object: JsonObject, name: string, path: string): boolean | undefined | Invalid {
  const value = field(object, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') return invalid(`Invalid value at '${path}' (TYPE_BOOL), ${JSON.stringify(value)}`);
  return value;
}

/** Reads an optional integer; Google rejects fractions with TYPE_INT32 errors. */
export function optionalInteger(object: JsonObject, name: string, path: string): number | undefined | Invalid {
  const value = field(object, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    return invalid(`Invalid value at '${path}' (TYPE_INT32), ${JSON.stringify(value)}`);
  }
  return value;
}

/** Reads an optional object. */
export function optionalObject(object: JsonObject, name: string, path: string): JsonObject | undefined | Invalid {
  const value = field(object, name);
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) {
    return invalid(`Invalid value at '${path}': expected an object, got ${JSON.stringify(value)}`);
  }
  return value;
}
