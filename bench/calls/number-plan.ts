// The numbers a calls benchmark dials, and the same routing data for each server under test:
// provisioning for ours (callees register), htable tables for Kamailio (where devices are).
import type { Credential, HtableRows } from '../kamailio/kamailio.ts';

export interface NumberPlan {
  /** Numbers whose device (the answering UAS) takes every call. */
  callees: Credential[];
  /** Numbers whose device is always busy (486); each forwards on busy to a callee. */
  busy: Credential[];
  /** Busy number → its forwarding target (a callee), SPEC §3.1 `when: [busy]`. */
  busyForwarding: Map<string, string>;
}

export function numberPlan(callees: number, busy: number): NumberPlan {
  const plan: NumberPlan = {
    callees: Array.from({ length: callees }, (_, i) => ({
      aorUser: `031234${String(i + 1).padStart(4, '0')}`,
      sipId: `callee${i + 1}`,
      password: `password-callee-${i + 1}`,
    })),
    busy: Array.from({ length: busy }, (_, i) => ({
      aorUser: `031235${String(i + 1).padStart(4, '0')}`,
      sipId: `busy${i + 1}`,
      password: `password-busy-${i + 1}`,
    })),
    busyForwarding: new Map(),
  };
  plan.busy.forEach((b, i) => {
    const target = plan.callees[i % plan.callees.length];
    if (target !== undefined) plan.busyForwarding.set(b.aorUser, target.aorUser);
  });
  return plan;
}

/** -inf for bench/register/register.xml: `AOR user;[authentication …]`, taken in order. */
export function registrationCsv(credentials: Credential[]): string {
  return (
    'SEQUENTIAL\n' +
    credentials
      .map((c) => `${c.aorUser};[authentication username=${c.sipId} password=${c.password}]\n`)
      .join('')
  );
}

/** -inf for uac.xml: the called numbers, taken in turn. */
export function calledNumbersCsv(credentials: Credential[]): string {
  return 'SEQUENTIAL\n' + credentials.map((c) => `${c.aorUser}\n`).join('');
}

/**
 * bench/kamailio/calls.cfg's tables: `routes` (number → its device, the UAS that answers or
 * the busy one) and `busyfwd` (busy number → forwarding target).
 */
export function kamailioTables(
  plan: NumberPlan,
  calleePort: number,
  busyPort: number,
): Record<string, HtableRows> {
  return {
    routes: [
      ...plan.callees.map((c) => [c.aorUser, `sip:127.0.0.1:${calleePort}`] as const),
      ...plan.busy.map((c) => [c.aorUser, `sip:127.0.0.1:${busyPort}`] as const),
    ],
    busyfwd: [...plan.busyForwarding],
  };
}
