import { describe, expect, it } from 'vitest';
import { ERROR_CODE_DETAILS, ERROR_CODES, ERROR_TYPES, isErrorCode } from './error-codes.ts';
import {
  AbortedError,
  AuthenticationError,
  CanceledError,
  errorFromStored,
  type GatewayError,
  ImageExpiredError,
  ImageUrlRefusedError,
  InsufficientBalanceError,
  InternalError,
  InvalidHttpRequestError,
  InvalidRequestError,
  MethodNotAllowedError,
  ModerationBlockedError,
  NotFoundError,
  OverloadedError,
  PayloadTooLargeError,
  RangeNotSatisfiableHttpError,
  RequestHeaderFieldsTooLargeError,
  RequestTimeoutError,
  TimeoutError,
  UpstreamError,
} from './errors.ts';

describe('ERROR_CODES', () => {
  it.each(ERROR_CODES)('gives %s a status, a listed type and a one-line meaning', (code) => {
    const details = ERROR_CODE_DETAILS[code];
    expect(Number.isInteger(details.status) && details.status >= 400 && details.status < 600).toBe(true);
    expect(ERROR_TYPES).toContain(details.type);
    expect(details.meaning).toMatch(/^[A-Z][^\n]+\.$/);
  });

  it('describes exactly the listed codes, each once', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    expect(Object.keys(ERROR_CODE_DETAILS).sort()).toEqual([...ERROR_CODES].sort());
  });
});

describe('the error hierarchy', () => {
  const answered: [string, GatewayError][] = [
    ['InvalidRequestError', new InvalidRequestError('x')],
    ['InvalidHttpRequestError', new InvalidHttpRequestError()],
    ['ModerationBlockedError', new ModerationBlockedError('x')],
    ['AuthenticationError', new AuthenticationError()],
    ['ImageUrlRefusedError (invalid)', new ImageUrlRefusedError('x', { code: 'image_url_invalid' })],
    ['ImageUrlRefusedError (expired)', new ImageUrlRefusedError('x', { code: 'image_url_expired' })],
    ['RangeNotSatisfiableHttpError', new RangeNotSatisfiableHttpError()],
    ['ImageExpiredError', new ImageExpiredError()],
    ['InsufficientBalanceError', new InsufficientBalanceError('x')],
    ['NotFoundError', new NotFoundError('x')],
    ['MethodNotAllowedError', new MethodNotAllowedError('x')],
    ['RequestTimeoutError', new RequestTimeoutError()],
    ['CanceledError', new CanceledError()],
    ['PayloadTooLargeError', new PayloadTooLargeError('x')],
    ['RequestHeaderFieldsTooLargeError', new RequestHeaderFieldsTooLargeError()],
    ['AbortedError', new AbortedError()],
    ['UpstreamError', new UpstreamError('x')],
    ['OverloadedError', new OverloadedError('x')],
    ['TimeoutError', new TimeoutError('x')],
  ];

  it.each(answered)("answers %s with a listed code and that code's status and type", (_name, error) => {
    if (!isErrorCode(error.code)) throw new Error(`${error.name} answers the unlisted code ${error.code}`);
    const { status, type } = ERROR_CODE_DETAILS[error.code];
    expect({ status: error.status, type: error.type }).toEqual({ status, type });
  });

  it('answers a 500 with no code, as OpenAI does', () => {
    expect(new InternalError().toErrorObject()).toMatchObject({ type: 'server_error', code: null });
  });

  it('answers a cancel as 409 canceled with the message a job stores', () => {
    const error = new CanceledError();
    expect(error.status).toBe(409);
    expect(error.retryable).toBe(false);
    expect(error.toErrorObject()).toEqual({
      message: 'The job was canceled.',
      type: 'invalid_request_error',
      param: null,
      code: 'canceled',
    });
  });

  it("keeps the upstream's own code and the cause apart from the envelope", () => {
    const cause = new Error('429 RESOURCE_EXHAUSTED');
    const error = new UpstreamError('Google is rate limiting us.', {
      code: 'upstream_rate_limited',
      upstreamCode: 'RESOURCE_EXHAUSTED',
      cause,
    });
    expect(error.upstreamCode).toBe('RESOURCE_EXHAUSTED');
    expect(error.cause).toBe(cause);
    expect(error.toErrorObject()).toEqual({
      message: 'Google is rate limiting us.',
      type: 'upstream_error',
      param: null,
      code: 'upstream_rate_limited',
    });
  });
});

describe('errorFromStored', () => {
  it('keeps a stored code that is listed', () => {
    const error = errorFromStored(502, { message: 'm', type: 'upstream_error', param: null, code: 'upstream_quota' });
    expect({ status: error.status, type: error.type, code: error.code }).toEqual({
      status: 502,
      type: 'upstream_error',
      code: 'upstream_quota',
    });
  });

  it('answers no code, rather than an unlisted one, when the stored code is not listed', () => {
    const error = errorFromStored(502, {
      message: 'm',
      type: 'upstream_error',
      param: null,
      code: 'RESOURCE_EXHAUSTED',
    });
    expect(error.toErrorObject()).toEqual({ message: 'm', type: 'upstream_error', param: null, code: null });
  });

  it('answers server_error when the stored type is not one of ours', () => {
    const error = errorFromStored(500, { message: 'm', type: 'requests', param: null, code: null });
    expect(error.type).toBe('server_error');
  });
});
