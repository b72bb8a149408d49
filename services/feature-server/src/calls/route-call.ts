// A new call, from its INVITE to its end: who calls, where to, what the callee's features
// decide (packages/features), ringing, forwarding (SPEC §3.1), bridging the answer, and the
// call record (SPEC §3.13).
import type { Config } from '@ipvoice/config';
import {
  decideAfterRing,
  decideIncoming,
  decideOutgoing,
  huntOrder,
  incomingNoticeWanted,
  isEmergencyNumber,
  memberRing,
  memberVerdict,
  monthKey,
  numberFromUri,
  splitCallerIdPrefix,
  type Announce,
  type CallFacts,
  type CalleeFacts,
  type Dialled,
  type NumberUri,
  type OutgoingCaller,
  type Plan,
  type Policy,
} from '@ipvoice/features';
import { inspectSdp } from '@ipvoice/sdp';
import {
  parseUri,
  SipError,
  type Clock,
  type IncomingRequest,
  type Logger,
  type OutgoingInvite,
  type OutgoingResponse,
  type SipResponse,
  type SipServer,
  type Target,
  type TimerHandle,
} from '@ipvoice/sip';
import { incomingCallMail, type Notifier } from '@ipvoice/notifier';
import type { StateStore } from '@ipvoice/state';
import type { Voicemail } from '../voicemail/voicemail.ts';
import {
  ActiveCall,
  sessionExpiresSeconds,
  type ActiveCalls,
  type EndCause,
} from './active-calls.ts';
import { callRecord, type Progress } from './call-record.ts';
import type { CallRecordWriter } from './call-record-writer.ts';
import type { Announcer } from './announcer.ts';
import type { Caller } from './caller.ts';
import type { ScreeningCounterWriter } from './screening-counter-writer.ts';
import { forwardedFromHeaders, historyHeaders, type Diversion } from './forwarding-history.ts';
import {
  answeredDialog,
  asHeaderInit,
  bindingTarget,
  type CallerIdentity,
  flowTarget,
  legInvite,
  relayHeaders,
  trunkTarget,
} from './legs.ts';
import { ring, type RingResult } from './ring.ts';
import type { HuntGroupView, Subscriber, SubscriberCache } from './subscriber-cache.ts';

export interface CallRouting {
  sip: SipServer;
  config: Config;
  clock: Clock;
  logger: Logger;
  state: StateStore;
  subscribers: SubscriberCache;
  calls: ActiveCalls;
  records: CallRecordWriter;
  announcer: Announcer;
  counters: ScreeningCounterWriter;
  voicemail: Voicemail;
  notifier: Notifier;
}

/** A channel hold lapses after this unless refreshed (a crashed server frees its lines). */
const channelHoldMs = 3 * 3600_000;
const channelRefreshMs = 3600_000;

