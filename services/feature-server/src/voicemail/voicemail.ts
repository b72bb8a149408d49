// SPEC §3.11 voicemail: deposit (a call forwarded to `voicemail` hears the greeting and
// leaves a message, or is told the box is full) and the message centre (log in with the box
// number and PIN by DTMF, hear counts, play / repeat / delete / skip messages, record the
// greeting). Messages are WAV files in the store with their metadata in SQL; every change
// updates message-waiting lights, and deposits send the box's e-mail.
import { randomBytes } from 'node:crypto';
import type { Config } from '@ipvoice/config';
import {
  countVoicemailMessages,
  deleteVoicemailMessage,
  findVoicemailBox,
  findVoicemailMessage,
  insertVoicemailMessage,
  listVoicemailMessages,
  markVoicemailSaved,
  saveVoicemailBoxState,
  setVoicemailGreeting,
  type Database,
  type Kysely,
} from '@ipvoice/db';
import { depositPlan, mailOnDeposit, normalizeNumber, pinAttempt } from '@ipvoice/features';
import {
  countPrompts,
  promptFromSamples,
  voicedMs,
  type MessageStore,
  type Prompt,
  type PromptLanguage,
  type PromptLibrary,
  type PromptName,
} from '@ipvoice/media';
import { voicemailMail, type Notifier } from '@ipvoice/notifier';
import type { Clock, IncomingRequest, Logger, OutgoingResponse } from '@ipvoice/sip';
import type { Caller } from '../calls/caller.ts';
import type { CallerIdentity } from '../calls/legs.ts';
import type { MediaCall, MediaCalls } from '../calls/media-calls.ts';
import {
  defaultVoicemail,
  type Subscriber,
  type SubscriberCache,
} from '../calls/subscriber-cache.ts';
import { CallEnded, Ivr } from './ivr.ts';
import type { MessageWaiting } from './message-waiting.ts';

export interface VoicemailDeps {
  db: Kysely<Database>;
  config: Config;
  clock: Clock;
  logger: Logger;
  calls: MediaCalls;
  prompts: PromptLibrary;
  store: MessageStore;
  waiting: MessageWaiting;
  notifier: Notifier;
  subscribers: SubscriberCache;
  /** The language of the caller's prompts (configuration or Accept-Language). */
  languageOf(req: IncomingRequest): PromptLanguage;
}

/** How a deposit went, for the call record. */
export interface DepositOutcome {
  answeredAt?: number;
  /** The message id, when one was left. */
  messageId?: string;
}

/** A message shorter than this of voiced audio is a hang-up after the tone, not a message. */
const minVoicedMs = 500;

