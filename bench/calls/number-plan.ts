// The numbers a calls benchmark dials, and the same routing data for each server under test:
// provisioning for ours (callees register), htable tables and a dispatcher list for Kamailio
// (where devices are, who is blocked, who is in the hunt group).
import type { Credential, HtableRows } from '../kamailio/kamailio.ts';

/** The caller's number: the From user of uac.xml and uac-screened.xml. */
export const benchCaller = '0398760000';

export interface NumberPlan {
  /** Numbers whose device (the answering UAS) takes every call. */
  callees: Credential[];
  /** Numbers whose device is always busy (486); each forwards on busy to a callee. */
  busy: Credential[];
  /** Busy number → its forwarding target (a callee), SPEC §3.1 `when: [busy]`. */
  busyForwarding: Map<string, string>;
  /**
   * Numbers with nuisance blocking (SPEC §3.8) whose list holds `benchCaller`: every call to
   * them is refused with the guidance and 603. Their device is the answering UAS, never rung.
   */
  screened: Credential[];
  /** A round-robin hunt group (SPEC §3.5): the pilot, then the other members, each a device. */
  hunt: { pilot: Credential; members: Credential[] };
}

export interface PlanSize {
  callees: number;
  busy: number;
  screened: number;
  /** Hunt group numbers, the pilot included. */
  huntMembers: number;
}

const credential = (prefix: string, name: string, i: number): Credential => ({
  aorUser: `${prefix}${String(i + 1).padStart(4, '0')}`,
  sipId: `${name}${i + 1}`,
  password: `password-${name}-${i + 1}`,
});

export function numberPlan(size: PlanSize): NumberPlan {
  const [pilot, ...members] = Array.from({ length: Math.max(2, size.huntMembers) }, (_, i) =>
    credential('031236', 'hunt', i),
  );
  const plan: NumberPlan = {
    callees: Array.from({ length: size.callees }, (_, i) => credential('031234', 'callee', i)),
    busy: Array.from({ length: size.busy }, (_, i) => credential('031235', 'busy', i)),
    busyForwarding: new Map(),
    screened: Array.from({ length: size.screened }, (_, i) => credential('031237', 'screened', i)),
    hunt: { pilot: pilot as Credential, members },
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

/** Every number of the hunt group, the pilot first. */
export function huntNumbers(plan: NumberPlan): Credential[] {
  return [plan.hunt.pilot, ...plan.hunt.members];
}

/** Where each device answers: the plain callees' UAS, the busy one, one UAS per hunt member. */
export interface DevicePorts {
  callee: number;
  busy: number;
  /** One per hunt group number, in `huntNumbers` order. */
  hunt: number[];
}

/** The dispatcher set bench/kamailio/calls.cfg hunts over for the pilot (`hunt` table). */
export const huntDispatcherSet = 1;

/**
 * bench/kamailio/calls.cfg's tables: `routes` (number → its device, the UAS that answers or
 * the busy one), `busyfwd` (busy number → forwarding target), `blocked` (`callee/caller` →
 * 1 for each listed caller) and `hunt` (pilot → dispatcher set).
 */
export function kamailioTables(plan: NumberPlan, ports: DevicePorts): Record<string, HtableRows> {
  return {
    routes: [
      ...plan.callees.map((c) => [c.aorUser, `sip:127.0.0.1:${ports.callee}`] as const),
      ...plan.busy.map((c) => [c.aorUser, `sip:127.0.0.1:${ports.busy}`] as const),
      ...plan.screened.map((c) => [c.aorUser, `sip:127.0.0.1:${ports.callee}`] as const),
    ],
    busyfwd: [...plan.busyForwarding],
    blocked: plan.screened.map((c) => [`${c.aorUser}/${benchCaller}`, '1'] as const),
    hunt: [[plan.hunt.pilot.aorUser, String(huntDispatcherSet)]],
  };
}

/** The dispatcher module's list file: the hunt group's devices, one destination each. */
export function kamailioDispatcherList(plan: NumberPlan, ports: DevicePorts): string {
  return huntNumbers(plan)
    .map((_, i) => `${huntDispatcherSet} sip:127.0.0.1:${ports.hunt[i]}\n`)
    .join('');
}
