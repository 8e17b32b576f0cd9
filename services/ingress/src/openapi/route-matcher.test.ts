import { describe, expect, it } from 'vitest';
import { API_ROUTES } from './api-routes.ts';
import { allowedMethods } from './method-not-allowed.ts';
import { createRouteMatcher, openApiPathOf } from './route-matcher.ts';

const matchPath = createRouteMatcher(API_ROUTES);

describe('createRouteMatcher', () => {
  it.each([
    ['/v1/images/generations', '/v1/images/generations', ['POST']],
    ['/v1/images/jobs/job_1', '/v1/images/jobs/{id}', ['GET', 'HEAD']],
    ['/v1/images/jobs/job_1/', '/v1/images/jobs/{id}', ['GET', 'HEAD']],
    ['/V1/Images/Jobs/job_1/cancel', '/v1/images/jobs/{id}/cancel', ['POST']],
    ['/v1/models/black-forest-labs/flux-2-pro', '/v1/models/{name}', ['GET', 'HEAD']],
    ['/v1/images/jobs/%ff', '/v1/images/jobs/{id}', ['GET', 'HEAD']],
    ['/admin/v1/api_keys/key_1', '/admin/v1/api_keys/{id}', ['DELETE']],
  ])('matches %s to %s (%j)', (path, template, methods) => {
    const matched = matchPath(path);
    expect(matched?.template).toBe(template);
    expect(matched && allowedMethods(matched)).toEqual(methods);
  });

  it('matches no unknown path, and never a path by a prefix of it', () => {
    expect(matchPath('/v1/nope')).toBeUndefined();
    expect(matchPath('/v1/images/jobs/job_1/other')).toBeUndefined();
    expect(matchPath('/v1/account/ledger/extra')).toBeUndefined();
  });
});

describe('openApiPathOf', () => {
  it('writes express parameters and wildcards as OpenAPI path parameters', () => {
    expect(openApiPathOf('/v1/images/jobs/:id/webhook_deliveries/:deliveryId/retry')).toBe(
      '/v1/images/jobs/{id}/webhook_deliveries/{deliveryId}/retry',
    );
    expect(openApiPathOf('/v1/models/*name')).toBe('/v1/models/{name}');
  });
});
