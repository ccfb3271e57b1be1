// Every token-authenticated HTTP route and what it is for, so a path no route serves is a 404
// before any token is asked for, and a missing or wrong token is told which role the route needs.
import { rolesThatCan, type Action } from '../../domain/permissions.js';

const ROUTES: Array<{ path: RegExp; action: Action }> = [
  { path: /^\/v1\/enquiries$/, action: 'post-enquiry' },
  { path: /^\/v1\/enquiries\/[A-Za-z0-9_-]{1,64}$/, action: 'read-enquiry' },
  { path: /^\/v1\/enquiries\/[A-Za-z0-9_-]{1,64}\/messages$/, action: 'post-message' },
  { path: /^\/v1\/escalations\/[A-Za-z0-9_-]{1,64}\/answer$/, action: 'answer-escalation-by-mail' },
  { path: /^\/v1\/access-log$/, action: 'read-access-log' },
  { path: /^\/v1\/export$/, action: 'export' },
  { path: /^\/v1\/stats$/, action: 'read-wallboard' },
];

/** The action a route serves, or undefined when no route is at `path`. */
export function routeAction(path: string): Action | undefined {
  return ROUTES.find((r) => r.path.test(path))?.action;
}

/** The 401 hint: the roles that may use the route, and how to make such a token. */
export function tokenHint(action: Action): string {
  const roles = rolesThatCan(action);
  const first = roles[0] ?? 'agent';
  return `Send "Authorization: Bearer <token>" with a live ${roles.join(' or ')} token (courtdesk token add NAME --role ${first}).`;
}
