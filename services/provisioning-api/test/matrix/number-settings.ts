// Requests of the per-number settings beside forwarding (SPEC §3.2, §3.4, §3.6–§3.10). The
// harness's numbers have no subscriptions, so each request first subscribes the number it
// targets within scope: the matrix then expects a real 2xx, not the 409 of an unsubscribed
// feature.
import { findNumber, replaceSubscriptions } from '@ipvoice/db';
import type { InjectOptions } from 'fastify';
import { start } from '../helpers/harness.ts';
import { numbers, onNumber, type Build, type Requests } from './common.ts';

/** Every subscription these routes need, with the operator's numbers of §3.4 and §3.6. */
const subscriptions = [
  { feature: 'anonymous_rejection' as const },
  { feature: 'nuisance_blocking' as const },
  { feature: 'special_number_forwarding' as const, operatorNumber: '0120123456' },
  { feature: 'specific_number_presentation' as const, operatorNumber: '0570123456' },
];

const subscribed =
  (suffix: string, payload?: InjectOptions['payload']): Build =>
  async (h, role) => {
    const facts = await findNumber(h.db, numbers(h, role).inside);
    if (facts === undefined) throw new Error('the matrix numbers are seeded');
    await replaceSubscriptions(h.db, { numberId: facts.id }, subscriptions, start);
    return onNumber(suffix, payload)(h, role);
  };

const conditions = {
  enabled: true,
  unconditional: false,
  onBusy: true,
  onNoAnswer: true,
  onUnreachable: false,
  ringTimeSeconds: 15,
};

const schedule = {
  patterns: [
    {
      name: 'night',
      setting: {
        ...conditions,
        unconditional: true,
        onBusy: false,
        onNoAnswer: false,
        activeTarget: 'slot1',
        slots: ['0355556666', null, null, null, null],
      },
    },
  ],
  entries: [{ days: ['mon', 'tue'], startTime: '18:00', pattern: 'night' }],
};

export const numberSettingsRequests: Requests = {
  'GET /numbers/:number/caller-id': onNumber('/caller-id'),
  'PUT /numbers/:number/caller-id': onNumber('/caller-id', { presentation: 'withhold' }),
  'GET /numbers/:number/anonymous-rejection': subscribed('/anonymous-rejection'),
  'PUT /numbers/:number/anonymous-rejection': subscribed('/anonymous-rejection', {
    enabled: false,
  }),
  'GET /numbers/:number/nuisance-blocking': subscribed('/nuisance-blocking'),
  'PUT /numbers/:number/nuisance-blocking': subscribed('/nuisance-blocking', {
    numbers: ['090-1234-5678'],
  }),
  'GET /numbers/:number/international-barring': onNumber('/international-barring'),
  'PUT /numbers/:number/international-barring': onNumber('/international-barring', {
    enabled: true,
  }),
  'GET /numbers/:number/specific-number-presentation': subscribed('/specific-number-presentation'),
  'PUT /numbers/:number/specific-number-presentation': subscribed('/specific-number-presentation', {
    enabled: false,
  }),
  'GET /numbers/:number/outgoing-restriction': onNumber('/outgoing-restriction'),
  'PUT /numbers/:number/outgoing-restriction': onNumber('/outgoing-restriction', {
    categories: ['international'],
  }),
  'GET /numbers/:number/special-forwarding': subscribed('/special-forwarding'),
  'PUT /numbers/:number/special-forwarding': subscribed('/special-forwarding', conditions),
  'GET /numbers/:number/schedule': onNumber('/schedule'),
  'PUT /numbers/:number/schedule': onNumber('/schedule', schedule),
};