export async function routeCall(
  deps: CallRouting,
  req: IncomingRequest,
  res: OutgoingResponse,
  caller: Caller,
): Promise<void> {
  const startedAt = deps.clock.now();
  const m = req.message;
  const user = requestUser(m.uri);
  // SPEC §3.6: a subscriber's 184/186 prefix sets the caller ID of this call, and goes.
  const dialled: Dialled =
    caller.kind === 'subscriber' && user !== undefined
      ? splitCallerIdPrefix(user)
      : { number: user ?? '' };
  // SPEC §3.11: the message centre, answered by the server itself.
  if (dialled.number === deps.config.voicemail.centreNumber) {
    const identity: CallerIdentity = caller.number ? { number: caller.number } : {};
    const call = new CallRun(deps, req, res, caller, identity, dialled.number, startedAt);
    call.progress = { outcome: 'answered', reason: 'message-centre' };
    try {
      await deps.voicemail.centre(req, res, caller, (at) => (call.progress.answeredAt = at));
    } finally {
      call.finish();
    }
    return;
  }
  // Emergency numbers (110, 118, 119) go straight out: never forwarded or screened.
  const emergency = caller.kind === 'subscriber' && isEmergencyNumber(dialled.number);
  const number = emergency
    ? dialled.number.replace(/[-.()\s]/g, '')
    : numberFromUri(withUser(m.uri, dialled.number));
  if (!number) throw new SipError(404, 'Not Found');
  if (m.body.length > 0 && isSdp(req)) {
    const sdp = inspectSdp(m.body);
    if (!sdp.ok) throw new SipError(488, `Not Acceptable Here (${sdp.reason})`);
  }
  const outgoing =
    caller.kind === 'subscriber'
      ? decideOutgoing({ ...dialled, number }, outgoingCaller(caller.subscriber))
      : undefined;
  const identity: CallerIdentity =
    caller.kind === 'trunk'
      ? {
          ...(caller.number ? { number: caller.number } : {}),
          ...(caller.anonymity ? { anonymity: caller.anonymity } : {}),
          ...(caller.assertedNumber || caller.number
            ? { asserted: caller.assertedNumber ?? caller.number }
            : {}),
        }
      : outgoing?.action === 'call' && outgoing.callerId.presentation === 'withhold'
        ? { anonymity: 'withheld', asserted: outgoing.callerId.number }
        : {
            number: outgoing?.action === 'call' ? outgoing.callerId.number : caller.number,
            asserted: outgoing?.action === 'call' ? outgoing.callerId.number : caller.number,
          };
  const callee =
    emergency || outgoing?.action === 'announce' ? undefined : await deps.subscribers.get(number);
  if (!callee && caller.kind === 'trunk') throw new SipError(404, 'Not Found');
  const call = new CallRun(deps, req, res, caller, identity, number, startedAt);
  try {
    // SPEC §3.9/§3.10: a barred or restricted call hears why; it never takes a channel.
    if (outgoing?.action === 'announce') return await call.announce(outgoing);
    if (caller.kind === 'subscriber' && !(await call.takeChannel(caller.subscriber, 'out'))) {
      // SPEC §2: a call beyond the caller's line capacity is busy.
      call.progress = { outcome: 'busy', reason: 'channel-limit', failureCode: 486 };
      await call.reject(486, 'Busy Here');
      call.finish();
      return;
    }
    if (callee) await call.deliver(callee, forwardedFromHeaders(m), []);
    else await call.dialOut(number, []);
  } catch (err) {
    call.progress = { outcome: 'failed', failureCode: err instanceof SipError ? err.status : 500 };
    call.finish();
    throw err;
  }
}

/** SPEC §3.6/§3.9/§3.10 settings of a calling subscriber, hunt-group pilot included. */
function outgoingCaller(s: Subscriber): OutgoingCaller {
  return {
    number: s.base.number,
    presentation: s.outgoing.presentation,
    internationalBarring: s.internationalBarring,
    restrictions: s.outgoing.restrictions,
    ...(s.outgoing.specificNumber ? { specificNumber: s.outgoing.specificNumber } : {}),
    ...(s.hunt?.callerId === 'pilot' ? { pilotNumber: s.hunt.pilot } : {}),
  };
}

function requestUser(uri: unknown): string | undefined {
  const u = uri as { user?: string; number?: string };
  return u.user ?? u.number;
}

/** The Request-URI with its number replaced (the caller-ID prefix taken off). */
function withUser(uri: unknown, user: string): NumberUri {
  const u = uri as NumberUri;
  return u.user !== undefined
    ? { ...u, user }
    : u.number !== undefined
      ? { ...u, number: user }
      : u;
}

function isSdp(req: IncomingRequest): boolean {
  const type = req.get('Content-Type');
  return type === undefined || /^application\/sdp\b/i.test(type);
}

interface ChannelHold {
  line: string;
  key: string;
}

