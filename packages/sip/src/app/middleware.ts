// Express-style middleware: each step gets (req, res, next) and may answer, pass on, or
// await `next()` to run code after the rest of the chain.
import type { IncomingRequest } from './incoming-request.ts';
import type { OutgoingResponse } from './outgoing-response.ts';

export type Next = () => Promise<void>;

export type Middleware = (
  req: IncomingRequest,
  res: OutgoingResponse,
  next: Next,
) => void | Promise<void>;

/** Runs `steps` in order; a step that does not call `next` ends the chain. Errors propagate
 * to the caller, which turns them into responses. */
export function runChain(
  steps: readonly Middleware[],
  req: IncomingRequest,
  res: OutgoingResponse,
): Promise<void> {
  let reached = -1;
  // Not an async closure: each step's own promise is passed along instead of being wrapped
  // in another one (and awaited) per step.
  const run = (i: number): Promise<void> => {
    if (i <= reached) return Promise.reject(new Error('next() called more than once'));
    reached = i;
    const step = steps[i];
    if (!step) return Promise.resolve();
    try {
      return Promise.resolve(step(req, res, () => run(i + 1)));
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return run(0);
}
