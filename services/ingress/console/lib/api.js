import { clearSession, readSession } from './session.js';

/** An answer in the OpenAI error envelope (or a network failure), with what the console shows. */
export class ApiError extends Error {
  constructor(status, body, headers) {
    const error = body?.error ?? {};
    super(error.message ?? `Request failed with status ${status}.`);
    this.status = status;
    this.code = error.code ?? null;
    this.param = error.param ?? null;
    this.type = error.type ?? null;
    this.headers = headers;
  }
}

function requestInit({ method = 'GET', body, form, headers = {}, signal }, token) {
  const init = { method, headers: { ...headers }, signal };
  if (token !== undefined) init.headers.Authorization = `Bearer ${token}`;
  if (form !== undefined) init.body = form;
  else if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  return init;
}

async function parsed(response) {
  const text = await response.text();
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return { error: { message: text.slice(0, 200) } };
  }
}

/**
 * Calls the public or admin API with the session's credential and answers `{status, headers, data}`;
 * throws ApiError on a 4xx/5xx. A 401 ends the session (a revoked key, a changed admin token).
 */
export async function apiResponse(path, options = {}) {
  const session = readSession();
  const response = await fetch(path, requestInit(options, options.token ?? session?.token));
  const data = await parsed(response);
  if (!response.ok) {
    const error = new ApiError(response.status, data, response.headers);
    if (response.status === 401 && options.token === undefined && session !== null) clearSession(error);
    throw error;
  }
  return { status: response.status, headers: response.headers, data };
}

/** The body of a successful call (see apiResponse). */
export async function api(path, options = {}) {
  return (await apiResponse(path, options)).data;
}

/** A query string from the defined entries of `params`, with its `?` (or nothing). */
export function query(params) {
  const entries = Object.entries(params).filter(([, value]) => value !== undefined && value !== null && value !== '');
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)]))}`;
}
