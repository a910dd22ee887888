/** Values a client needs to word an error in its own language (a field, a limit, a name). */
export type ErrorParams = Record<string, string | number | boolean | null>;

/**
 * An error the API means to show to the caller: a status, a stable machine code, a message
 * written for a person (English, for scripts and logs) and optional `params` so the console can
 * say the same in the user's language (issue 20 item 5). The error handler turns it into
 * `{ "error": { "code", "message", "params"? } }` (DESIGN §6). Anything that is not an ApiError
 * and has no 4xx status is a 5xx whose details are logged, never sent.
 */
export class ApiError extends Error {
  constructor(readonly statusCode: number, readonly code: string, message: string, readonly params?: ErrorParams) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (message: string, code = 'bad_request') => new ApiError(400, code, message);
export const unauthorized = (message = 'sign in first', code = 'unauthorized') => new ApiError(401, code, message);
export const forbidden = (message = 'your role may not do this', code = 'forbidden') => new ApiError(403, code, message);
export const notFound = (message: string) => new ApiError(404, 'not_found', message);
