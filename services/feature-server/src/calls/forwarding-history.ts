// Forwarding history on forwarded INVITEs (SPEC §3.1): Diversion (RFC 5806) and/or
// History-Info (RFC 7044 with RFC 4458 cause values), and reading it back off an incoming
// INVITE so loops through other switches are caught too.
import type { ForwardingHistoryHeader } from '@ipvoice/config';
import { normalizeNumber, type ForwardReason } from '@ipvoice/features';
import { getHeaders, parseNameAddrList, type HeaderField, type SipRequest } from '@ipvoice/sip';

/** One forwarding step: the number that forwarded, where to, and why. */
export interface Diversion {
  from: string;
  to: string;
  reason: ForwardReason;
}

/** RFC 5806 §3 diversion-reason values. */
const diversionReason: Record<ForwardReason, string> = {
  unconditional: 'unconditional',
  busy: 'user-busy',
  'no-answer': 'no-answer',
  unreachable: 'unavailable',
};

/** RFC 4458 §3.1 cause values for the retargeted URI of History-Info. */
const historyCause: Record<ForwardReason, number> = {
  unconditional: 302,
  busy: 486,
  'no-answer': 408,
  unreachable: 503,
};

/** Reason header cause (RFC 3326) of the entry that was retargeted away from. */
const releaseCause: Record<ForwardReason, number> = {
  unconditional: 302,
  busy: 486,
  'no-answer': 480,
  unreachable: 480,
};

/**
 * The header fields of a forwarded INVITE. `earlier` are the fields the incoming INVITE
 * already carried (kept, so history crosses switches); `steps` are ours, oldest first.
 */
export function historyHeaders(
  mode: ForwardingHistoryHeader,
  domain: string,
  incoming: SipRequest,
  original: string,
  steps: readonly Diversion[],
): HeaderField[] {
  const fields: HeaderField[] = [];
  const uri = (n: string) => `sip:${n}@${domain};user=phone`;
  if (mode === 'diversion' || mode === 'both') {
    const earlier = getHeaders(incoming, 'Diversion');
    const total = earlier.length;
    // RFC 5806 §4: the most recent diversion comes first.
    for (const [i, step] of [...steps].reverse().entries()) {
      const counter = total + steps.length - i;
      fields.push({
        name: 'Diversion',
        value: `<${uri(step.from)}>;reason=${diversionReason[step.reason]};counter=${counter}`,
      });
    }
    for (const value of earlier) fields.push({ name: 'Diversion', value });
  }
  if (mode === 'history-info' || mode === 'both') {
    const earlier = getHeaders(incoming, 'History-Info');
    if (earlier.length > 0) {
      for (const value of earlier) fields.push({ name: 'History-Info', value });
    } else {
      fields.push({ name: 'History-Info', value: `<${uri(original)}>;index=1` });
    }
    // RFC 7044 §9.3: each retarget is a child of the entry before it (1, 1.1, 1.1.1 …) with
    // mp naming the index it came from; the cause of retargeting sits on the new URI.
    let index = lastIndex(earlier) ?? '1';
    for (const step of steps) {
      const parent = index;
      index = `${parent}.1`;
      const reason = encodeURIComponent(`SIP;cause=${releaseCause[step.reason]}`);
      fields.push({
        name: 'History-Info',
        value: `<${uri(step.to)}?Reason=${reason}>;index=${index};mp=${parent};cause=${historyCause[step.reason]}`,
      });
    }
  }
  return fields;
}

/** Numbers the call was already forwarded from, oldest first, as the INVITE tells. */
export function forwardedFromHeaders(request: SipRequest): string[] {
  const numbers: string[] = [];
  const diversions = getHeaders(request, 'Diversion')
    .flatMap((v) => parseNameAddrList(v) ?? [])
    .reverse();
  for (const entry of diversions) {
    const n = entryNumber(entry.uri);
    if (n && !numbers.includes(n)) numbers.push(n);
  }
  // History-Info lists every URI the request was sent to; all but the last were left.
  const history = getHeaders(request, 'History-Info').flatMap((v) => parseNameAddrList(v) ?? []);
  for (const entry of history.slice(0, -1)) {
    const n = entryNumber(entry.uri);
    if (n && !numbers.includes(n)) numbers.push(n);
  }
  return numbers;
}

function entryNumber(uri: { scheme: string }): string | undefined {
  const u = uri as { user?: string; number?: string };
  const text = u.user ?? u.number;
  return text ? normalizeNumber(text.split(';')[0] ?? '') : undefined;
}

function lastIndex(values: readonly string[]): string | undefined {
  // A line may hold several entries; the last index written is the newest hop.
  const all = [...values.join(',').matchAll(/;\s*index=([\d.]+)/gi)];
  return all.at(-1)?.[1];
}
