// SPEC §3.11 voicemail through the API: the box's settings (PIN never shown), its own
// greeting (a WAV in the store the feature server plays from), and its messages — which only
// the box's user may hear or delete (SPEC §4: administrators ✗).
import { readFile } from 'node:fs/promises';
import {
  deleteVoicemailMessage,
  findNumberSetting,
  findVoicemailBox,
  findVoicemailMessage,
  insertSettingHistory,
  listVoicemailMessages,
  markVoicemailSaved,
  setVoicemailGreeting,
  type Executor,
  type NumberFacts,
  type NumberSettingsDocuments,
} from '@ipvoice/db';
import { MessageStore, PROMPT_SAMPLE_RATE, WavError, readWav } from '@ipvoice/media';
import { queueMail, settingsConfirmationMail, voicemailSummary } from '@ipvoice/notifier';
import { voicemailSettingsSchema } from '@ipvoice/provisioning';
import { messageWaitingChannel, settingsChangedChannel } from '@ipvoice/state';
import { z } from 'zod';
import type { ApiDeps } from '../api-deps.ts';
import { invalid, notFound } from '../api-error.ts';
import { numberTarget, requireSubscription } from './number-target.ts';
import { defineRoute } from '../route.ts';
import { changeNumberSetting } from './number-setting-change.ts';

/** SPEC §3.11: a greeting is at most a minute (the phone recording stops there too). */
export const maxGreetingSeconds = 60;

const numberParams = z.object({
  number: z.string().regex(/^[0-9]{1,15}$/, 'a number is 1–15 digits'),
});
const messageParams = numberParams.extend({
  id: z.string().regex(/^[0-9A-Za-z-]{1,64}$/, 'a message id'),
});
const settingsRights = { group_admin: true, site_admin: true, user: 'own' } as const;
// SPEC §4: voicemail messages (listen, delete) — the user of the number only.
const messageRights = {
  group_admin: false,
  site_admin: false,
  user: 'own',
  // SPEC §4: messages are the user's to listen to and delete; not even the carrier's.
  operator: false,
} as const;

type VoicemailSettings = NumberSettingsDocuments['voicemail'];

/** A box never configured answers with the provisioning schema's defaults. */
const defaults = (): VoicemailSettings => voicemailSettingsSchema.parse({});

/** The provisioning rules and messages (validatePin for the PIN); the PIN may be left out to
 * keep the one set, or null to clear it. */
export const voicemailBody = voicemailSettingsSchema.extend({
  pin: voicemailSettingsSchema.shape.pin.unwrap().optional(),
});

/** The settings as shown: never the PIN, only whether one is set. */
function settingsView(s: VoicemailSettings, customGreeting: boolean) {
  const { pin, ...rest } = s;
  return { ...rest, pinSet: pin !== null, customGreetingStored: customGreeting };
}

const store = (deps: ApiDeps) => new MessageStore(deps.config.voicemail.storeDir);

/** The box's base number: what message-waiting subscriptions are keyed on. */
async function baseNumber(db: Executor, n: NumberFacts): Promise<string> {
  if (n.baseNumberId === null) return n.number;
  const row = await db
    .selectFrom('numbers')
    .select('number')
    .where('id', '=', n.baseNumberId)
    .executeTakeFirst();
  return row?.number ?? n.number;
}

const getSettings = defineRoute({
  method: 'GET',
  url: '/numbers/:number/voicemail',
  summary: 'Voicemail settings (SPEC §3.11); the PIN is never shown, only `pinSet`',
  tags: ['voicemail'],
  access: { resource: 'number', roles: settingsRights },
  schema: { params: numberParams },
  async handler({ deps, target: t }) {
    const n = numberTarget(t.number);
    await requireSubscription(deps.db, n, 'voicemail');
    const settings = (await findNumberSetting(deps.db, n.id, 'voicemail')) ?? defaults();
    const box = await findVoicemailBox(deps.db, n.id);
    return settingsView(settings, box.greetingFile !== null);
  },
});

