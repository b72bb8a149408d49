// Reads SIPp's statistics CSV (-trace_stat): the last line holds cumulative counts, and the
// response-time repartition of the scenario's <ResponseTimeRepartition> buckets.

export interface StepStats {
  successful: number;
  failed: number;
  retransmissions: number;
  /** Upper bounds (ms) of the buckets, ascending; the last bucket (>= highest) has bound Infinity. */
  buckets: Array<{ belowMs: number; count: number }>;
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
