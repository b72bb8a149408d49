// Every module's requests; a module per resource, one line here each.
import type { Requests } from './common.ts';
import { coreRequests } from './core.ts';
import { historyRequests } from './history.ts';
import { numberSettingsRequests } from './number-settings.ts';
import { operatorRequests } from './operator.ts';
import { usageRequests } from './usage.ts';
import { voicemailRequests } from './voicemail.ts';
import { siteRequests } from './site.ts';

export const requests: Requests = {
  ...coreRequests,
  ...historyRequests,
  ...usageRequests,
  ...operatorRequests,
  ...voicemailRequests,
  ...siteRequests,
  ...numberSettingsRequests,
};
