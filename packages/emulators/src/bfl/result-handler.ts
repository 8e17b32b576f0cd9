import type { ServerResponse } from 'node:http';
import { sendJsonBody } from '../http/send-body.ts';
import { trackCall } from '../http/tracked-call.ts';
import type { BflDeps } from './deps.ts';
import { sendBflError } from './replies.ts';
import { taskImage } from './task-image.ts';
import type { BflTask } from './task-store.ts';
import { taskStatus } from './task-store.ts';

const DEFAULT_CATEGORIES = ['Violence'];

/**
 * `GET /v1/get_result?id=` (and the regional path from `polling_url`): a `ResultResponse` with
 * `status`, `result`, `progress`, `details`, `preview`. Unknown ids answer status
 * `Task not found` with HTTP 200, as the OpenAPI models it. No key is required (the OpenAPI
 * declares none for this route).
 */
export function handleResult(
  res: ServerResponse,
  query: URLSearchParams,
  viaPollingUrl: boolean,
  deps: BflDeps,
): Promise<void> {
  return trackCall(
    res,
    deps.stats.group.recorder('poll'),
    deps.shutdown,
    async () => {
      const id = query.get('id');
      if (id === null) {
        const issue = { type: 'missing', loc: ['query', 'id'], msg: 'Field required', input: null };
        return sendBflError(res, { status: 422, detail: [issue] });
      }
      deps.stats.polled(id, viaPollingUrl);
      const task = deps.tasks.get(id);
      sendJsonBody(res, 200, task === undefined ? resultBody(id, 'Task not found') : taskBody(task, deps, Date.now()));
    },
    () => sendBflError(res, { status: 500, detail: 'Internal Server Error' }),
  );
}

function resultBody(id: string, status: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, status, result: null, progress: null, details: null, preview: null, ...fields };
}

function taskBody(task: BflTask, deps: BflDeps, nowMs: number): Record<string, unknown> {
  const status = taskStatus(task, nowMs);
  const outcome = task.outcome;
  switch (status) {
    case 'Pending': {
      const elapsed = (nowMs - task.submittedAtMs) / Math.max(1, deps.renderMs);
      return resultBody(task.id, status, { progress: Math.min(0.99, Math.round(elapsed * 100) / 100) });
    }
    case 'Request Moderated':
    case 'Content Moderated': {
      const categories =
        outcome.type === 'moderation' ? (outcome.categories ?? DEFAULT_CATEGORIES) : DEFAULT_CATEGORIES;
      return resultBody(task.id, status, { details: { 'Moderation Reasons': categories } });
    }
    case 'Error': {
      const message =
        outcome.type === 'failed' && outcome.message !== undefined ? outcome.message : 'Image generation failed.';
      return resultBody(task.id, status, { details: { error: message } });
    }
    case 'Ready': {
      // Start encoding now: the client's next request is almost always the download.
      void taskImage(task, deps);
      const { request } = task;
      const file = `${task.id}.${request.format}`;
      const query = deps.signer.sign(file, task.readyAtMs + deps.resultTtlMs);
      return resultBody(task.id, status, {
        result: {
          sample: `${deps.origin}/delivery/${file}?${query}`,
          prompt: request.prompt,
          seed: request.seed,
          start_time: task.submittedAtMs / 1000,
          end_time: task.readyAtMs / 1000,
          duration: (task.readyAtMs - task.submittedAtMs) / 1000,
        },
      });
    }
    case 'Task not found':
      return resultBody(task.id, status);
  }
}
