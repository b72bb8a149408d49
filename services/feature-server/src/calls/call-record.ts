// SPEC §3.13: the record one call attempt leaves, built from what routing saw of it.
import type { NewCallRecord } from '@ipvoice/db';
import { rateBand } from '@ipvoice/features';
import type { Caller } from './caller.ts';
import type { CallerIdentity } from './legs.ts';
import type { Subscriber } from './subscriber-cache.ts';

/** How far a call got, for its record. */
export interface Progress {
  outcome: NewCallRecord['outcome'];
  reason?: string;
  forwardedTo?: string;
  failureCode?: number;
  answeredAt?: number;
  ringStartedAt?: number;
  ringEndedAt?: number;
  /** SPEC §3.5: the hunt-group member that answered. */
  huntMember?: string;
}

export interface CallFactsForRecord {
  callId: string;
  serverId: string;
  caller: Caller;
  /** The caller as the callee was shown it. */
  identity: CallerIdentity;
  /** The subscriber the record belongs to: the callee if local, else the caller. */
  owner: Subscriber | undefined;
  dialled: string;
  startedAt: number;
  endedAt: number;
  progress: Progress;
}

export function callRecord(f: CallFactsForRecord): NewCallRecord {
  const p = f.progress;
  const direction: NewCallRecord['direction'] =
    f.caller.kind === 'trunk'
      ? 'incoming'
      : f.owner === f.caller.subscriber
        ? 'outgoing'
        : 'internal';
  const iso = (ms: number) => new Date(ms).toISOString();
  const ringEnd = p.answeredAt ?? p.ringEndedAt;
  return {
    call_id: f.callId,
    server_id: f.serverId,
    number_id: f.owner?.number.id ?? null,
    access_line_code: f.owner?.base.accessLineCode ?? null,
    direction,
    // A withheld number stays out of the callee's records; the caller's own keep it.
    caller: (direction === 'outgoing' ? f.caller.number : f.identity.number) ?? null,
    caller_anonymity: f.identity.anonymity ?? null,
    called: f.dialled,
    started_at: iso(f.startedAt),
    answered_at: p.answeredAt !== undefined ? iso(p.answeredAt) : null,
    ended_at: iso(f.endedAt),
    // Tenths of a second: from the first INVITE out to the answer or the end of ringing.
    ring_seconds:
      p.ringStartedAt !== undefined && ringEnd !== undefined
        ? Math.round((ringEnd - p.ringStartedAt) / 100) / 10
        : null,
    outcome: p.outcome,
    outcome_reason: p.reason ?? null,
    forwarded_to: p.forwardedTo ?? null,
    failure_code: p.failureCode ?? null,
    hunt_member: p.huntMember ?? null,
    rate_band: rateBand(f.startedAt, f.owner?.number.timeZone ?? 'Asia/Tokyo'),
  };
}
