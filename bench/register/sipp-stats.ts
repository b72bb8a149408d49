// Reads SIPp's statistics CSV (-trace_stat): the last line holds cumulative counts, and the
// response-time repartition of the scenario's <ResponseTimeRepartition> buckets.

export interface StepStats {
  successful: number;
  failed: number;
  retransmissions: number;
  /** Upper bounds (ms) of the buckets, ascending; the last bucket (>= highest) has bound Infinity. */
  buckets: Array<{ belowMs: number; count: number }>;
}

/** The statistics of a finished SIPp step; a step that left none broke the harness. */
export function stepStatsOf(result: {
  statsCsv?: string;
  exitCode: number;
  stderr: string;
  errors: string;
}): StepStats {
  const stats = result.statsCsv !== undefined ? parseSippStats(result.statsCsv) : undefined;
  if (stats === undefined) {
    throw new Error(
      `SIPp left no statistics (exit ${result.exitCode}):\n${result.stderr}\n${result.errors.slice(0, 2000)}`,
    );
  }
  return stats;
}

export function parseSippStats(csv: string): StepStats | undefined {
  const lines = csv.split('\n').filter((line) => line.trim() !== '');
  const header = lines[0]?.split(';');
  const last = lines.at(-1)?.split(';');
  if (header === undefined || last === undefined || lines.length < 2) return undefined;
  const column = (name: string): number => {
    const index = header.indexOf(name);
    return index < 0 ? NaN : Number(last[index]);
  };
  const buckets: StepStats['buckets'] = [];
  header.forEach((name, index) => {
    const below = /^ResponseTimeRepartition1_<(\d+)$/.exec(name);
    if (below?.[1] !== undefined)
      buckets.push({ belowMs: Number(below[1]), count: Number(last[index] ?? 0) });
    if (name === 'ResponseTimeRepartition1_>=' + String(buckets.at(-1)?.belowMs)) {
      buckets.push({ belowMs: Infinity, count: Number(last[index] ?? 0) });
    }
  });
  const successful = column('SuccessfulCall(C)');
  const failed = column('FailedCall(C)');
  if (Number.isNaN(successful) || Number.isNaN(failed)) return undefined;
  const retransmissions = column('Retransmissions(C)');
  return {
    successful,
    failed,
    retransmissions: Number.isNaN(retransmissions) ? 0 : retransmissions,
    buckets,
  };
}

/**
 * The bucket bound below which the given share of response times falls: "p99 < 5 ms" reads
 * as 5. Only as fine as the buckets; Infinity when the share lies in the open last bucket.
 */
export function percentileBound(stats: StepStats, share: number): number | undefined {
  const total = stats.buckets.reduce((sum, bucket) => sum + bucket.count, 0);
  if (total === 0) return undefined;
  let seen = 0;
  for (const bucket of stats.buckets) {
    seen += bucket.count;
    if (seen >= share * total) return bucket.belowMs;
  }
  return Infinity;
}

/** When a rate step counts as clean (BENCHMARKING.md). */
export interface StepBounds {
  /** Failed or unfinished calls allowed, as a share of the calls (0.001 = 0.1 %). */
  maxFailureShare: number;
  /** p99 of response time 1 allowed, in ms. */
  maxP99Ms: number;
}

/** One rate step: SIPp's counts and where response time 1 fell. */
export interface Step {
  rate: number;
  calls: number;
  successful: number;
  failed: number;
  p50Ms?: number;
  p99Ms?: number;
  /** SIPp's UDP retransmissions: each one adds 500 ms to a call. */
  retransmissions: number;
  clean: boolean;
  note?: string;
  /** The start of SIPp's error trace when calls failed. */
  firstError?: string;
  /** The server's CPU use during the step, in % of one core, when it was measured. */
  serverCpuPercent?: number;
}

/** Judges a step of `calls` calls at `rate`; calls SIPp did not finish count as failed. */
export function judgeStep(
  rate: number,
  calls: number,
  stats: StepStats,
  errorTrace: string,
  bounds: StepBounds,
): Step {
  const p50Ms = percentileBound(stats, 0.5);
  const p99Ms = percentileBound(stats, 0.99);
  const unfinished = calls - (stats.successful + stats.failed);
  const failed = stats.failed + Math.max(0, unfinished);
  const clean =
    failed <= calls * bounds.maxFailureShare && p99Ms !== undefined && p99Ms <= bounds.maxP99Ms;
  return {
    rate,
    calls,
    successful: stats.successful,
    failed,
    retransmissions: stats.retransmissions,
    ...(p50Ms !== undefined ? { p50Ms } : {}),
    ...(p99Ms !== undefined ? { p99Ms } : {}),
    clean,
    ...(unfinished > 0 ? { note: `${unfinished} calls not finished when SIPp stopped` } : {}),
    ...(failed > 0
      ? { firstError: errorTrace.split('\n').slice(1, 12).join('\n').slice(0, 800) }
      : {}),
  };
}

/** One line per step, as the benchmarks print them; `label` names the server (and case). */
export function formatStep(label: string, step: Step, unit = '/s'): string {
  const p = (ms: number | undefined): string =>
    ms === undefined ? '-' : ms === Infinity ? '>=500' : `<${ms}`;
  const cpu =
    step.serverCpuPercent !== undefined
      ? `  cpu ${step.serverCpuPercent.toFixed(0).padStart(3)} %`
      : '';
  const line = `${label.padEnd(9)} ${String(step.rate).padStart(6)}${unit}  ok ${String(step.successful).padStart(7)}  failed ${String(step.failed).padStart(6)}  p50 ${p(step.p50Ms).padStart(5)} ms  p99 ${p(step.p99Ms).padStart(5)} ms  retrans ${String(step.retransmissions).padStart(5)}${cpu}  ${step.clean ? 'clean' : 'NOT clean'}${step.note !== undefined ? `  (${step.note})` : ''}`;
  return step.firstError !== undefined
    ? `${line}\n          first failure: ${step.firstError}`
    : line;
}

/**
 * One column of every statistics line (one per -fd period), with the line's time in ms since
 * the epoch: e.g. `CurrentCall`, the calls open at that moment.
 */
export function statsSeries(csv: string, column: string): Array<{ at: number; value: number }> {
  const lines = csv.split('\n').filter((line) => line.trim() !== '');
  const header = lines[0]?.split(';');
  const index = header?.indexOf(column) ?? -1;
  const timeIndex = header?.indexOf('CurrentTime') ?? -1;
  if (index < 0 || timeIndex < 0) return [];
  return lines.slice(1).flatMap((line) => {
    const fields = line.split(';');
    // CurrentTime reads "date<TAB>time<TAB>seconds.micros since the epoch".
    const seconds = Number(fields[timeIndex]?.split('\t').at(-1));
    const value = Number(fields[index]);
    return Number.isNaN(seconds) || Number.isNaN(value) ? [] : [{ at: seconds * 1000, value }];
  });
}
