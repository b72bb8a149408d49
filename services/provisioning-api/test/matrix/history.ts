// Requests of the site-wide setting history.
import { onSite, type Requests } from './common.ts';

export const historyRequests: Requests = {
  'GET /sites/:site/history': onSite('/history'),
};
