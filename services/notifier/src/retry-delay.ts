/** No retry waits longer than this, however many attempts failed. */
export const MAX_RETRY_DELAY_MS = 3600_000;

/**
 * How long to wait after the `attempts`-th failed send (1 for the first): the base, then
 * twice as long each time, at most an hour.
 */
export function retryDelayMs(attempts: number, baseSeconds: number): number {
  const exponent = Math.max(0, attempts - 1);
  // 2^40 s is far past the cap; stopping there keeps the number finite.
  return Math.min(baseSeconds * 1000 * 2 ** Math.min(exponent, 40), MAX_RETRY_DELAY_MS);
}
