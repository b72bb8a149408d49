// What a calls benchmark run found: per server and case the steps and the highest clean one,
// a summary (also written as JSON) and the closing lines on screen.
import type { Step } from '../register/sipp-stats.ts';
import type { MemoryPerCall } from './memory.ts';

export type Case = 'plain' | 'busy-forwarded' | 'screened' | 'hunt';
export const cases: Case[] = ['plain', 'busy-forwarded', 'screened', 'hunt'];

/** A rate step with what the caller's statistics say beyond the response times. */
export interface CallStep extends Step {
  /** The most calls open at once (SIPp's CurrentCall); for `screened`, guidance playing. */
  peakOpenCalls?: number;
  /** Mean 183 → 603 as the caller saw it (`screened`, our server): the guidance's length. */
  guidanceMs?: number;
}

export interface CaseResult {
  case: Case;
  /** failed: its one test call did not go as the case expects, so it was not stepped. */
  status: 'measured' | 'failed';
  reason?: string;
  steps: CallStep[];
  best?: CallStep;
  /** `screened`: RTP packets of the guidance that reached the test call's media port. */
  probeRtp?: { packets: number; spanMs: number };
  /** `hunt`: calls each group number's device answered over the case (pilot first). */
  answeredPerMember?: number[];
}

/** What response time 1 spans, per case and server. */
export function timedExchange(c: Case, server: ServerResult['server']): string {
  if (c !== 'screened') return 'INVITE->180';
  return server === 'ours' ? 'INVITE->183' : 'INVITE->603';
}

/** What one call of each case is, for the closing lines. */
const caseNotes: Record<Case, string> = {
  plain: 'INVITE -> 180 -> 200 -> ACK ... BYE -> 200',
  'busy-forwarded': 'the called number answers 486, the call goes on to its busy-forwarding target',
  screened:
    'the called number blocks the caller: ours answers 183 with SDP, plays the guidance over RTP, then 603; ' +
    'Kamailio sends 603 statelessly and plays nothing (its figure is signalling only)',
  hunt:
    'a call to the pilot of a 10-number round-robin hunt group, each number its own device; ' +
    'Kamailio: dispatcher, round-robin (algorithm 4), over the 10 devices',
};

export interface ServerResult {
  server: 'kamailio' | 'ours';
  /** not-ready: our server has no call routing yet (main.ts missing, or INVITE gets 405/501). */
  status: 'measured' | 'not-ready' | 'failed';
  reason?: string;
  cases: CaseResult[];
  memory?: MemoryPerCall;
}

interface CaseSummary {
  callsPerSecond: number;
  /** What p50/p99 time (response time 1). */
  timed: string;
  p50Ms?: number;
  p99Ms?: number;
  serverCpuPercent?: number;
  /** `screened`: guidance playing at once at that rate, and how long each took. */
  concurrentAnnouncements?: number;
  guidanceMs?: number;
}

interface ServerSummary {
  status: ServerResult['status'];
  /**
   * The highest clean step per case; null when even the lowest rate was not clean or the
   * case failed its test call.
   */
  highestClean: Partial<Record<Case, CaseSummary | null>>;
  kibPerOpenCall?: number;
}

export interface Summary {
  servers: Partial<Record<ServerResult['server'], ServerSummary>>;
  /** Highest clean rate, ours / Kamailio's; null when a side has no clean step. */
  ratioOursToKamailio: Record<Case, number | null>;
}

