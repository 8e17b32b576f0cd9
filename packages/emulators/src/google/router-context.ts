import type { FaultController } from '../faults/fault-controller.ts';
import type { AccessTokenStore } from '../oauth/access-tokens.ts';
import type { ServiceAccountCredentials } from '../oauth/service-account.ts';
import type { TokenEndpointDeps } from '../oauth/token-endpoint.ts';
import type { StatsGroup } from '../stats/stats-group.ts';
import type { GenerationSettings } from './generation-pipeline.ts';
import type { RenderDeps } from './render-deps.ts';

/** Endpoint kinds the Google emulator counts separately. */
export type GoogleEndpointKind = 'predict' | 'vertexGenerateContent' | 'geminiGenerateContent' | 'token';

/** Everything request routing needs. */
export interface RouterContext {
  projectId: string;
  serviceAccount: ServiceAccountCredentials;
  apiKey: string;
  tokens: AccessTokenStore;
  stats: StatsGroup<GoogleEndpointKind>;
  faults: FaultController;
  render: RenderDeps;
  settings: GenerationSettings;
  token: TokenEndpointDeps;
}
