import type { ApiRoute } from '../route.ts';
import { accountRoutes } from './account-routes.ts';
import { authRoutes } from './auth-routes.ts';
import { historyRoutes } from './history-routes.ts';
import { numberRoutes } from './number-routes.ts';
import { numberSettingsRoutes } from './number-settings-routes.ts';
import { operatorRoutes } from './operator-routes.ts';
import { usageRoutes } from './usage-routes.ts';
import { noticeRoutes } from './notice-routes.ts';
import { voicemailRoutes } from './voicemail-routes.ts';
import { siteRoutes } from './site-routes.ts';

/** Every route of the API. Tests iterate it (the authorization matrix), so a route added
 * here is checked for every role without anyone remembering to. */
export const routes: readonly ApiRoute[] = [
  ...authRoutes,
  ...numberRoutes,
  ...accountRoutes,
  ...historyRoutes,
  ...usageRoutes,
  ...operatorRoutes,
  ...voicemailRoutes,
  ...noticeRoutes,
  ...siteRoutes,
  ...numberSettingsRoutes,
];
