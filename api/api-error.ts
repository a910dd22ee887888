/**
 * An error the API means to show to the caller: a status, a stable machine code and a message
 * written for a person. The error handler turns it into `{ "error": { "code", "message" } }`
 * (DESIGN §6). Anything that is not an ApiError and has no 4xx status is a 5xx whose details
 * are logged, never sent.
 */
export class ApiError extends Error {
  constructor(readonly statusCode: number, readonly code: string, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (message: string, code = 'bad_request') => new ApiError(400, code, message);
export const unauthorized = (message = 'sign in first', code = 'unauthorized') => new ApiError(401, code, message);
export const forbidden = (message = 'your role may not do this', code = 'forbidden') => new ApiError(403, code, message);
export const notFound = (message: string) => new ApiError(404, 'not_found', message);