class CallRun {
  readonly #deps: CallRouting;
  readonly #req: IncomingRequest;
  readonly #res: OutgoingResponse;
  readonly #caller: Caller;
  readonly #identity: CallerIdentity;
  readonly #dialled: string;
  readonly #startedAt: number;
  progress: Progress = { outcome: 'failed' };
  /** The subscriber the record belongs to: the callee if local, else the caller. */
  #owner: Subscriber | undefined;
  #channels: ChannelHold[] = [];
  #refresh: TimerHandle | undefined;
  #sent181 = false;
  #finished = false;
  #active: ActiveCall | undefined;

  constructor(
    deps: CallRouting,
    req: IncomingRequest,
    res: OutgoingResponse,
    caller: Caller,
    identity: CallerIdentity,
    dialled: string,
    startedAt: number,
  ) {
    this.#deps = deps;
    this.#req = req;
    this.#res = res;
    this.#caller = caller;
    this.#identity = identity;
    this.#dialled = dialled;
    this.#startedAt = startedAt;
    if (caller.kind === 'subscriber') this.#owner = caller.subscriber;
  }

  async takeChannel(s: Subscriber, role: 'in' | 'out'): Promise<boolean> {
    return (await this.#hold(s, role)) !== undefined;
  }

  /** Holds one of the line's channels for this call (SPEC §2), or undefined when all are in use. */
  async #hold(s: Subscriber, role: 'in' | 'out'): Promise<ChannelHold | undefined> {
    const line = s.base.accessLineCode;
    const key = `${this.#req.callId}:${role}:${s.base.number}`;
    const ok = await this.#deps.state.channels.acquire(line, key, s.base.channels, channelHoldMs);
    if (!ok) return undefined;
    const hold = { line, key };
    this.#channels.push(hold);
    return hold;
  }

