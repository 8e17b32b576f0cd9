import { z } from 'zod';
import { fallbacksFieldSchema, generationExtraSchema, webhookUrlFieldSchema } from './generation-extra.ts';

/**
 * OpenAI treats an explicit `null` as "absent"; so do we. The transform sits inside `.optional()`,
 * so a field the body leaves out costs nothing (a transform outside it ran for each of the ~25
 * absent fields of every request: a third of the request's parse).
 */
export const optional = <T extends z.ZodType>(schema: T) =>
  schema
    .nullable()
    .transform((value) => value ?? undefined)
    .optional();

/**
 * An option name. Names that are (or camelCase to) members of `Object.prototype` (`constructor`,
 * `has_own_property`…) are never options, and plain-object lookups would find the prototype's.
 */
const optionNameSchema = z
  .string()
  .min(1)
  .max(64)
  .refine(
    (name) => !(name.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase()) in Object.prototype),
    'not an option name',
  );

/** `{ "<provider>": { "<option>": value } }`; each provider's options are checked against the model. */
const providerOptionsSchema = z
  .record(optionNameSchema, z.record(optionNameSchema, z.unknown()))
  .refine((options) => Object.keys(options).length <= 8, 'at most 8 providers');

/**
 * Our extensions, as a request body may spell them: provider options in Vercel's or in snake case,
 * fallbacks and the webhook URL at the top level or inside `extra` (for OpenAI clients that can only
 * send extra fields nested). Every operation's request schema spreads these fields.
 */
export const extensionFields = {
  webhook_url: optional(webhookUrlFieldSchema),
  extra: optional(generationExtraSchema),
  fallbacks: optional(fallbacksFieldSchema),
  providerOptions: optional(providerOptionsSchema),
  provider_options: optional(providerOptionsSchema),
  metadata: optional(
    z
      .record(z.string().min(1).max(64), z.string().max(512))
      .refine((metadata) => Object.keys(metadata).length <= 16, 'at most 16 pairs'),
  ),
};

type ExtensionInput = {
  [K in keyof typeof extensionFields]?: z.output<(typeof extensionFields)[K]>;
};

/** The extensions with one spelling each, remembering where the client put them (for error params). */
export interface NormalisedExtensions {
  providerOptions: Record<string, Record<string, unknown>> | undefined;
  /** The body field the provider options came in, for errors that name it. */
  providerOptionsField: 'providerOptions' | 'provider_options';
  /** Models to try after the requested one, in order. */
  fallbacks: string[] | undefined;
  /** The body field the fallbacks came in (`fallbacks` or `extra.fallbacks`). */
  fallbacksField: 'fallbacks' | 'extra.fallbacks';
  /** Not yet checked by the SSRF guard (that needs DNS: the submission does it). */
  webhookUrl: string | undefined;
  metadata: Record<string, string>;
}

/** Refuses a body that gives an extension twice (a 400 naming the second place). */
export function checkExtensionsGivenOnce(body: ExtensionInput, context: z.RefinementCtx): void {
  const twice = (path: string[], message: string) => context.addIssue({ code: 'custom', message, path });
  if (body.providerOptions !== undefined && body.provider_options !== undefined) {
    twice(['provider_options'], "give either 'providerOptions' or 'provider_options', not both");
  }
  if (body.fallbacks !== undefined && body.extra?.fallbacks !== undefined) {
    twice(['extra', 'fallbacks'], 'give fallbacks once: at the top level or in extra, not both');
  }
  const nested = body.extra?.webhook_url;
  if (body.webhook_url !== undefined && nested !== undefined && body.webhook_url !== nested) {
    twice(['extra', 'webhook_url'], 'give webhook_url once: at the top level or in extra, not both');
  }
}

/**
 * A checked body's own fields apart from its extensions, and the extensions each in one spelling:
 * what every operation's request schema hands on.
 */
export function splitExtensions<T extends ExtensionInput>(
  body: T,
): { fields: Omit<T, keyof ExtensionInput>; extensions: NormalisedExtensions } {
  const { webhook_url, extra, fallbacks, providerOptions, provider_options, metadata, ...fields } = body;
  return {
    fields,
    extensions: normaliseExtensions({ webhook_url, extra, fallbacks, providerOptions, provider_options, metadata }),
  };
}

/** The extension fields of a checked body, each in one spelling. */
function normaliseExtensions(body: ExtensionInput): NormalisedExtensions {
  return {
    providerOptions: body.providerOptions ?? body.provider_options,
    providerOptionsField: body.provider_options === undefined ? 'providerOptions' : 'provider_options',
    fallbacks: body.fallbacks ?? body.extra?.fallbacks,
    fallbacksField:
      body.fallbacks === undefined && body.extra?.fallbacks !== undefined ? 'extra.fallbacks' : 'fallbacks',
    webhookUrl: body.webhook_url ?? body.extra?.webhook_url,
    metadata: body.metadata ?? {},
  };
}
