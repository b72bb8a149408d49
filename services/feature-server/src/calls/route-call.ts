// A new call, from its INVITE to its end: who calls, where to, what the callee's features
// decide (packages/features), ringing, forwarding (SPEC §3.1), bridging the answer, and the
// call record (SPEC §3.13).
import type { Config } from '@ipvoice/config';
import {
  decideAfterRing,
  decideIncoming,
  isEmergencyNumber,
  numberFromUri,
  type Plan,
} from '@ipvoice/features';
import { inspectSdp } from '@ipvoice/sdp';
import {
  Dialog,
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
import type { StateStore } from '@ipvoice/state';
import {
  ActiveCall,
  sessionExpiresSeconds,
  type ActiveCalls,
  type EndCause,
} from './active-calls.ts';
import { callRecord, type Progress } from './call-record.ts';
import type { CallRecordWriter } from './call-record-writer.ts';
import type { Caller } from './caller.ts';
import { forwardedFromHeaders, historyHeaders, type Diversion } from './forwarding-history.ts';
import {
  asHeaderInit,
  bindingTarget,
  flowTarget,
  legInvite,
  relayHeaders,
  trunkTarget,
} from './legs.ts';
import { ring, type RingResult } from './ring.ts';
import type { Subscriber, SubscriberCache } from './subscriber-cache.ts';

export interface CallRouting {
  sip: SipServer;
  config: Config;
  clock: Clock;
  logger: Logger;
  state: StateStore;
  subscribers: SubscriberCache;
  calls: ActiveCalls;
  records: CallRecordWriter;
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
  // Emergency numbers (110, 118, 119) go straight out: never forwarded or screened.
  const emergency = caller.kind === 'subscriber' && user !== undefined && isEmergencyNumber(user);
  const dialled = emergency
    ? user.replace(/[-.()\s]/g, '')
    : numberFromUri(m.uri as Parameters<typeof numberFromUri>[0]);
  if (!dialled) throw new SipError(404, 'Not Found');
  if (m.body.length > 0 && isSdp(req)) {
    const sdp = inspectSdp(m.body);
    if (!sdp.ok) throw new SipError(488, `Not Acceptable Here (${sdp.reason})`);
  }
  const callee = emergency ? undefined : await deps.subscribers.get(dialled);
  if (!callee && caller.kind === 'trunk') throw new SipError(404, 'Not Found');
  const call = new CallRun(deps, req, res, caller, dialled, startedAt);
  try {
    if (caller.kind === 'subscriber' && !(await call.takeChannel(caller.subscriber, 'out'))) {
      // SPEC §2: a call beyond the caller's line capacity is busy.
      call.progress = { outcome: 'busy', reason: 'channel-limit', failureCode: 486 };
      await call.reject(486, 'Busy Here');
      call.finish();
      return;
    }
    if (callee) await call.deliver(callee, forwardedFromHeaders(m), []);
    else await call.dialOut(dialled, []);
  } catch (err) {
    call.progress = { outcome: 'failed', failureCode: err instanceof SipError ? err.status : 500 };
    call.finish();
    throw err;
  }
}

function requestUser(uri: unknown): string | undefined {
  const u = uri as { user?: string; number?: string };
  return u.user ?? u.number;
}

function isSdp(req: IncomingRequest): boolean {
  const type = req.get('Content-Type');
  return type === undefined || /^application\/sdp\b/i.test(type);
}

class CallRun {
  readonly #deps: CallRouting;
  readonly #req: IncomingRequest;
  readonly #res: OutgoingResponse;
  readonly #caller: Caller;
  readonly #dialled: string;
  readonly #startedAt: number;
  progress: Progress = { outcome: 'failed' };
  /** The subscriber the record belongs to: the callee if local, else the caller. */
  #owner: Subscriber | undefined;
  #channels: Array<{ line: string; key: string }> = [];
  #refresh: TimerHandle | undefined;
  #sent181 = false;
  #finished = false;
  #active: ActiveCall | undefined;

  constructor(
    deps: CallRouting,
    req: IncomingRequest,
    res: OutgoingResponse,
    caller: Caller,
    dialled: string,
    startedAt: number,
  ) {
    this.#deps = deps;
    this.#req = req;
    this.#res = res;
    this.#caller = caller;
    this.#dialled = dialled;
    this.#startedAt = startedAt;
    if (caller.kind === 'subscriber') this.#owner = caller.subscriber;
  }

  get #callerNumber(): string | undefined {
    return this.#caller.number;
  }

  async takeChannel(s: Subscriber, role: 'in' | 'out'): Promise<boolean> {
    const line = s.base.accessLineCode;
    const key = `${this.#req.callId}:${role}:${s.base.number}`;
    const ok = await this.#deps.state.channels.acquire(line, key, s.base.channels, channelHoldMs);
    if (ok) this.#channels.push({ line, key });
    return ok;
  }

  /** Delivers the call to a local number: its features decide, then we act (SPEC §3.1). */
  async deliver(callee: Subscriber, forwardedFrom: string[], steps: Diversion[]): Promise<void> {
    // The record belongs to the number dialled, not to where forwarding took the call.
    if (steps.length === 0) this.#owner = callee;
    const channelAvailable = await this.takeChannel(callee, 'in');
    const registrations = await this.#deps.state.registrations.list(callee.base.number);
    const facts = {
      number: callee.base.number,
      forwarding: callee.forwarding,
      subscriptions: callee.subscriptions,
      internationalBarring: callee.internationalBarring,
      registered: registrations.length > 0,
      channelAvailable,
    };
    const callFacts = {
      ...(this.#callerNumber ? { callerNumber: this.#callerNumber } : {}),
      calledNumber: callee.number.number,
      forwardedFrom,
    };
    const policy = {
      maxForwardingHops: this.#deps.config.calls.maxForwardingHops,
      unreachableTimeoutMs: this.#deps.config.calls.unreachableTimeout,
    };
    let plan: Plan = decideIncoming(callFacts, facts, policy);
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
        throw new Error('decideAfterRing returned ring');
      case 'reject':
        this.progress = {
          ...this.progress,
          outcome:
            plan.cause === 'busy' ? 'busy' : plan.cause === 'no-answer' ? 'no_answer' : 'rejected',
          // SPEC §2: busy because the line's channels are all in use, not the device.
          reason: plan.cause === 'busy' && !channelAvailable ? 'channel-limit' : plan.cause,
          failureCode: plan.status,
        };
        await this.reject(plan.status, plan.reason);
        this.finish();
        return;
      case 'voicemail':
        // Voicemail is not built yet (SPEC §3.11 comes later): the call cannot be taken.
        this.progress = {
          ...this.progress,
          outcome: 'failed',
          reason: `voicemail-unavailable (${plan.reason})`,
          failureCode: 480,
        };
        await this.reject(480, 'Temporarily Unavailable');
        this.finish();
        return;
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
    const invite = this.#invite(target, uri, number, steps, []);
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
    for (const { line, key } of this.#channels)
      this.#deps.state.channels
        .release(line, key)
        .catch((err: unknown) =>
          this.#deps.logger.warn({ err, line }, 'could not release channel'),
        );
    this.#deps.records.write(
      callRecord({
        callId: this.#req.callId,
        serverId: this.#deps.config.server.id,
        caller: this.#caller,
        owner: this.#owner,
        dialled: this.#dialled,
        startedAt: this.#startedAt,
        endedAt: this.#deps.clock.now(),
        progress: this.progress,
      }),
    );
  }

  #invite(
    target: Target,
    uri: ReturnType<typeof parseUri>,
    toNumber: string,
    steps: readonly Diversion[],
    path: readonly string[],
  ): OutgoingInvite {
    if (!uri) throw new SipError(500, 'Bad Contact');
    const { config } = this.#deps;
    return this.#deps.sip.sendInvite(
      target,
      legInvite({
        incoming: this.#req.message,
        uri,
        domain: config.sip.domain,
        callerNumber: this.#callerNumber,
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
    const aDialogResult = Dialog.fromUasResponse(this.#req.message, {
      ...response,
      to: {
        ...this.#req.message.to,
        params: { ...this.#req.message.to.params, tag: this.#res.toTag },
      },
      contact: [contact],
    });
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
