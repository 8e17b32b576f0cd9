import type { ServerResponse } from 'node:http';
import { sendBody } from '../http/send-body.ts';
import type { GoogleErrorReply } from './errors.ts';

/** Google's front ends label JSON with an upper-case charset. */
export const GOOGLE_JSON_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json; charset=UTF-8',
  vary: 'Origin, X-Origin, Referer',
};

/** A rendered answer: status and pre-serialised body pieces. */
export interface GoogleReply {
  status: number;
  chunks: Buffer[];
}

/** Sends a JSON body with Google's headers. */
export function sendGoogleJson(res: ServerResponse, status: number, body: unknown): void {
  sendBody(res, status, [Buffer.from(JSON.stringify(body))], GOOGLE_JSON_HEADERS);
}

/** Sends an error in Google's envelope. */
export function sendGoogleError(res: ServerResponse, reply: GoogleErrorReply): void {
  sendGoogleJson(res, reply.status, reply.body);
}

/** Sends a rendered answer. */
export function sendGoogleReply(res: ServerResponse, reply: GoogleReply): void {
  sendBody(res, reply.status, reply.chunks, GOOGLE_JSON_HEADERS);
}
