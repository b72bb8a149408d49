// One request through the application: the §8.2 checks, then middleware and handlers,
// with thrown errors turned into responses so a handler's failure never escapes.
import type { Logger } from '../core/logger.ts';
import type { IncomingRequest } from './incoming-request.ts';
import { runChain } from './middleware.ts';
import type { OutgoingResponse } from './outgoing-response.ts';
import type { Router } from './router.ts';
import { SipError } from './sip-error.ts';
import { validateRequest, type ValidationPolicy } from './validation.ts';

export interface DispatchContext {
  router: Router;
  policy: ValidationPolicy;
  logger: Logger;
}

export async function dispatch(
  req: IncomingRequest,
  res: OutgoingResponse,
  context: DispatchContext,
): Promise<void> {
  const { logger } = context;
  const rejection = validateRequest(req.message, context.policy);
  if (rejection) {
    // RFC 3261 §17.1.1.3: ACK is never answered, even when it is wrong.
    if (req.method === 'ACK') return;
    await sendSafely(res, logger, rejection.status, rejection.reason, {
      headers: rejection.headers ?? {},
    });
    return;
  }
  try {
    await runChain(context.router.chainFor(req.method), req, res);
  } catch (error) {
    if (req.method === 'ACK') {
      logger.error({ err: error, callId: req.callId }, 'ACK handler failed');
      return;
    }
    if (error instanceof SipError) {
      if (res.finished) {
        logger.warn(
          { status: error.status, callId: req.callId },
          'SipError after the final response',
        );
        return;
      }
      await sendSafely(res, logger, error.status, error.reason, { headers: error.headers });
      return;
    }
    logger.error({ err: error, method: req.method, callId: req.callId }, 'handler failed');
    if (!res.finished) await sendSafely(res, logger, 500);
  }
}

async function sendSafely(
  res: OutgoingResponse,
  logger: Logger,
  ...args: Parameters<OutgoingResponse['send']>
): Promise<void> {
  try {
    await res.send(...args);
  } catch (error) {
    logger.warn({ err: error, status: args[0] }, 'could not send response');
  }
}
