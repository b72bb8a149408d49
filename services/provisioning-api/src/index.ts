// @ipvoice/provisioning-api: the REST API (ARCHITECTURE.md services/provisioning-api).
export { buildApi, ensureOperator, type BuildApiOptions } from './build-api.ts';
export { startApi } from './start-api.ts';
export type { ApiDeps } from './api-deps.ts';
export { ApiError, type ErrorBody } from './api-error.ts';
export {
  roles,
  roleAllowed,
  numberInScope,
  accountInScope,
  type Access,
  type Right,
  type Rights,
  type Role,
  type Principal,
  type Target,
} from './access.ts';
export { routeId, type ApiRoute, type Method } from './route.ts';
export { routes } from './routes/index.ts';
export { lockPolicy } from './routes/auth-routes.ts';
export { SESSION_COOKIE, SESSION_IDLE_MS } from './auth/principal.ts';
export { LOGIN_CODE_TTL_MS } from './auth/login-code-mail.ts';
