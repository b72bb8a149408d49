// SPEC §3.11 voicemail: what a call that reaches a box is offered, and whether the box's
// owner is mailed about it.

export type VoicemailGuidance = 'record' | 'announce_only';

export interface VoicemailBoxPlan {
  guidance: VoicemailGuidance;
  /** Messages the box holds at most (SPEC default 20). */
  maxMessages: number;
}

/**
 * `record`: greeting, then record a message. `announce-only`: greeting, no recording.
 * `box-full`: greeting, then the box-full guidance, no recording.
 */
export type DepositPlan = 'record' | 'announce-only' | 'box-full';

/**
 * What the caller gets given the messages already `stored`. A box that only announces never
 * records, so it is never full: its caller hears the greeting alone.
 */
export function depositPlan(box: VoicemailBoxPlan, stored: number): DepositPlan {
  if (box.guidance === 'announce_only') return 'announce-only';
  // SPEC §3.11: a full box plays the greeting and says so.
  return stored >= box.maxMessages ? 'box-full' : 'record';
}

export type VoicemailMailCondition = 'none' | 'on_call' | 'on_recording';

/**
 * SPEC §3.11 e-mail notification. `on_call`: every call that reached the box, whether or not
 * a message was left (an announce-only or full box included). `on_recording`: only when a
 * message was recorded.
 */
export function mailOnDeposit(condition: VoicemailMailCondition, recorded: boolean): boolean {
  switch (condition) {
    case 'none':
      return false;
    case 'on_call':
      return true;
    case 'on_recording':
      return recorded;
  }
}
