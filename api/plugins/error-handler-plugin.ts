import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, type ErrorParams } from '../api-error.js';
import { globalPlugin } from './global-plugin.js';

/**
 * One error shape for the whole API: `{ "error": { "code", "message" } }` (DESIGN §6). Bad input
 * is a 4xx naming the field, never a 500; a 5xx says only "internal error" to the caller and
 * the details go to the log.
 */

const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 405: 'method_not_allowed',
  406: 'not_acceptable', 409: 'conflict', 413: 'payload_too_large', 414: 'uri_too_long', 415: 'unsupported_media_type',
  422: 'unprocessable', 426: 'upgrade_required', 429: 'rate_limited', 503: 'unavailable',
};

/** PostgreSQL errors that can only come from a value the caller sent (e.g. a bad literal). */
const PG_INPUT_ERRORS = new Set(['22P02', '22003', '22007', '22008', '22023', '22001']);

interface AjvError { instancePath: string; keyword: string; message?: string; params: Record<string, unknown> }

/** Names the field: "body.kind must be one of: sos_button, pull_cord, …". */
export function describeValidation(context: string | undefined, errors: AjvError[]): string {
  const e = errors[0];
  if (!e) return 'invalid request';
  const where = [context ?? 'request', ...e.instancePath.split('/').filter(Boolean)].join('.');
  switch (e.keyword) {
    case 'required': return `${where}.${String(e.params.missingProperty)} is required`;
    case 'additionalProperties': return `${where} has an unknown field "${String(e.params.additionalProperty)}"`;
    case 'enum': return `${where} must be one of: ${(e.params.allowedValues as unknown[]).join(', ')}`;
    case 'format': return `${where} must be a valid ${String(e.params.format)}`;
    default: return `${where} ${e.message ?? 'is invalid'}`;
  }
}

/**
 * The same facts as describeValidation, as data: the field and the rule it broke with its limit,
 * so a console shows "日间阈值不能少于 0.2 小时" instead of an English message in seconds.
 */
export function validationParams(context: string | undefined, errors: AjvError[]): ErrorParams | undefined {
  const e = errors[0];
  if (!e) return undefined;
  const path = [context ?? 'request', ...e.instancePath.split('/').filter(Boolean)];
  const field = e.keyword === 'required' ? [...path, String(e.params.missingProperty)].join('.')
    : e.keyword === 'additionalProperties' ? [...path, String(e.params.additionalProperty)].join('.') : path.join('.');
  const out: ErrorParams = { field, rule: e.keyword };
  // minimum/maximum/minLength/maxLength/minItems…: ajv's params.limit is the bound.
  if (typeof e.params.limit === 'number') out.limit = e.params.limit;
  if (e.keyword === 'enum') out.allowed = (e.params.allowedValues as unknown[]).join(', ');
  if (e.keyword === 'format') out.format = String(e.params.format);
  if (e.keyword === 'pattern') out.pattern = String(e.params.pattern);
  return out;
}

function send(reply: FastifyReply, status: number, code: string, message: string, params?: ErrorParams) {
  return reply.status(status).type('application/json; charset=utf-8').send({ error: params ? { code, message, params } : { code, message } });
}

/**
 * Errors the router raises before any hook runs (a malformed URL, a parameter too long for the
 * router): given to Fastify as `frameworkErrors`, so they too answer in our shape, and without
 * echoing a possibly huge URL back.
 */
export function frameworkErrorHandler(err: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return send(reply, 414, 'uri_too_long', 'a path parameter is too long');
  if (err.code === 'FST_ERR_BAD_URL') return send(reply, 400, 'bad_request', 'the URL is malformed');
  const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
  return send(reply, status, CODE_BY_STATUS[status] ?? 'bad_request', 'the request could not be routed');
}

export const errorHandlerPlugin = globalPlugin('error-handler', async (app) => {
  app.setErrorHandler((err: FastifyError & { code?: string }, request: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof ApiError) return send(reply, err.statusCode, err.code, err.message, err.params);

    if (err.validation) {
      const errors = err.validation as AjvError[];
      return send(reply, 400, 'bad_request', describeValidation(err.validationContext, errors), validationParams(err.validationContext, errors));
    }

    if (typeof err.code === 'string' && PG_INPUT_ERRORS.has(err.code)) {
      // Schemas should have caught it; a 400 is still the honest answer, and we want to know.
      request.log.warn({ err }, 'database refused a value that passed validation');
      return send(reply, 400, 'bad_request', 'a value in the request is not valid');
    }

    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // Fastify's own 4xx (bad JSON, wrong content type, body too large): their messages are safe.
      return send(reply, status, CODE_BY_STATUS[status] ?? 'bad_request', err.message);
    }

    request.log.error({ err }, 'request failed');
    return send(reply, status >= 500 && status < 600 ? status : 500, status === 503 ? 'unavailable' : 'internal', 'internal error; the details are in the server log');
  });

  app.setNotFoundHandler((request, reply) =>
    send(reply, 404, 'not_found', `no route ${request.method} ${(request.url.split('?')[0] ?? '').slice(0, 200)}`));
});
