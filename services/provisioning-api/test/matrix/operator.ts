// Requests of the operator routes (SPEC §4 operator functions): the operator succeeds, every
// other role is refused (403) before anything is looked up; nothing lies outside the
// operator's scope.
import type { Build, Requests } from './common.ts';

const same =
  (url: string, payload?: Record<string, unknown>): Build =>
  async () => ({ inScope: { url, ...(payload === undefined ? {} : { payload }) } });

/** n4 (0522223333) is a base number on N000000003 of site 2000001 (VG00002). */
export const operatorRequests: Requests = {
  'GET /voice-groups/:code': same('/voice-groups/VG00002'),
  'PUT /voice-groups/:code': same('/voice-groups/VG00009', { name: 'Nine' }),
  'PUT /sites/:site': same('/sites/2000009', { voiceGroup: 'VG00002', name: 'Annex' }),
  'PUT /access-lines/:code': same('/access-lines/N000000009', { site: '2000001', channels: 4 }),
  'PUT /numbers/:number/provisioning': same('/numbers/0522229999/provisioning', {
    kind: 'dial_in',
    accessLine: 'N000000003',
    baseNumber: '0522223333',
  }),
  'PUT /numbers/:number/sip-credentials': same('/numbers/0522223333/sip-credentials', {
    username: 'sip4',
    password: 'secret-pass-4',
  }),
  'DELETE /numbers/:number/sip-credentials': async (h, role) => {
    // Each role's attempt needs credentials to remove.
    if (role === 'operator') {
      const op = await h.login('op');
      await h.request({
        method: 'PUT',
        url: '/numbers/0522223333/sip-credentials',
        cookie: op,
        payload: { username: 'sip4', password: 'secret-pass-4' },
      });
    }
    return { inScope: { url: '/numbers/0522223333/sip-credentials' } };
  },
  'PUT /numbers/:number/subscriptions': same('/numbers/0522223333/subscriptions', {
    subscriptions: ['voicemail', { feature: 'special_number_forwarding', number: '0120-123-456' }],
  }),
};