export function summarise(results: ServerResult[]): Summary {
  const servers: Summary['servers'] = {};
  for (const r of results) {
    const highestClean: ServerSummary['highestClean'] = {};
    for (const c of r.cases) {
      highestClean[c.case] =
        c.best === undefined
          ? null
          : {
              callsPerSecond: c.best.rate,
              timed: timedExchange(c.case, r.server),
              ...(c.best.p50Ms !== undefined ? { p50Ms: c.best.p50Ms } : {}),
              ...(c.best.p99Ms !== undefined ? { p99Ms: c.best.p99Ms } : {}),
              ...(c.best.serverCpuPercent !== undefined
                ? { serverCpuPercent: c.best.serverCpuPercent }
                : {}),
              ...(c.case === 'screened' && r.server === 'ours' && c.best.peakOpenCalls !== undefined
                ? { concurrentAnnouncements: c.best.peakOpenCalls }
                : {}),
              ...(c.best.guidanceMs !== undefined ? { guidanceMs: c.best.guidanceMs } : {}),
            };
    }
    servers[r.server] = {
      status: r.status,
      highestClean,
      ...(r.memory !== undefined ? { kibPerOpenCall: Number(r.memory.kibPerCall.toFixed(1)) } : {}),
    };
  }
  const ratio = (c: Case): number | null => {
    const ours = servers.ours?.highestClean[c]?.callsPerSecond;
    const theirs = servers.kamailio?.highestClean[c]?.callsPerSecond;
    return ours !== undefined && theirs !== undefined ? Number((ours / theirs).toFixed(2)) : null;
  };
  return {
    servers,
    ratioOursToKamailio: Object.fromEntries(cases.map((c) => [c, ratio(c)])) as Record<
      Case,
      number | null
    >,
  };
}

export function report(results: ServerResult[], summary: Summary, lowestRate: number): void {
  console.log('\nhighest clean rate, per case:');
  for (const c of cases) console.log(`  ${c.padEnd(15)} ${caseNotes[c]}`);
  for (const r of results) {
    if (r.status !== 'measured') {
      console.log(`  ${r.server.padEnd(9)} ${r.status}: ${r.reason ?? ''}`.slice(0, 600));
      continue;
    }
    for (const c of r.cases) {
      const label = `  ${r.server.padEnd(9)} ${c.case.padEnd(15)}`;
      const cpu =
        c.best?.serverCpuPercent !== undefined ? `  server cpu ${c.best.serverCpuPercent} %` : '';
      console.log(
        c.status === 'failed'
          ? `${label} not measured: ${c.reason ?? ''}`.slice(0, 600)
          : c.best === undefined
            ? `${label} no clean step (lowest rate ${lowestRate}/s already failed)`
            : `${label} ${c.best.rate}/s  ${timedExchange(c.case, r.server)} p50 < ${c.best.p50Ms} ms  p99 < ${c.best.p99Ms} ms${cpu}`,
      );
      if (c.case === 'screened' && r.server === 'ours') {
        const top = c.best;
        const parts = [
          c.probeRtp !== undefined
            ? `test call heard ${c.probeRtp.packets} RTP packets over ${(c.probeRtp.spanMs / 1000).toFixed(2)} s`
            : undefined,
          top?.peakOpenCalls !== undefined
            ? `at ${top.rate}/s up to ${top.peakOpenCalls} guidance announcements at once (~${Math.round(top.peakOpenCalls * 50)} RTP packets/s)`
            : undefined,
          top?.guidanceMs !== undefined
            ? `183->603 ${(top.guidanceMs / 1000).toFixed(2)} s on average`
            : undefined,
        ].filter((p) => p !== undefined);
        if (parts.length > 0) console.log(`  ${''.padEnd(25)} ${parts.join('; ')}`);
      }
      if (c.answeredPerMember !== undefined) {
        console.log(
          `  ${''.padEnd(25)} calls answered per hunt group number: ${c.answeredPerMember.join(' ')}`,
        );
      }
    }
    if (r.memory !== undefined) {
      console.log(
        `  ${r.server.padEnd(9)} memory          ${r.memory.kibPerCall.toFixed(1)} KiB per open call ` +
          `(${r.memory.openCalls} open)`,
      );
    }
  }
  for (const c of cases) {
    const ratio = summary.ratioOursToKamailio[c];
    console.log(
      `  ratio ours/kamailio ${c.padEnd(15)} ${ratio === null ? 'n/a (a side has no clean step)' : ratio.toFixed(2)}` +
        (c === 'screened' && ratio !== null ? '  (Kamailio: signalling only, no media)' : ''),
    );
  }
}
