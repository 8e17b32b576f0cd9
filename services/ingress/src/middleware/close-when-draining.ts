import type { NextFunction, Request, Response } from 'express';

/**
 * Once the ingress begins to shut down, every response not yet started says `Connection: close`,
 * so clients holding a keep-alive connection to this replica move to another one.
 */
export class CloseWhenDraining {
  #draining = false;
  readonly #unanswered = new Set<Response>();

  readonly middleware = (_request: Request, response: Response, next: NextFunction): void => {
    if (this.#draining) response.setHeader('connection', 'close');
    else {
      this.#unanswered.add(response);
      response.once('close', () => this.#unanswered.delete(response));
    }
    next();
  };

  begin(): void {
    this.#draining = true;
    for (const response of this.#unanswered) {
      if (!response.headersSent) response.setHeader('connection', 'close');
    }
    this.#unanswered.clear();
  }
}
