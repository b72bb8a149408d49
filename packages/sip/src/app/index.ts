// The application layer: the Express-like API over the SIP stack.
export { createSipServer } from './sip-server.ts';
export type {
  SipServer,
  SipServerOptions,
  RequestOptions,
  InviteOptions,
  InDialogOptions,
  ListenPoint,
} from './sip-server.ts';
export { OutgoingInvite } from './outgoing-invite.ts';
export type { AckOptions } from './outgoing-invite.ts';
export { IncomingRequest } from './incoming-request.ts';
export type { RequestLocals } from './incoming-request.ts';
export { OutgoingResponse } from './outgoing-response.ts';
export type { SendOptions } from './outgoing-response.ts';
export type { Middleware, Next } from './middleware.ts';
export { SipError, reasonPhrase } from './sip-error.ts';
export type { HeaderInit } from './sip-error.ts';
export { digestAuth } from './digest-auth.ts';
export type { DigestAuthOptions } from './digest-auth.ts';
export { validateRequest, requestChecks, knownMethods } from './validation.ts';
export type { Check, Rejection, ValidationPolicy } from './validation.ts';