const putSettings = defineRoute({
  method: 'PUT',
  url: '/numbers/:number/voicemail',
  summary:
    'Replace the voicemail settings (SPEC §3.11); a change is confirmed by mail to the notification addresses',
  tags: ['voicemail'],
  access: { resource: 'number', roles: settingsRights },
  schema: { params: numberParams, body: voicemailBody },
  async handler({ deps, target: t, body, principal, now }) {
    const n = numberTarget(t.number);
    await requireSubscription(deps.db, n, 'voicemail');
    const current = await findNumberSetting(deps.db, n.id, 'voicemail');
    const after: VoicemailSettings = {
      ...body,
      pin: body.pin === undefined ? (current?.pin ?? null) : body.pin,
    };
    const language = deps.config.mail.language;
    await changeNumberSetting({
      deps,
      principal,
      number: n,
      feature: 'voicemail',
      after,
      now,
      // SPEC §4 history shows before and after; the PIN only as whether one is set.
      historyView: ({ pin, ...rest }) => ({ ...rest, pinSet: pin !== null }),
      // SPEC §3.11: a settings change sends a confirmation e-mail to the addresses; queued in
      // the change's transaction, so it goes exactly when the change is stored.
      async alsoInTransaction(trx) {
        const to = after.notification.addresses;
        if (to.length === 0) return;
        const mail = settingsConfirmationMail(to, {
          language,
          timeZone: n.timeZone,
          at: now,
          number: n.number,
          summary: voicemailSummary(after, language),
        });
        await queueMail(trx, mail, now);
      },
    });
    const box = await findVoicemailBox(deps.db, n.id);
    return settingsView(after, box.greetingFile !== null);
  },
});

/** Records a greeting change with its history row; returns the file it replaced. */
async function replaceGreeting(
  deps: ApiDeps,
  n: NumberFacts,
  actor: string,
  file: string | null,
  now: Date,
): Promise<string | null> {
  return deps.db.transaction().execute(async (trx) => {
    const previous = (await findVoicemailBox(trx, n.id)).greetingFile;
    await setVoicemailGreeting(trx, n.id, file, now);
    await insertSettingHistory(
      trx,
      [
        {
          numberId: n.id,
          siteId: n.siteId,
          voiceGroupId: n.voiceGroupId,
          actor,
          feature: 'voicemail_greeting',
          action: file === null ? 'delete' : 'update',
          before: previous === null ? null : { file: previous },
          after: file === null ? null : { file },
        },
      ],
      now,
    );
    return previous;
  });
}

const putGreeting = defineRoute({
  method: 'PUT',
  url: '/numbers/:number/voicemail/greeting',
  summary: `Upload the box's own greeting: a WAV (Content-Type audio/wav), 8 kHz mono, at most ${maxGreetingSeconds} s`,
  tags: ['voicemail'],
  access: { resource: 'number', roles: settingsRights },
  schema: { params: numberParams },
  async handler({ deps, target: t, body, principal, now }) {
    const n = numberTarget(t.number);
    await requireSubscription(deps.db, n, 'voicemail');
    if (!Buffer.isBuffer(body))
      throw invalid('body', 'send the greeting as Content-Type audio/wav');
    let samples: Int16Array;
    try {
      samples = readWav(body, { sampleRate: PROMPT_SAMPLE_RATE }).samples;
    } catch (err) {
      if (err instanceof WavError) throw invalid('body', err.message);
      throw err;
    }
    const seconds = samples.length / PROMPT_SAMPLE_RATE;
    if (samples.length === 0) throw invalid('body', 'the greeting is empty');
    if (seconds > maxGreetingSeconds)
      throw invalid(
        'body',
        `the greeting is ${seconds.toFixed(1)} s, at most ${maxGreetingSeconds} s`,
      );
    const files = store(deps);
    const file = await files.saveGreeting(n.number, samples);
    const actor = principal?.account.login ?? 'api';
    const previous = await replaceGreeting(deps, n, actor, file, now).catch(
      async (err: unknown) => {
        await files.remove(file);
        throw err;
      },
    );
    if (previous !== null && previous !== file) await files.remove(previous);
    await deps.state.publish(settingsChangedChannel, n.number);
    return { customGreetingStored: true, durationSeconds: seconds };
  },
});

