// What a calls benchmark run found: per server and case the steps and the highest clean one,
// a summary (also written as JSON) and the closing lines on screen.
import type { Step } from '../register/sipp-stats.ts';
import type { MemoryPerCall } from './memory.ts';

export type Case = 'plain' | 'busy-forwarded';
export const cases: Case[] = ['plain', 'busy-forwarded'];

export interface CaseResult {
  case: Case;
  steps: Step[];
  best?: Step;
}

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
  p50Ms?: number;
  p99Ms?: number;
}

interface ServerSummary {
  status: ServerResult['status'];
  /** The highest clean step per case; null when even the lowest rate was not clean. */
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
              ...(c.best.p50Ms !== undefined ? { p50Ms: c.best.p50Ms } : {}),
              ...(c.best.p99Ms !== undefined ? { p99Ms: c.best.p99Ms } : {}),
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
    ratioOursToKamailio: { plain: ratio('plain'), 'busy-forwarded': ratio('busy-forwarded') },
  };
}

export function report(results: ServerResult[], summary: Summary, lowestRate: number): void {
  console.log('\nhighest clean rate (INVITE -> 180 -> 200 -> ACK ... BYE -> 200 per call):');
  for (const r of results) {
    if (r.status !== 'measured') {
      console.log(`  ${r.server.padEnd(9)} ${r.status}: ${r.reason ?? ''}`.slice(0, 600));
      continue;
    }
    for (const c of r.cases) {
      const label = `  ${r.server.padEnd(9)} ${c.case.padEnd(15)}`;
      console.log(
        c.best === undefined
          ? `${label} no clean step (lowest rate ${lowestRate}/s already failed)`
          : `${label} ${c.best.rate}/s  INVITE->180 p50 < ${c.best.p50Ms} ms  p99 < ${c.best.p99Ms} ms`,
      );
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
      `  ratio ours/kamailio ${c.padEnd(15)} ${ratio === null ? 'n/a (a side has no clean step)' : ratio.toFixed(2)}`,
    );
  }
}
