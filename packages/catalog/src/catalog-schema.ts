import { z } from 'zod';

const sizeString = z.string().regex(/^[1-9][0-9]{1,4}x[1-9][0-9]{1,4}$/);

/** A model that takes only a listed set of `WxH` sizes. */
const fixedSizesSchema = z.object({
  mode: z.literal('fixed'),
  values: z.array(sizeString).min(1),
  /** Whether `size: "auto"` is passed through to the upstream (else it becomes `default`). */
  auto: z.boolean(),
  default: sizeString,
});

/** A model that takes any `WxH` within limits (gpt-image-2). */
const freeSizesSchema = z.object({
  mode: z.literal('free'),
  multipleOf: z.int().positive(),
  maxEdge: z.int().positive(),
  maxAspectRatio: z.number().min(1),
  minPixels: z.int().positive(),
  maxPixels: z.int().positive(),
  auto: z.boolean(),
  default: sizeString,
});

export const modelCapabilitiesSchema = z.object({
  sizes: z.discriminatedUnion('mode', [fixedSizesSchema, freeSizesSchema]),
  /** Most images one gateway request may ask for. */
  maxImagesPerRequest: z.int().min(1).max(10),
  qualities: z.array(z.enum(['low', 'medium', 'high', 'auto'])).min(1),
  outputFormats: z.array(z.enum(['png', 'jpeg', 'webp'])).min(1),
  transparentBackground: z.boolean(),
  outputCompression: z.boolean(),
  moderation: z.boolean(),
  edits: z.boolean(),
});

export const modelLifecycleSchema = z.object({
  status: z.enum(['active', 'deprecated', 'retired']),
  deprecatedAt: z.iso.date().optional(),
  retiresAt: z.iso.date().optional(),
  replacement: z.string().optional(),
});

/** Per-image list prices in USD by quality, for outputs up to `maxPixels`. */
export const priceTierSchema = z.object({
  maxPixels: z.int().positive(),
  usd: z.record(z.enum(['low', 'medium', 'high']), z.number().nonnegative()),
});

export const catalogModelSchema = z.object({
  id: z.string().min(1),
  owner: z.string().min(1),
  provider: z.string().min(1),
  providerModel: z.string().min(1),
  aliases: z.array(z.string()).default([]),
  description: z.string().default(''),
  capabilities: modelCapabilitiesSchema,
  lifecycle: modelLifecycleSchema,
  pricing: z.object({ note: z.string().optional(), tiers: z.array(priceTierSchema).min(1) }),
});

export const catalogFileSchema = z.object({ models: z.array(catalogModelSchema) });

export type CatalogModel = z.infer<typeof catalogModelSchema>;
export type ModelCapabilities = z.infer<typeof modelCapabilitiesSchema>;
export type CatalogFile = z.infer<typeof catalogFileSchema>;
