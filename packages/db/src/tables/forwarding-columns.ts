/** 0 or 1: both dialects store flags as integers (SQLite has no boolean type). */
export type Flag = 0 | 1;

export type ForwardingTarget = 'slot1' | 'slot2' | 'slot3' | 'slot4' | 'slot5' | 'voicemail';

/**
 * The fixed shape of one SPEC §3.1 forwarding setting, shared by the live setting
 * and by named patterns (§3.2). `unconditional` excludes the other conditions.
 */
export interface ForwardingColumns {
  enabled: Flag;
  unconditional: Flag;
  on_busy: Flag;
  on_no_answer: Flag;
  on_unreachable: Flag;
  ring_time_seconds: number;
  active_target: ForwardingTarget | null;
  slot1: string | null;
  slot2: string | null;
  slot3: string | null;
  slot4: string | null;
  slot5: string | null;
}
