import { generateApiKey, InvalidRequestError, isId, NotFoundError } from '@imagegate/core';
import { findAccount, insertAccount, insertApiKey, revokeApiKey } from '@imagegate/db';
import { Router } from 'express';
import { z } from 'zod';
import type { IngressDeps } from '../deps.ts';
import { adminAuth } from '../middleware/admin-auth.ts';

const createAccountSchema = z.object({ name: z.string().trim().min(1).max(200) }).strict();
const createKeySchema = z.object({ name: z.string().trim().min(1).max(200).default('default') }).strict();

/** `/admin/v1`: accounts and API keys, behind `ADMIN_TOKEN`. */
export function adminRouter(deps: IngressDeps): Router {
  const router = Router();
  const { pool } = deps;
  router.use('/admin/v1', adminAuth(deps.settings.adminToken));

  router.post('/admin/v1/accounts', async (request, response) => {
    const body = createAccountSchema.parse(request.body ?? {});
    const account = await insertAccount(pool, { name: body.name });
    response.status(201).json(renderAccount(account));
  });

  router.get('/admin/v1/accounts/:id', async (request, response) => {
    const id = String(request.params.id);
    const account = isId('acct', id) ? await findAccount(pool, id) : undefined;
    if (account === undefined) throw new NotFoundError(`No account with id '${id}'.`, { param: 'id' });
    response.json(renderAccount(account));
  });

  router.post('/admin/v1/accounts/:id/api_keys', async (request, response) => {
    const id = String(request.params.id);
    const body = createKeySchema.parse(request.body ?? {});
    const account = isId('acct', id) ? await findAccount(pool, id) : undefined;
    if (account === undefined) throw new NotFoundError(`No account with id '${id}'.`, { param: 'id' });
    const { key, prefix, hash } = generateApiKey();
    const row = await insertApiKey(pool, { accountId: account.id, name: body.name, prefix, keyHash: hash });
    // The key appears only in this response; only its hash is stored.
    response.status(201).json({ id: row.id, object: 'api_key', account_id: account.id, name: row.name, prefix, key });
  });

  router.delete('/admin/v1/api_keys/:id', async (request, response) => {
    const id = String(request.params.id);
    if (!isId('key', id)) throw new InvalidRequestError(`'${id}' is not an API key id.`, { param: 'id' });
    const row = await revokeApiKey(pool, id);
    if (row === undefined) throw new NotFoundError(`No API key with id '${id}'.`, { param: 'id' });
    response.json({
      id: row.id,
      object: 'api_key',
      revoked: true,
      revoked_at: Math.floor((row.revoked_at ?? new Date()).getTime() / 1000),
    });
  });

  return router;
}

function renderAccount(account: { id: string; name: string; created_at: Date }) {
  return {
    id: account.id,
    object: 'account',
    name: account.name,
    created_at: Math.floor(account.created_at.getTime() / 1000),
  };
}
