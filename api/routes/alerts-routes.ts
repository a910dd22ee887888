import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TSchema } from '@sinclair/typebox';
import { ACTING_ROLES, ALL_ROLES, DISPATCH_ROLES, type AuthUser } from '../route-access.js';
import {
  ActingBody, AlertDetailResponse, SeenResponse, AlertItem, AlertParams, AlertsQuery, CancelBody, EscalateBody, NoteBody, ResolveBody,
  ReasonBody, CandidatesResponse, DispatchBody, EmergencyCallBody, EmergencyCallResponse,
} from '../schemas/alerts-schemas.js';
import type { DispatchService } from '../services/dispatch-service.js';
import { Page, responses } from '../schemas/common-schemas.js';
import type { ActionBody, AlertActionsService, ResponderActionType } from '../services/alert-actions-service.js';
import type { AlertsService } from '../services/alerts-service.js';

const ACTIONS: Array<{ action: ResponderActionType; path: string; body: TSchema; summary: string }> = [
  { action: 'accept', path: 'accept', body: ActingBody, summary: 'Accept: the first accept wins; later ones get 409 already_accepted naming who has it' },
  { action: 'arrive', path: 'arrive', body: ActingBody, summary: 'Record arrival at the door (accepts implicitly if nobody had)' },
  { action: 'resolve', path: 'resolve', body: ResolveBody, summary: 'Close with an outcome (and a note for "other" or when nobody was on site)' },
  { action: 'cancel', path: 'cancel', body: CancelBody, summary: 'Cancel a live alert, with a reason' },
  { action: 'escalate', path: 'escalate', body: EscalateBody, summary: 'Raise the escalation level: the next tier is paged at once; answers when the page went out (its rows are in notifications with round "level:<new level>"), or after 3 s' },
  { action: 'note', path: 'notes', body: NoteBody, summary: 'Add a note to the timeline (also on closed alerts)' },
  { action: 'decline', path: 'decline', body: ReasonBody, summary: 'A paged responder cannot go, with a reason: the dispatcher pages the next person at once (issue 15)' },
  { action: 'hand_back', path: 'hand-back', body: ReasonBody, summary: 'The holder cannot go after all ("can\'t go"), with a reason: back to waiting and re-dispatched at once (issue 15)' },
];

/** HTTP only: access rules live in the services, queries in store/. */
export async function alertsRoutes(app: FastifyInstance, { alerts, actions, dispatch }: { alerts: AlertsService; actions: AlertActionsService; dispatch: DispatchService }) {
  /** The detail plus what this caller may do on it (the buttons a screen shows). */
  const detailFor = async (user: AuthUser, id: string) => ({ ...(await alerts.detail(user, id)), rights: await actions.rightsOf(user, id) });

  app.get<{ Querystring: AlertsQuery }>('/alerts', {
    config: { roles: ALL_ROLES },
    schema: {
      tags: ['alerts'], summary: 'Alerts, critical first then newest; responders see their own',
      querystring: AlertsQuery, response: responses({ 200: Page(AlertItem) }),
    },
  }, async (request) => alerts.list(request.user!, request.query));

  app.get<{ Params: AlertParams }>('/alerts/:id', {
    config: { roles: ALL_ROLES },
    schema: {
      tags: ['alerts'], summary: 'One alert with its timeline, signals and notifications (who, when, channel, tier, seen); 404 outside your scope',
      params: AlertParams, response: responses({ 200: AlertDetailResponse }),
    },
  }, async (request) => detailFor(request.user!, request.params.id));

  app.post<{ Params: AlertParams }>('/alerts/:id/seen', {
    config: { roles: ACTING_ROLES },
    schema: {
      tags: ['alerts'], summary: 'The alert is on the responder\'s screen: their pages of it are read (已读). Receiving it is not reading it.',
      params: AlertParams, response: responses({ 200: SeenResponse }),
    },
  }, async (request) => alerts.markSeen(request.user!, request.params.id));

  for (const a of ACTIONS) {
    app.post<{ Params: AlertParams; Body: ActionBody }>(`/alerts/:id/${a.path}`, {
      config: { roles: ACTING_ROLES },
      schema: {
        tags: ['alerts'], summary: a.summary,
        description: 'Responders act as themselves on alerts sent to them or of their own grid/building/homes; only the holder or a backup '
          + 'may record the arrival or resolve (403 not_holder), only the holder may cancel. The dispatch room may act on a responder\'s '
          + 'behalf with `responderId` (arrive/resolve: the holder or a backup). 404 outside your scope. Answers the alert after the action. '
          + '409: the alert\'s state does not allow it (code from the state machine: already_accepted, arrival_required, terminal, invalid_transition…).',
        params: AlertParams, body: a.body, response: responses({ 200: AlertDetailResponse }),
      },
    }, async (request: FastifyRequest<{ Params: AlertParams; Body: ActionBody }>) => {
      const actor = { ...request.user!, ip: request.ip };
      await actions.act(actor, request.params.id, a.action, request.body ?? {});
      return detailFor(request.user!, request.params.id);
    });
  }

  app.get<{ Params: AlertParams }>('/alerts/:id/candidates', {
    config: { roles: DISPATCH_ROLES },
    schema: {
      tags: ['alerts'], summary: 'Who could go (issue 15): every field responder ranked by the dispatch policy, with estimated arrival and state (free/paged/en_route/on_site/busy/declined); 404 outside your scope',
      params: AlertParams, response: responses({ 200: CandidatesResponse }),
    },
  }, async (request) => dispatch.candidates(request.user!, request.params.id));

  app.post<{ Params: AlertParams; Body: DispatchBody }>('/alerts/:id/dispatch', {
    config: { roles: DISPATCH_ROLES },
    schema: {
      tags: ['alerts'], summary: 'Send a named responder: the dispatcher pages them at once (as backup when someone holds the alert); 409 on_site_elsewhere when they are at another door',
      params: AlertParams, body: DispatchBody, response: responses({ 200: AlertDetailResponse }),
    },
  }, async (request) => {
    await dispatch.dispatch({ ...request.user!, ip: request.ip }, request.params.id, request.body.responderId);
    return detailFor(request.user!, request.params.id);
  });

  app.post<{ Params: AlertParams; Body: EmergencyCallBody }>('/alerts/:id/emergency-call', {
    config: { roles: DISPATCH_ROLES },
    schema: {
      tags: ['alerts'], summary: 'Record a call to 120/110 and answer the brief to read out (address, residents\' conditions, key/door notes)',
      params: AlertParams, body: EmergencyCallBody, response: responses({ 200: EmergencyCallResponse }),
    },
  }, async (request) => dispatch.emergencyCall({ ...request.user!, ip: request.ip }, request.params.id, request.body.service));
}