const deleteGreeting = defineRoute({
  method: 'DELETE',
  url: '/numbers/:number/voicemail/greeting',
  summary: "Remove the box's own greeting: callers hear the system greeting again",
  tags: ['voicemail'],
  access: { resource: 'number', roles: settingsRights },
  status: 204,
  schema: { params: numberParams },
  async handler({ deps, target: t, principal, now }) {
    const n = numberTarget(t.number);
    await requireSubscription(deps.db, n, 'voicemail');
    if ((await findVoicemailBox(deps.db, n.id)).greetingFile === null) return undefined;
    const previous = await replaceGreeting(deps, n, principal?.account.login ?? 'api', null, now);
    if (previous !== null) await store(deps).remove(previous);
    await deps.state.publish(settingsChangedChannel, n.number);
    return undefined;
  },
});

const listMessages = defineRoute({
  method: 'GET',
  url: '/numbers/:number/voicemail/messages',
  summary: "The box's messages, oldest first (SPEC §3.11; the number's user only)",
  tags: ['voicemail'],
  access: { resource: 'number', roles: messageRights },
  schema: { params: numberParams },
  async handler({ deps, target: t }) {
    const messages = await listVoicemailMessages(deps.db, numberTarget(t.number).id);
    return {
      messages: messages.map((m) => ({
        id: m.id,
        receivedAt: m.receivedAt.toISOString(),
        caller: m.caller,
        callerAnonymity: m.callerAnonymity,
        durationSeconds: Math.round(m.durationMs / 1000),
        status: m.status,
      })),
    };
  },
});

const messageAudio = defineRoute({
  method: 'GET',
  url: '/numbers/:number/voicemail/messages/:id/audio',
  summary: 'A message as WAV (audio/wav); a new message becomes saved once heard',
  tags: ['voicemail'],
  access: { resource: 'number', roles: messageRights },
  schema: { params: messageParams },
  async handler({ deps, target: t, params, reply }) {
    const n = numberTarget(t.number);
    const message = await findVoicemailMessage(deps.db, n.id, params.id);
    if (message === undefined) throw notFound(`message ${params.id} not found`);
    const audio = await readFile(store(deps).path(message.audioFile));
    if (message.status === 'new') {
      await markVoicemailSaved(deps.db, n.id, message.id);
      await deps.state.publish(messageWaitingChannel, await baseNumber(deps.db, n));
    }
    reply.header('content-type', 'audio/wav');
    return audio;
  },
});

const deleteMessage = defineRoute({
  method: 'DELETE',
  url: '/numbers/:number/voicemail/messages/:id',
  summary: 'Delete a message and its audio',
  tags: ['voicemail'],
  access: { resource: 'number', roles: messageRights },
  status: 204,
  schema: { params: messageParams },
  async handler({ deps, target: t, params }) {
    const n = numberTarget(t.number);
    const file = await deleteVoicemailMessage(deps.db, n.id, params.id);
    if (file === undefined) throw notFound(`message ${params.id} not found`);
    // The row went first: a file that cannot be removed is an orphan, never a broken message.
    await store(deps)
      .remove(file)
      .catch((err: unknown) => deps.logger.warn({ err, file }, 'voicemail file not removed'));
    await deps.state.publish(messageWaitingChannel, await baseNumber(deps.db, n));
    return undefined;
  },
});

export const voicemailRoutes = [
  getSettings,
  putSettings,
  putGreeting,
  deleteGreeting,
  listMessages,
  messageAudio,
  deleteMessage,
];
