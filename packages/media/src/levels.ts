// One loudness threshold for "is anyone speaking": prompt checks and the recorder's silence end.

/** Frames quieter than this RMS count as silence: -40 dBFS. */
export const SILENCE_RMS = 32768 * 10 ** (-40 / 20);

/** Whether samples[start, end) have an RMS above SILENCE_RMS. */
export function isVoiced(samples: Int16Array, start = 0, end = samples.length): boolean {
  if (end <= start) return false;
  let sumOfSquares = 0;
  for (let i = start; i < end; i++) {
    const s = samples[i] as number;
    sumOfSquares += s * s;
  }
  return Math.sqrt(sumOfSquares / (end - start)) > SILENCE_RMS;
}
