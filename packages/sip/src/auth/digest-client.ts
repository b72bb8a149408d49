// The UAC side of digest authentication (RFC 3261 §22.2, §22.3; RFC 7616 §3.4; RFC 8760 §2.3):
// answers a 401/407 and keeps the nonce-count so later requests can reuse the challenge.
import { randomBytes } from 'node:crypto';
import type { HeaderField, SipRequest, SipResponse } from '../message/types.ts';
import { getHeaders, parseAuthParams } from '../message/headers.ts';
import { formatUri } from '../message/uri.ts';
import { formatAuthValue, type AuthParam } from './auth-header.ts';
import {
  DIGEST_ALGORITHMS,
  computeDigestResponse,
  computeHa1,
  hashOf,
  parseAlgorithm,
  type DigestAlgorithm,
  type DigestQop,
} from './digest.ts';

export interface DigestClientOptions {
  username: string;
  password: string;
  /** Algorithms we are willing to use (default all four). */
  algorithms?: readonly DigestAlgorithm[];
  /** Source of cnonce bytes. */
  random?: (size: number) => Buffer;
}

export type DigestAnswer =
  | {
      ok: true;
      /** Authorization / Proxy-Authorization fields for the retried request, one per realm. */
      headers: HeaderField[];
      /** Every challenged realm was answered before with a fresh nonce and no stale=true:
       * our credentials were refused, so a caller should not retry again. */
      refused: boolean;
    }
  | { ok: false; reason: 'not-a-challenge' | 'unsupported' };

interface RealmState {
  proxy: boolean;
  realm: string;
  nonce: string;
  opaque?: string;
  algorithm: DigestAlgorithm;
  qop?: DigestQop;
  nc: number;
}

export class DigestClient {
  readonly #username: string;
  readonly #password: string;
  readonly #algorithms: readonly DigestAlgorithm[];
  readonly #random: (size: number) => Buffer;
  readonly #realms = new Map<string, RealmState>();

  constructor(options: DigestClientOptions) {
    this.#username = options.username;
    this.#password = options.password;
    this.#algorithms = options.algorithms ?? DIGEST_ALGORITHMS;
    this.#random = options.random ?? randomBytes;
  }

  /** Reads the challenges of a 401 or 407 and builds credentials for `request` (the retry,
   * RFC 3261 §22.2: same Call-ID, From tag, next CSeq). */
  answer(request: SipRequest, response: SipResponse): DigestAnswer {
    const proxy = response.status === 407;
    if (response.status !== 401 && !proxy) return { ok: false, reason: 'not-a-challenge' };
    const byRealm = new Map<string, Omit<RealmState, 'nc'>>();
    const staleRealms = new Set<string>();
    // RFC 8760 §2.3: pick the strongest algorithm offered for each realm; for equal strength
    // keep the server's order of preference.
    for (const text of getHeaders(response, proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate')) {
      const parsed = parseAuthParams(text);
      if (!parsed || parsed.scheme.toLowerCase() !== 'digest') continue;
      const p = parsed.params;
      if (p.realm === undefined || p.nonce === undefined) continue;
      const algorithm = p.algorithm === undefined ? 'MD5' : parseAlgorithm(p.algorithm);
      if (algorithm === undefined || !this.#algorithms.includes(algorithm)) continue;
      const qop = pickQop(p.qop);
      if (qop === null) continue;
      const current = byRealm.get(p.realm);
      if (current && strength(current.algorithm) >= strength(algorithm)) continue;
      byRealm.set(p.realm, {
        proxy,
        realm: p.realm,
        nonce: p.nonce,
        algorithm,
        ...(p.opaque === undefined ? {} : { opaque: p.opaque }),
        ...(qop === undefined ? {} : { qop }),
      });
      if (p.stale?.toLowerCase() === 'true') staleRealms.add(p.realm);
    }
    if (byRealm.size === 0) return { ok: false, reason: 'unsupported' };

    let refused = true;
    for (const [realm, state] of byRealm) {
      const before = this.#realms.get(realm);
      if (!before || staleRealms.has(realm)) refused = false;
      this.#realms.set(realm, { ...state, nc: 0 });
    }
    // RFC 3261 §22.3: the retry carries credentials for every realm challenged so far.
    return { ok: true, headers: this.authorize(request), refused };
  }

  /** Credentials for every realm challenged so far, each with its next nonce-count
   * (RFC 7616 §3.4: nc counts the requests sent with one nonce). */
  authorize(request: SipRequest): HeaderField[] {
    const headers: HeaderField[] = [];
    for (const state of this.#realms.values()) {
      state.nc += 1;
      headers.push({
        name: state.proxy ? 'Proxy-Authorization' : 'Authorization',
        value: this.#credentials(request, state),
      });
    }
    return headers;
  }

  /** Forgets the challenges, e.g. once a registration ends. */
  reset(): void {
    this.#realms.clear();
  }

  #credentials(request: SipRequest, state: RealmState): string {
    const uri = formatUri(request.uri);
    const nc = state.nc.toString(16).padStart(8, '0');
    const cnonce = this.#random(12).toString('hex');
    const response = computeDigestResponse({
      algorithm: state.algorithm,
      ha1: computeHa1(hashOf(state.algorithm), this.#username, state.realm, this.#password),
      nonce: state.nonce,
      method: request.method,
      uri,
      qop: state.qop,
      nc,
      cnonce,
      body: request.body,
    });
    const params: AuthParam[] = [
      ['username', this.#username, true],
      ['realm', state.realm, true],
      ['nonce', state.nonce, true],
      ['uri', uri, true],
      ['response', response, true],
      ['algorithm', state.algorithm, false],
    ];
    // RFC 2617 §3.2.2: cnonce and nc only with qop (RFC 7616 §3.4.2: -sess needs cnonce too).
    if (state.qop !== undefined)
      params.push(['cnonce', cnonce, true], ['qop', state.qop, false], ['nc', nc, false]);
    else if (state.algorithm.endsWith('-sess')) params.push(['cnonce', cnonce, true]);
    if (state.opaque !== undefined) params.push(['opaque', state.opaque, true]);
    return formatAuthValue('Digest', params);
  }
}

function strength(algorithm: DigestAlgorithm): number {
  return hashOf(algorithm) === 'SHA-256' ? 2 : 1;
}

/** `auth` when offered (widest support), else `auth-int`; undefined when the server sent no
 * qop (RFC 2069 form); null when it offered only qop values we do not know. */
function pickQop(offer: string | undefined): DigestQop | undefined | null {
  if (offer === undefined) return undefined;
  const values = offer.split(',').map((v) => v.trim().toLowerCase());
  if (values.includes('auth')) return 'auth';
  if (values.includes('auth-int')) return 'auth-int';
  return null;
}
