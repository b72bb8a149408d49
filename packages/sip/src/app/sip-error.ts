// A failure the application wants answered with a given SIP response. Thrown from a
// middleware or handler, the server turns it into that response (the drachtio model).
import { REASON_PHRASES } from '../message/builders.ts';

export type HeaderInit = Record<string, string | readonly string[]>;

export class SipError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly headers: HeaderInit;

  constructor(status: number, reason?: string, headers: HeaderInit = {}) {
    const phrase = reason ?? reasonPhrase(status);
    super(`${status} ${phrase}`);
    this.name = 'SipError';
    this.status = status;
    this.reason = phrase;
    this.headers = headers;
  }
}

/** The usual reason phrase for a status code (RFC 3261 §21), or a generic one for its class. */
export function reasonPhrase(status: number): string {
  return REASON_PHRASES[status] ?? REASON_PHRASES[Math.floor(status / 100) * 100] ?? 'Unknown';
}
