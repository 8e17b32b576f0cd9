import { markupFor, maxUnitPrice, withMarkup } from '@imagegate/catalog';
import type { QuoteRequest } from '@imagegate/contracts';
import { microsToUsd } from '@imagegate/core';
import { spendLast90Days } from '@imagegate/db';
import type { IngressDeps } from '../deps.ts';
import { planEditRoute } from './accept-edit.ts';
import { planGenerationRoute, pricingInputsOf } from './accept-generation.ts';
import { firstStep } from './accept-job.ts';
import type { RouteStep } from './plan-route.ts';
import { priceRoute } from './submit-job.ts';

/**
 * `POST /v1/images/quote`: what a generation or an edit would cost this account, before it is sent.
 * The route is planned, narrowed and priced by the very functions submission uses (so a parameter
 * the job would refuse is the same 400 here), and the markup is the account's tier now, as the
 * submission statement takes it. Nothing is recorded, held or enqueued.
 *
 * `price_usd` is what the job is charged when the requested model delivers all `n` images; with
 * `size` or `quality` left to the model it is the dearest it may make (the charge is for what it
 * made). `hold_usd` is what submission would hold: the dearest model on the route × n.
 */
export async function quoteJob(deps: IngressDeps, accountId: string, body: QuoteRequest) {
  const images = body.input_images ?? [];
  const route =
    body.operation === 'edit'
      ? planEditRoute(deps, body, {
          images: images.map((image, index) => ({ ...image, param: `input_images[${index}]` })),
          mask: body.mask === true ? { param: 'mask' } : undefined,
          inputFidelity: body.input_fidelity,
        })
      : planGenerationRoute(deps, body);
  // The edit endpoint requires the mask to be the first image's size; it is priced as an input too.
  const [first] = images;
  const inputImages =
    body.operation === 'edit' ? (body.mask === true && first !== undefined ? [...images, first] : images) : undefined;
  const { prices, dearestUnitMicros } = priceRoute(route, pricingInputsOf(body, inputImages));
  const spend = await spendLast90Days(deps.pool, accountId);
  const { permille } = markupFor(spend, deps.settings.markupTiers).current;

  const primary = firstStep(route);
  const primaryPrices = prices.get(primary);
  if (primaryPrices === undefined) throw new Error('the route was priced without its first model');
  const perImageMicros = withMarkup(maxUnitPrice(primary.model, primaryPrices, primary.parameters), permille);
  const n = BigInt(primary.parameters.n);
  return {
    object: 'quote',
    model: primary.model.id,
    operation: body.operation ?? 'generate',
    n: primary.parameters.n,
    size: primary.parameters.size,
    quality: primary.parameters.quality,
    per_image_usd: microsToUsd(perImageMicros),
    price_usd: microsToUsd(perImageMicros * n),
    hold_usd: microsToUsd(withMarkup(dearestUnitMicros, permille) * n),
    markup: permille / 1000,
    currency: 'usd',
    warnings: [...primary.warnings, ...quoteWarnings(deps, route, body)],
  };
}

/** What the quote itself cannot know or what submission would refuse now for reasons other than parameters. */
function quoteWarnings(
  deps: Pick<IngressDeps, 'queues'>,
  route: readonly RouteStep[],
  body: Pick<QuoteRequest, 'prompt'>,
): string[] {
  const warnings: string[] = [];
  const primary = firstStep(route);
  if (body.prompt === undefined && route.some((step) => step.model.pricing.rule === 'per_token')) {
    warnings.push('No prompt was given: its input tokens are not in this price; send it for the exact price.');
  }
  const qualityChosen =
    primary.parameters.quality === 'auto' && primary.model.capabilities.qualities.some((quality) => quality !== 'auto');
  if (primary.parameters.size === 'auto' || qualityChosen) {
    warnings.push(
      `With size '${primary.parameters.size}' and quality '${primary.parameters.quality}' the model chooses; this is the dearest it may make, and the charge is for what it makes.`,
    );
  }
  if (!deps.queues.has(primary.model.provider)) {
    warnings.push(
      `No worker is configured for provider '${primary.model.provider}': the request would be refused now.`,
    );
  }
  return warnings;
}