  #release(hold: ChannelHold): void {
    this.#channels = this.#channels.filter((h) => h !== hold);
    this.#deps.state.channels
      .release(hold.line, hold.key)
      .catch((err: unknown) =>
        this.#deps.logger.warn({ err, line: hold.line }, 'could not release channel'),
      );
  }

  get #policy(): Policy {
    return {
      maxForwardingHops: this.#deps.config.calls.maxForwardingHops,
      unreachableTimeoutMs: this.#deps.config.calls.unreachableTimeout,
    };
  }

  #callFacts(callee: Subscriber, forwardedFrom: string[]): CallFacts {
    const { number, anonymity } = this.#identity;
    return {
      ...(number ? { callerNumber: number } : {}),
      ...(anonymity ? { anonymity } : {}),
      calledNumber: callee.number.number,
      forwardedFrom,
    };
  }

  /** Delivers the call to a local number: its features decide, then we act (SPEC §3.1). */
  async deliver(callee: Subscriber, forwardedFrom: string[], steps: Diversion[]): Promise<void> {
    // The record belongs to the number dialled, not to where forwarding took the call.
    if (steps.length === 0) this.#owner = callee;
    // A hunt group's channels and devices are its members', tried one by one (SPEC §3.5).
    const hunt = callee.hunt;
    const channelAvailable = hunt !== undefined || (await this.takeChannel(callee, 'in'));
    const registrations = hunt ? [] : await this.#deps.state.registrations.list(callee.base.number);
    const facts: CalleeFacts = {
      number: callee.base.number,
      forwarding: callee.forwarding,
      subscriptions: callee.subscriptions,
      internationalBarring: callee.internationalBarring,
      registered: registrations.length > 0,
      channelAvailable,
      ...(callee.screening ? { screening: callee.screening } : {}),
      ...(callee.specialForwarding ? { specialForwarding: callee.specialForwarding } : {}),
      ...(hunt ? { hunting: true } : {}),
    };
    const callFacts = this.#callFacts(callee, forwardedFrom);
    const policy = this.#policy;
    let plan: Plan = decideIncoming(callFacts, facts, policy);
    if (plan.action === 'hunt' && hunt) {
      if ((await this.#hunt(hunt, callee, steps)) === 'done') return;
      // SPEC §3.5: nobody could take the call: the pilot's busy treatment.
      plan = decideAfterRing(callFacts, facts, 'busy', policy);
    }
    if (plan.action === 'ring') {
      const invites = registrations.map((b) =>
        this.#invite(bindingTarget(b), parseUri(b.contact), callee.number.number, steps, b.path),
      );
      this.progress.ringStartedAt ??= this.#deps.clock.now();
      const result = await this.#ring(invites, plan);
      this.progress.ringEndedAt = this.#deps.clock.now();
      if (result.kind === 'answered') {
        this.progress = { ...this.progress, outcome: steps.length > 0 ? 'forwarded' : 'answered' };
        await this.#bridge(result.invite, result.response);
        return;
      }
      if (result.kind === 'cancelled') return this.#callerCancelled();
      if (result.kind === 'refused') {
        this.progress = {
          ...this.progress,
          outcome: 'rejected',
          reason: 'refused',
          failureCode: result.status,
        };
        await this.reject(result.status, result.reason);
        this.finish();
        return;
      }
      plan = decideAfterRing(callFacts, facts, result.outcome, policy);
    }
    switch (plan.action) {
      case 'ring':
      case 'hunt':
        throw new Error(`nothing more to do for a ${plan.action} plan`);
      case 'announce':
        return this.announce(plan, callee);
      case 'reject':
        this.progress = {
          ...this.progress,
          outcome:
            plan.cause === 'busy' ? 'busy' : plan.cause === 'no-answer' ? 'no_answer' : 'rejected',
          // SPEC §2: busy because the line's channels are all in use, not the device;
          // §3.5: busy because no member of the group could take the call.
          reason:
            plan.cause === 'busy' && hunt
              ? 'hunt-all-busy'
              : plan.cause === 'busy' && !channelAvailable
                ? 'channel-limit'
                : plan.cause,
          failureCode: plan.status,
        };
        await this.reject(plan.status, plan.reason);
        this.finish();
        return;
      case 'voicemail':
        return this.#toVoicemail(callee, plan.reason);
      case 'forward': {
        const step: Diversion = {
          from: callee.number.number,
          to: plan.number,
          reason: plan.reason,
        };
        this.progress = {
          ...this.progress,
          outcome: 'forwarded',
          reason: plan.reason,
          forwardedTo: plan.number,
        };
        await this.#send181();
        const next = await this.#deps.subscribers.get(plan.number);
        const history = [...forwardedFrom, callee.number.number];
        if (next) await this.deliver(next, history, [...steps, step]);
        else await this.dialOut(plan.number, [...steps, step]);
        return;
      }
    }
  }

  /**
   * SPEC §3.5: offers the call to the group's members one at a time, in the group's order,
   * skipping those without a free channel or a device, moving on when one is busy,
   * unreachable or (with the group's no-answer time) does not answer. 'busy' when none took it.
   */
  async #hunt(
    group: HuntGroupView,
    callee: Subscriber,
    steps: Diversion[],
  ): Promise<'done' | 'busy'> {
    const { state, subscribers, clock, logger } = this.#deps;
    const size = group.numbers.length;
    const claimed = group.mode === 'round_robin' ? await state.hunt.claim(group.key, size) : 0;
    let attempted = false;
    for (const [i, number] of huntOrder(group, claimed).entries()) {
      if (this.#req.cancelled) {
        this.#callerCancelled();
        return 'done';
      }
      const member = await subscribers.get(number);
      // A member calling its own group is not offered its own call.
      if (!member || (this.#caller.kind === 'subscriber' && this.#caller.number === number))
        continue;
      const hold = await this.#hold(member, 'in');
      const registrations = hold ? await state.registrations.list(member.base.number) : [];
      const verdict = memberVerdict({
        channelAvailable: hold !== undefined,
        registered: registrations.length > 0,
      });
      if (verdict !== 'ring') {
        if (hold) this.#release(hold);
        continue;
      }
      // Round-robin continues after the member that took the first attempt (SPEC §3.5).
      if (!attempted && i > 0 && group.mode === 'round_robin')
        state.hunt
          .settle(group.key, claimed, (claimed + i) % size)
          .catch((err: unknown) => logger.warn({ err }, 'hunt rotation not recorded'));
      attempted = true;
      const invites = registrations.map((b) =>
        this.#invite(bindingTarget(b), parseUri(b.contact), callee.number.number, steps, b.path),
      );
      this.progress.ringStartedAt ??= clock.now();
      const result = await this.#ring(
        invites,
        memberRing(group, this.#policy.unreachableTimeoutMs),
      );
      this.progress.ringEndedAt = clock.now();
      if (result.kind === 'answered') {
        this.progress = {
          ...this.progress,
          outcome: steps.length > 0 ? 'forwarded' : 'answered',
          huntMember: number,
        };
        await this.#bridge(result.invite, result.response);
        return 'done';
      }
      if (result.kind === 'cancelled') {
        this.#callerCancelled();
        return 'done';
      }
      this.#release(hold as ChannelHold);
    }
    return 'busy';
  }

  /**
   * SPEC §5: the caller hears why the call is refused (early media), then the final
   * response. `screenedBy` is the callee whose screening refused it, for its counters (§3.8).
   */
  async announce(plan: Announce, screenedBy?: Subscriber): Promise<void> {
    this.progress = {
      ...this.progress,
      outcome: 'rejected',
      reason: plan.cause,
      failureCode: plan.status,
    };
    try {
      await this.#deps.announcer.play(this.#req, this.#res, plan.guidance);
    } catch (err) {
      this.#deps.logger.warn({ err, callId: this.#req.callId }, 'announcement failed');
    }
    await this.reject(plan.status, plan.reason);
    if (screenedBy && (plan.cause === 'nuisance-blocked' || plan.cause === 'anonymous-rejected'))
      this.#deps.counters.add({
        numberId: screenedBy.base.id,
        feature: plan.cause === 'nuisance-blocked' ? 'nuisance_blocking' : 'anonymous_rejection',
        month: monthKey(this.#startedAt, screenedBy.base.timeZone),
      });
    this.finish();
  }

  /** SPEC §3.11: the callee's box takes the call. */
  async #toVoicemail(callee: Subscriber, reason: string): Promise<void> {
    this.progress = { ...this.progress, outcome: 'voicemail', reason };
    try {
      const outcome = await this.#deps.voicemail.deposit(
        this.#req,
        this.#res,
        callee,
        this.#identity,
        (at) => (this.progress.answeredAt = at),
      );
      if (outcome.messageId) this.progress.reason = `${reason}; message ${outcome.messageId}`;
    } catch (err) {
      this.#deps.logger.warn({ err, callId: this.#req.callId }, 'voicemail deposit failed');
      if (!this.#res.finished) {
        this.progress = { ...this.progress, outcome: 'failed', failureCode: 480 };
        await this.reject(480, 'Temporarily Unavailable');
      }
    }
    this.finish();
  }

  /** A number that is not ours: out through the outbound trunk. */
  async dialOut(number: string, steps: Diversion[]): Promise<void> {
    const trunk = this.#deps.config.calls.trunks.find((t) => t.outbound);
    if (!trunk) {
      this.progress = {
        ...this.progress,
        outcome: steps.length > 0 ? 'forwarded' : 'failed',
        failureCode: 404,
      };
      await this.reject(404, 'Not Found');
      this.finish();
      return;
    }
    const target = trunkTarget(trunk);
    const uri = parseUri(`sip:${number}@${trunk.address}:${target.port};user=phone`);
    const invite = this.#invite(target, uri, number, steps, [], true);
    this.progress.ringStartedAt ??= this.#deps.clock.now();
    const result = await this.#ring([invite], {});
    this.progress.ringEndedAt = this.#deps.clock.now();
    const forwarded = steps.length > 0;
    switch (result.kind) {
      case 'answered':
        this.progress = { ...this.progress, outcome: forwarded ? 'forwarded' : 'answered' };
        await this.#bridge(result.invite, result.response);
        return;
      case 'cancelled':
        return this.#callerCancelled();
      case 'refused':
      case 'outcome': {
        const response = invite.finalResponse;
        const status = result.kind === 'refused' ? result.status : (response?.status ?? 480);
        const reason =
          result.kind === 'refused'
            ? result.reason
            : (response?.reason ?? 'Temporarily Unavailable');
        if (!forwarded)
          this.progress = {
            ...this.progress,
            outcome: status === 486 || status === 600 ? 'busy' : 'failed',
            failureCode: status,
          };
        await this.reject(status, reason);
        this.finish();
        return;
      }
    }
  }

  async reject(status: number, reason: string): Promise<void> {
    if (!this.#res.finished) await this.#res.send(status, reason);
  }

  /** Writes the record and frees the channels; once. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#refresh !== undefined) this.#deps.clock.clearTimeout(this.#refresh);
    for (const hold of [...this.#channels]) this.#release(hold);
    this.#incomingCallNotice();
    this.#deps.records.write(
      callRecord({
        callId: this.#req.callId,
        serverId: this.#deps.config.server.id,
        caller: this.#caller,
        identity: this.#identity,
        owner: this.#owner,
        dialled: this.#dialled,
        startedAt: this.#startedAt,
        endedAt: this.#deps.clock.now(),
        progress: this.progress,
      }),
    );
  }

  /** SPEC §3.12: the callee's incoming-call e-mail, when its filters want this call. */
  #incomingCallNotice(): void {
    const owner = this.#owner;
    const settings = owner?.incomingCallNotice;
    if (
      !owner ||
      !settings ||
      (this.#caller.kind === 'subscriber' && owner === this.#caller.subscriber)
    )
      return;
    const { outcome, answeredAt, ringStartedAt, ringEndedAt } = this.progress;
    const { number, anonymity } = this.#identity;
    const call = {
      ...(number ? { callerNumber: number } : {}),
      ...(anonymity ? { anonymity } : {}),
      outcome,
    };
    if (!incomingNoticeWanted(settings, call)) return;
    const addresses = settings.addresses.filter((a) => a.send).map((a) => a.address);
    if (addresses.length === 0) return;
    const ringEnd = answeredAt ?? ringEndedAt;
    const mail = incomingCallMail(addresses, {
      language: this.#deps.config.mail.language,
      timeZone: owner.base.timeZone,
      at: new Date(this.#startedAt),
      calledNumber: this.#dialled,
      caller: { ...(number ? { number } : {}), ...(anonymity ? { anonymity } : {}) },
      ringSeconds:
        ringStartedAt !== undefined && ringEnd !== undefined
          ? Math.round((ringEnd - ringStartedAt) / 1000)
          : 0,
      outcome:
        outcome === 'answered'
          ? 'answered'
          : outcome === 'forwarded' || outcome === 'voicemail'
            ? 'forwarded'
            : outcome === 'busy'
              ? 'busy'
              : 'no_answer',
    });
    this.#deps.notifier
      .enqueue(mail)
      .catch((err: unknown) =>
        this.#deps.logger.warn(
          { err, callId: this.#req.callId },
          'incoming-call notice not queued',
        ),
      );
  }

  #invite(
    target: Target,
    uri: ReturnType<typeof parseUri>,
    toNumber: string,
    steps: readonly Diversion[],
    path: readonly string[],
    trusted = false,
  ): OutgoingInvite {
    if (!uri) throw new SipError(500, 'Bad Contact');
    const { config } = this.#deps;
    return this.#deps.sip.sendInvite(
      target,
      legInvite({
        incoming: this.#req.message,
        uri,
        domain: config.sip.domain,
        identity: this.#identity,
        trusted,
        toNumber,
        history:
          steps.length > 0
            ? historyHeaders(
                config.calls.forwardingHistory,
                config.sip.domain,
                this.#req.message,
                this.#dialled,
                steps,
              )
            : [],
        path,
      }),
    );
  }

  #ring(
    invites: OutgoingInvite[],
    plan: { noAnswerAfterMs?: number; unreachableAfterMs?: number },
  ): Promise<RingResult> {
    return ring(invites, {
      clock: this.#deps.clock,
      ...(plan.noAnswerAfterMs !== undefined ? { noAnswerAfterMs: plan.noAnswerAfterMs } : {}),
      ...(plan.unreachableAfterMs !== undefined
        ? { unreachableAfterMs: plan.unreachableAfterMs }
        : {}),
      onCallerCancel: (fn) => this.#req.onCancel(fn),
      onProvisional: (response) => {
        if (this.#res.finished) return;
        this.#res
          .send(response.status, response.reason, {
            headers: asHeaderInit(relayHeaders(response)),
            body: response.body,
            contact: [this.#deps.sip.localContact(this.#req.flow.protocol)],
          })
          .catch((err: unknown) => this.#deps.logger.debug({ err }, 'provisional not relayed'));
      },
    });
  }

  async #send181(): Promise<void> {
    // SPEC §3.1 / RFC 3261 §21.1.3: tell the caller once that the call is being forwarded.
    if (this.#sent181 || this.#res.finished) return;
    this.#sent181 = true;
    await this.#res.send(181, 'Call Is Being Forwarded');
  }

  #callerCancelled(): void {
    // A forwarded call keeps its forwarding outcome; otherwise the caller gave up ringing.
    if (this.progress.outcome !== 'forwarded')
      this.progress = { ...this.progress, outcome: 'no_answer', reason: 'caller-cancelled' };
    this.finish();
  }

  /** The callee answered: answer the caller with the callee's session, join the dialogs. */
  async #bridge(invite: OutgoingInvite, response: SipResponse): Promise<void> {
    const { sip, calls, clock } = this.#deps;
    const bDialog = invite.dialog;
    if (!bDialog) throw new Error('answered without a dialog');
    if (this.#res.finished || this.#req.cancelled) {
      // The caller went away while the answer was on its way: end the callee's side.
      invite.ack();
      void sip.requestInDialog(bDialog, invite.dialogTarget, 'BYE').catch(() => undefined);
      this.#callerCancelled();
      return;
    }
    const contact = sip.localContact(this.#req.flow.protocol);
    const aDialogResult = answeredDialog(this.#req.message, this.#res.toTag, contact);
    if (!aDialogResult.ok) {
      invite.ack();
      void sip.requestInDialog(bDialog, invite.dialogTarget, 'BYE').catch(() => undefined);
      this.progress = {
        ...this.progress,
        outcome: 'failed',
        failureCode: 400,
        reason: aDialogResult.reason,
      };
      await this.reject(400, 'Bad Request');
      this.finish();
      return;
    }
    this.progress.answeredAt = clock.now();
    const active = new ActiveCall(
      { dialog: aDialogResult.dialog, target: flowTarget(this.#req.flow) },
      { dialog: bDialog, target: invite.dialogTarget },
      invite,
      clock,
      (cause: EndCause) => {
        this.#deps.logger.debug({ callId: this.#req.callId, cause }, 'call ended');
        this.finish();
      },
    );
    this.#active = active;
    calls.add(active);
    this.#req.onNoAck(() => calls.hangUp(active, 'no-ack'));
    calls.armSessionTimer(active, sessionExpiresSeconds(response));
    this.#refresh = this.#refreshChannels();
    await this.#res.send(response.status, response.reason, {
      headers: asHeaderInit(relayHeaders(response)),
      body: response.body,
      contact: [contact],
    });
  }

  #refreshChannels(): TimerHandle {
    const { clock, state, logger } = this.#deps;
    return clock.setTimeout(() => {
      if (this.#finished) return;
      for (const { line, key } of this.#channels)
        state.channels
          .refresh(line, key, channelHoldMs)
          .catch((err: unknown) => logger.warn({ err }, 'channel refresh failed'));
      this.#refresh = this.#refreshChannels();
    }, channelRefreshMs);
  }
}
