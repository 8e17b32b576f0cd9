import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  createSecretBox,
  generateApiKey,
  generateSecretKey,
  generateWebhookSecret,
  parseSecretKey,
} from '@imagegate/core';
import { createAccountWithGrant, findAccountByName, insertApiKey, type Pool } from '@imagegate/db';

export interface DevCredentials {
  accountId: string;
  apiKey: string;
  adminToken: string;
  /** `IMAGEGATE_SECRET_KEY`: seals the webhook secrets in the database; without it they are lost. */
  secretKey: string;
  /** The HMAC key of the local image store's URLs (`IMAGE_URL_SECRET`). */
  imageUrlSecret: string;
}

/**
 * The single-machine `dev` account, its API key, the admin token, the key sealing webhook secrets
 * and the image URL secret. Created on the first run and kept in `.data/credentials.json` (mode
 * 0600) so later runs can print them again: the database holds only the key's hash, and only
 * sealed webhook secrets; image URLs handed out stay valid across restarts. An `adminToken`,
 * `secretKey` or `imageUrlSecret` from the environment wins over the saved one.
 */
export async function ensureDevCredentials(
  pool: Pool,
  options: {
    file: string;
    adminToken?: string | undefined;
    secretKey?: string | undefined;
    imageUrlSecret?: string | undefined;
    starterMicros: bigint;
  },
): Promise<DevCredentials & { created: boolean; adminTokenGenerated: boolean }> {
  const saved = existsSync(options.file)
    ? (JSON.parse(readFileSync(options.file, 'utf8')) as Partial<DevCredentials>)
    : {};
  const adminToken = options.adminToken ?? saved.adminToken ?? `igadm_${randomBytes(24).toString('base64url')}`;
  const adminTokenGenerated = options.adminToken === undefined;
  const secretKey = options.secretKey ?? saved.secretKey ?? generateSecretKey();
  const key = parseSecretKey(secretKey);
  if (key === undefined) throw new Error('IMAGEGATE_SECRET_KEY must be 32 bytes as base64 or hex');
  const imageUrlSecret = options.imageUrlSecret ?? saved.imageUrlSecret ?? randomBytes(32).toString('base64url');

  let account = saved.accountId ? { id: saved.accountId } : await findAccountByName(pool, 'dev');
  let apiKey = saved.apiKey;
  let created = false;
  const { rows } = account ? await pool.query('select 1 from accounts where id = $1', [account.id]) : { rows: [] };
  if (account === undefined || rows.length === 0) {
    // A new database (or a reset one): the saved key is worthless there.
    account = await createAccountWithGrant(pool, {
      name: 'dev',
      starterMicros: options.starterMicros,
      webhookSecret: { secret: generateWebhookSecret(), box: createSecretBox({ current: key }) },
    });
    apiKey = undefined;
    created = true;
  }
  if (apiKey === undefined) {
    const generated = generateApiKey();
    await insertApiKey(pool, { accountId: account.id, name: 'dev', prefix: generated.prefix, keyHash: generated.hash });
    apiKey = generated.key;
    created = true;
  }
  const credentials = { accountId: account.id, apiKey, adminToken, secretKey, imageUrlSecret };
  writeFileSync(options.file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  return { ...credentials, created, adminTokenGenerated };
}
