import { InvalidRequestError } from '@imagegate/core';

/** The 400 for a parameter the model cannot honour, naming it in `param`. */
export function invalidParameter(param: string, message: string): InvalidRequestError {
  return new InvalidRequestError(message, { param, code: 'invalid_value' });
}
