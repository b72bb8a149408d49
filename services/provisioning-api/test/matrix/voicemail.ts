// Requests of the voicemail (SPEC §3.11) and incoming-call notice (§3.12) routes. Each build
// first gives the role's numbers what the routes need — the subscriptions, notice addresses,
// a stored message — so a request within scope is a real success.
import {
  findNumber,
  insertVoicemailMessage,
  listSubscriptions,
  replaceSubscriptions,
  upsertNumberSetting,
} from '@ipvoice/db';
import { MessageStore, PROMPT_SAMPLE_RATE, writeWav } from '@ipvoice/media';
import type { Role } from '../../src/access.ts';
import { start, type Harness } from '../helpers/harness.ts';
import { numbers, onNumber, type Build, type Req, type Requests } from './common.ts';

/** A WAV of `seconds` of a quiet tone at `sampleRate`. */
export function toneWav(seconds: number, sampleRate = PROMPT_SAMPLE_RATE): Buffer {
  const samples = new Int16Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < samples.length; i++)
    samples[i] = Math.round(1000 * Math.sin((2 * Math.PI * 440 * i) / sampleRate));
  return writeWav(samples, sampleRate);
}

export const storeOf = (h: Harness) => new MessageStore(`${h.dataDir}/voicemail`);

/** Subscribes the number to voicemail and the incoming-call notice, keeping what it had. */
export async function subscribe(h: Harness, number: string): Promise<number> {
  const n = await findNumber(h.db, number);
  if (n === undefined) throw new Error(`no number ${number}`);
  const have = (await listSubscriptions(h.db, { numberId: n.id })).map((s) => s.feature);
  const want = new Set([...have, 'voicemail' as const, 'incoming_call_notice' as const]);
  await replaceSubscriptions(
    h.db,
    { numberId: n.id },
    [...want].map((feature) => ({ feature })),
    start,
  );
  return n.id;
}

let deposited = 0;
/** A message in the box, its row and its WAV, as the feature server leaves them. */
export async function depositMessage(
  h: Harness,
  number: string,
  options: { samples?: Int16Array; caller?: string | null } = {},
): Promise<string> {
  const n = await findNumber(h.db, number);
  if (n === undefined) throw new Error(`no number ${number}`);
  deposited += 1;
  const id = `20251123090000-${deposited.toString(36).padStart(6, '0')}`;
  const samples = options.samples ?? new Int16Array(PROMPT_SAMPLE_RATE * 2);
  const audioFile = await storeOf(h).saveMessage(number, id, samples);
  const caller = options.caller === undefined ? '0355556666' : options.caller;
  await insertVoicemailMessage(
    h.db,
    {
      id,
      numberId: n.id,
      caller,
      callerAnonymity: caller === null ? 'withheld' : null,
      called: number,
      receivedAt: new Date(start.getTime() + deposited * 1000),
      durationMs: Math.round((samples.length / PROMPT_SAMPLE_RATE) * 1000),
      audioFile,
      callId: null,
    },
    start,
  );
  return id;
}

/** The role's numbers, made ready: subscribed, with notice addresses. */
async function prepare(h: Harness, role: Role) {
  const { inside, outside } = numbers(h, role);
  for (const number of outside === undefined ? [inside] : [inside, outside]) {
    const id = await subscribe(h, number);
    await upsertNumberSetting(
      h.db,
      id,
      'incoming_call_notice',
      {
        enabled: true,
        addresses: [{ address: 'desk@example.com', send: true }],
        callers: 'all',
        callerList: [],
        calls: 'all',
      },
      start,
    );
  }
  return { inside, outside };
}

const prepared =
  (suffix: string, payload?: Req['payload'], headers?: Req['headers']): Build =>
  async (h, role) => {
    await prepare(h, role);
    const built = await onNumber(suffix, payload)(h, role);
    if (headers === undefined) return built;
    return {
      inScope: { ...built.inScope, headers },
      ...(built.outOfScope ? { outOfScope: { ...built.outOfScope, headers } } : {}),
    };
  };

/** A request on a message of the role's own box, and on one of a box outside its scope. */
const onMessage =
  (suffix: string): Build =>
  async (h, role) => {
    const { inside, outside } = await prepare(h, role);
    const req = async (number: string): Promise<Req> => ({
      url: `/numbers/${number}/voicemail/messages/${await depositMessage(h, number)}${suffix}`,
    });
    return {
      inScope: await req(inside),
      ...(outside === undefined ? {} : { outOfScope: await req(outside) }),
    };
  };

export const validVoicemail = {
  guidance: 'record',
  greeting: 'system',
  maxMessages: 20,
  pin: '2580',
  notification: { addresses: ['box@example.com'], condition: 'on_recording', attachAudio: true },
};

export const validNotice = {
  enabled: true,
  addresses: [{ address: 'desk@example.com', send: true }],
  callers: { list: ['0355556666'] },
  calls: 'unanswered',
};

export const voicemailRequests: Requests = {
  'GET /numbers/:number/voicemail': prepared('/voicemail'),
  'PUT /numbers/:number/voicemail': prepared('/voicemail', validVoicemail),
  'PUT /numbers/:number/voicemail/greeting': prepared('/voicemail/greeting', toneWav(1), {
    'content-type': 'audio/wav',
  }),
  'DELETE /numbers/:number/voicemail/greeting': prepared('/voicemail/greeting'),
  'GET /numbers/:number/voicemail/messages': prepared('/voicemail/messages'),
  'GET /numbers/:number/voicemail/messages/:id/audio': onMessage('/audio'),
  'DELETE /numbers/:number/voicemail/messages/:id': onMessage(''),
  'GET /numbers/:number/incoming-call-notice': prepared('/incoming-call-notice'),
  'PUT /numbers/:number/incoming-call-notice': prepared('/incoming-call-notice', validNotice),
  'POST /numbers/:number/incoming-call-notice/test-mail': prepared(
    '/incoming-call-notice/test-mail',
    { address: 'desk@example.com' },
  ),
};