/** Sortable and unique: `20261123153012-k3j9x2`. */
function messageId(at: number): string {
  const stamp = new Date(at).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${stamp}-${randomBytes(4).readUInt32BE(0).toString(36).padStart(6, '0').slice(-6)}`;
}

export class Voicemail {
  readonly #d: VoicemailDeps;

  constructor(deps: VoicemailDeps) {
    this.#d = deps;
  }

  /** The box of `box` takes the call (SPEC §3.11): greeting, then a message or not. */
  async deposit(
    req: IncomingRequest,
    res: OutgoingResponse,
    box: Subscriber,
    caller: CallerIdentity,
    onAnswered: (at: number) => void,
  ): Promise<DepositOutcome> {
    const { db, clock, config } = this.#d;
    const settings = box.voicemail ?? defaultVoicemail;
    const counts = await countVoicemailMessages(db, box.base.id);
    const plan = depositPlan(settings, counts.new + counts.saved);
    const language = this.#d.languageOf(req);
    const call = await this.#d.calls.answer(req, res);
    const outcome: DepositOutcome = { answeredAt: clock.now() };
    onAnswered(clock.now());
    const say = (...names: PromptName[]) => names.map((n) => this.#d.prompts.get(n, language));
    try {
      const greeting = await this.#greeting(box, settings.greeting, plan, language);
      if (plan !== 'record') {
        await call.session.play(
          plan === 'box-full' ? [greeting, ...say('vm-box-full')] : [greeting],
        );
        return outcome;
      }
      await call.session.play([greeting, ...say('beep')]);
      if (call.ended) return outcome;
      const recording = await call.session.record({
        maxMs: config.voicemail.maxMessageSeconds * 1000,
        silenceMs: config.voicemail.silenceSeconds * 1000,
        endDigits: '#',
      });
      if (voicedMs(recording.samples) >= minVoicedMs) {
        outcome.messageId = await this.#keep(box, caller, req.callId, recording.samples);
      }
      if (!call.ended) await call.session.play(say('vm-recorded'));
      return outcome;
    } finally {
      await call.hangUp();
      await this.#mail(box, caller, outcome, counts.new + counts.saved).catch((err: unknown) =>
        this.#d.logger.warn({ err, number: box.base.number }, 'voicemail mail not queued'),
      );
    }
  }

  /** The message centre (SPEC §3.11 retrieval), for whoever dialled its number. */
  async centre(
    req: IncomingRequest,
    res: OutgoingResponse,
    caller: Caller,
    onAnswered: (at: number) => void,
  ): Promise<void> {
    const call = await this.#d.calls.answer(req, res);
    onAnswered(this.#d.clock.now());
    const language = this.#d.languageOf(req);
    const ivr = new Ivr(call, this.#d.clock);
    const say = (...names: PromptName[]) => names.map((n) => this.#d.prompts.get(n, language));
    try {
      const box = await this.#login(ivr, caller, say);
      if (box) await this.#mainMenu(ivr, call, box, say, language);
      if (!call.ended) await ivr.say(say('vm-goodbye'));
    } catch (err) {
      if (!(err instanceof CallEnded)) throw err;
    } finally {
      await call.hangUp();
    }
  }

  async #greeting(
    box: Subscriber,
    kind: 'system' | 'custom',
    plan: ReturnType<typeof depositPlan>,
    language: PromptLanguage,
  ): Promise<Prompt> {
    if (kind === 'custom') {
      const file = (await findVoicemailBox(this.#d.db, box.base.id)).greetingFile;
      if (file) {
        try {
          return promptFromSamples(await this.#d.store.read(file), 'custom');
        } catch (err) {
          this.#d.logger.warn({ err, file }, 'custom greeting unreadable; system greeting used');
        }
      }
    }
    const name = plan === 'announce-only' ? 'vm-greeting-announce-only' : 'vm-greeting';
    return this.#d.prompts.get(name, language);
  }

  async #keep(
    box: Subscriber,
    caller: CallerIdentity,
    callId: string,
    samples: Int16Array,
  ): Promise<string> {
    const now = this.#d.clock.now();
    const id = messageId(now);
    const file = await this.#d.store.saveMessage(box.base.number, id, samples);
    await insertVoicemailMessage(
      this.#d.db,
      {
        id,
        numberId: box.base.id,
        caller: caller.number ?? null,
        callerAnonymity: caller.anonymity ?? null,
        called: box.number.number,
        receivedAt: new Date(now),
        durationMs: Math.round((samples.length / 8000) * 1000),
        audioFile: file,
        callId,
      },
      new Date(now),
    );
    await this.#d.waiting.changed(box.base.number);
    return id;
  }

  async #mail(
    box: Subscriber,
    caller: CallerIdentity,
    outcome: DepositOutcome,
    storedBefore: number,
  ): Promise<void> {
    const settings = box.voicemail ?? defaultVoicemail;
    const { addresses, condition, attachAudio } = settings.notification;
    const recorded = outcome.messageId !== undefined;
    if (addresses.length === 0 || !mailOnDeposit(condition, recorded)) return;
    const message =
      outcome.messageId !== undefined
        ? await findVoicemailMessage(this.#d.db, box.base.id, outcome.messageId)
        : undefined;
    await this.#d.notifier.enqueue(
      voicemailMail(addresses, {
        language: this.#d.config.mail.language,
        timeZone: box.base.timeZone,
        receivedAt: new Date(outcome.answeredAt ?? this.#d.clock.now()),
        caller: {
          ...(caller.number ? { number: caller.number } : {}),
          ...(caller.anonymity ? { anonymity: caller.anonymity } : {}),
        },
        calledNumber: box.number.number,
        centreNumber: this.#d.config.voicemail.centreNumber,
        durationSeconds: message ? Math.round(message.durationMs / 1000) : 0,
        messageCount: storedBefore + (recorded ? 1 : 0),
        maxMessages: settings.maxMessages,
        messageId: outcome.messageId ?? '-',
        ...(message && attachAudio
          ? { attachment: { path: this.#d.store.path(message.audioFile) } }
          : {}),
      }),
    );
  }

  /** Box number (unless calling from the box's own number) and PIN, with lockout. */
  async #login(
    ivr: Ivr,
    caller: Caller,
    say: (...names: PromptName[]) => Prompt[],
  ): Promise<Subscriber | undefined> {
    const { db, clock, config, logger } = this.#d;
    const own =
      caller.kind === 'subscriber' && caller.subscriber.voicemail ? caller.subscriber : undefined;
    let box = own;
    for (let tries = 0; !box && tries < 3; tries++) {
      const digits = await ivr.ask(say('vm-enter-box'), { max: 11 });
      const number = normalizeNumber(digits);
      const found = number ? await this.#d.subscribers.get(number) : undefined;
      if (found?.voicemail && found.base.number === found.number.number) box = found;
      else await ivr.say(say('vm-invalid'));
    }
    if (!box) return undefined;
    const settings = box.voicemail ?? defaultVoicemail;
    // Without a PIN, only the box's own line can open it.
    if (settings.pin === null) return box === own ? box : undefined;
    const policy = {
      maxFailures: config.voicemail.pinMaxFailures,
      lockMs: config.voicemail.pinLockMinutes * 60_000,
    };
    for (;;) {
      const stored = await findVoicemailBox(db, box.base.id);
      const state = { failures: stored.pinFailures, lockedUntil: stored.lockedUntil };
      if (state.lockedUntil !== null && state.lockedUntil > clock.now()) {
        logger.warn({ number: box.base.number }, 'voicemail box locked: login refused');
        await ivr.say(say('vm-locked'));
        return undefined;
      }
      const pin = await ivr.ask(say('vm-enter-pin'), { max: 8 });
      const attempt = pinAttempt(state, pin === settings.pin, clock.now(), policy);
      await saveVoicemailBoxState(
        db,
        box.base.id,
        { pinFailures: attempt.state.failures, lockedUntil: attempt.state.lockedUntil },
        new Date(clock.now()),
      );
      if (attempt.outcome === 'ok') return box;
      logger.warn(
        { number: box.base.number, failures: attempt.state.failures, outcome: attempt.outcome },
        'voicemail PIN refused',
      );
      await ivr.say(say(attempt.outcome === 'locked' ? 'vm-locked' : 'vm-wrong-pin'));
      if (attempt.outcome === 'locked') return undefined;
    }
  }

  async #mainMenu(
    ivr: Ivr,
    call: MediaCall,
    box: Subscriber,
    say: (...names: PromptName[]) => Prompt[],
    language: PromptLanguage,
  ): Promise<void> {
    for (let idle = 0; idle < 2 && !call.ended;) {
      const counts = await countVoicemailMessages(this.#d.db, box.base.id);
      const summary = [
        ...say('vm-new-before'),
        ...countPrompts(counts.new, language),
        ...say('vm-new-after', 'vm-saved-before'),
        ...countPrompts(counts.saved, language),
        ...say('vm-saved-after'),
      ];
      const choice = await ivr.ask([...summary, ...say('vm-main-menu')], { max: 1 });
      if (choice === '') {
        idle++;
        continue;
      }
      idle = 0;
      if (choice === '1') await this.#playMessages(ivr, box, say);
      else if (choice === '3') await this.#recordGreeting(ivr, call, box, say);
      else if (choice === '9') return;
      else await ivr.say(say('vm-invalid'));
    }
  }

  async #playMessages(
    ivr: Ivr,
    box: Subscriber,
    say: (...names: PromptName[]) => Prompt[],
  ): Promise<void> {
    const { db, store, waiting } = this.#d;
    // New messages first, then saved ones, each oldest first.
    const all = await listVoicemailMessages(db, box.base.id);
    const queue = [
      ...all.filter((m) => m.status === 'new'),
      ...all.filter((m) => m.status === 'saved'),
    ];
    for (const message of queue) {
      const audio = promptFromSamples(await store.read(message.audioFile), message.id);
      for (let repeat = true; repeat;) {
        repeat = false;
        const choice = await ivr.ask([audio, ...say('vm-message-menu')], { max: 1 });
        if (choice === '1') {
          repeat = true;
        } else if (choice === '7') {
          const file = await deleteVoicemailMessage(db, box.base.id, message.id);
          if (file) await store.remove(file);
          await waiting.changed(box.base.number);
          await ivr.say(say('vm-deleted'));
        } else if (message.status === 'new') {
          // Heard and skipped (9, # or nothing): kept as saved.
          await markVoicemailSaved(db, box.base.id, message.id);
          await waiting.changed(box.base.number);
        }
      }
    }
    await ivr.say(say('vm-no-more'));
  }

  async #recordGreeting(
    ivr: Ivr,
    call: MediaCall,
    box: Subscriber,
    say: (...names: PromptName[]) => Prompt[],
  ): Promise<void> {
    await ivr.say(say('vm-record-greeting', 'beep'));
    const recording = await call.session.record({
      maxMs: 60_000,
      silenceMs: this.#d.config.voicemail.silenceSeconds * 1000,
      endDigits: '#',
    });
    if (call.ended || voicedMs(recording.samples) < minVoicedMs) return;
    const file = await this.#d.store.saveGreeting(box.base.number, recording.samples);
    const previous = (await findVoicemailBox(this.#d.db, box.base.id)).greetingFile;
    await setVoicemailGreeting(this.#d.db, box.base.id, file, new Date(this.#d.clock.now()));
    if (previous) await this.#d.store.remove(previous).catch(() => undefined);
    await ivr.say(say('vm-greeting-saved'));
  }
}
