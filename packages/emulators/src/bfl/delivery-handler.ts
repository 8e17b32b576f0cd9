import type { ServerResponse } from 'node:http';
import { sendBody } from '../http/send-body.ts';
import { trackCall } from '../http/tracked-call.ts';
import type { BflDeps } from './deps.ts';
import { taskImage } from './task-image.ts';
import { taskStatus } from './task-store.ts';

const DELIVERY_PATH = /^\/delivery\/([0-9a-f-]{36})\.(jpeg|png|webp)$/;

/**
 * `GET /delivery/<id>.<ext>?sig=…&exp=…`: serves the image while the signature is valid and
 * unexpired. Refusals mimic blob storage (XML, 403 `AuthenticationFailed`, 404 `BlobNotFound`),
 * since that is what BFL's delivery hosts are.
 */
export function handleDelivery(
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
  deps: BflDeps,
): Promise<void> {
  return trackCall(
    res,
    deps.stats.group.recorder('delivery'),
    deps.shutdown,
    async () => {
      const match = DELIVERY_PATH.exec(path);
      const id = match?.[1];
      const ext = match?.[2];
      if (id === undefined || ext === undefined) {
        return sendXmlError(res, 404, 'BlobNotFound', 'The specified blob does not exist.');
      }
      const exp = Number(query.get('exp'));
      const sig = query.get('sig') ?? '';
      const file = `${id}.${ext}`;
      if (!Number.isSafeInteger(exp) || !deps.signer.verify(file, exp, sig)) {
        return sendXmlError(res, 403, 'AuthenticationFailed', AUTH_FAILED, 'Signature did not match.');
      }
      const now = Date.now();
      if (now >= exp) {
        const detail = `Signed expiry time [${new Date(exp).toUTCString()}] must be after current time [${new Date(now).toUTCString()}]`;
        return sendXmlError(res, 403, 'AuthenticationFailed', AUTH_FAILED, detail);
      }
      const task = deps.tasks.get(id);
      if (task === undefined || taskStatus(task, now) !== 'Ready' || task.request.format !== ext) {
        return sendXmlError(res, 404, 'BlobNotFound', 'The specified blob does not exist.');
      }
      const image = await taskImage(task, deps);
      sendBody(res, 200, [image.bytes], {
        'content-type': `image/${ext}`,
        'cache-control': 'private, max-age=0',
        'x-ms-blob-type': 'BlockBlob',
      });
    },
    () => sendXmlError(res, 500, 'InternalError', 'Server encountered an internal error.'),
  );
}

const AUTH_FAILED =
  'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.';

function sendXmlError(res: ServerResponse, status: number, code: string, message: string, detail?: string): void {
  const extra =
    detail === undefined ? '' : `<AuthenticationErrorDetail>${escapeXml(detail)}</AuthenticationErrorDetail>`;
  const xml = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${escapeXml(message)}</Message>${extra}</Error>`;
  sendBody(res, status, [Buffer.from(xml)], { 'content-type': 'application/xml' });
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
