// The memory a server spends per open call: its resident set size (VmRSS in /proc/<pid>/status)
// sampled while calls are held open, against SIPp's count of open calls at the same moments.
import { readFile } from 'node:fs/promises';

export interface RssSample {
  /** ms since the epoch */
  at: number;
  kib: number;
}

export async function rssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (match?.[1] === undefined) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]);
}

/** Reads the RSS every `everyMs` until stopped: a measurement in time, not a wait for an event. */
export function sampleRss(pid: number, everyMs: number): { stop(): Promise<RssSample[]> } {
  const samples: RssSample[] = [];
  const reads: Promise<void>[] = [];
  const read = (): void => {
    reads.push(
      rssKiB(pid).then(
        (kib) => void samples.push({ at: Date.now(), kib }),
        () => {}, // the process ended; the missing sample is visible in the count
      ),
    );
  };
  const timer = setInterval(read, everyMs);
  read();
  return {
    stop: async () => {
      clearInterval(timer);
      await Promise.all(reads);
      return samples.sort((a, b) => a.at - b.at);
    },
  };
}

export interface MemoryPerCall {
  idleKiB: number;
  /** Median RSS over the plateau (open calls within 10 % of the most). */
  plateauKiB: number;
  /** Median open calls over the same samples. */
  openCalls: number;
  kibPerCall: number;
  samples: number;
}

/**
 * Pairs each RSS sample with the open-call count nearest in time (SIPp writes one per second)
 * and takes medians over the plateau, so one garbage collection does not decide the figure.
 */
export function memoryPerCall(
  idleKiB: number,
  rss: RssSample[],
  openCalls: Array<{ at: number; value: number }>,
): MemoryPerCall | undefined {
  if (openCalls.length === 0) return undefined;
  const paired = rss.map((s) => {
    let nearest = openCalls[0] as { at: number; value: number };
    for (const o of openCalls) if (Math.abs(o.at - s.at) < Math.abs(nearest.at - s.at)) nearest = o;
    return { kib: s.kib, open: nearest.value };
  });
  const most = Math.max(...paired.map((p) => p.open));
  const plateau = paired.filter((p) => most > 0 && p.open >= most * 0.9);
  if (plateau.length === 0) return undefined;
  const plateauKiB = median(plateau.map((p) => p.kib));
  const open = median(plateau.map((p) => p.open));
  return {
    idleKiB,
    plateauKiB,
    openCalls: open,
    kibPerCall: (plateauKiB - idleKiB) / open,
    samples: plateau.length,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
