// The UAS / registrar / proxy side of digest authentication (RFC 3261 §22.1–§22.3, RFC 7616,
// RFC 8760). Nonces carry their issue time and an HMAC, so any server holding the secret can
// check them without shared state; only nonce-counts live in a NonceCountStore.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { pooledRandomBytes } from '../core/random.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import type { HeaderField, SipRequest } from '../message/types.ts';
import { getHeaders, parseAuthParams, type AuthParams } from '../message/headers.ts';
import { formatUri, parseUri, uriEquals } from '../message/uri.ts';
import { formatAuthValue, type AuthParam } from './auth-header.ts';
import {
  computeDigestResponse,
  computeHa1,
  hashOf,
  parseAlgorithm,
  type DigestAlgorithm,
  type DigestHash,
  type DigestQop,
} from './digest.ts';
import { MemoryNonceCountStore, type NonceCountStore } from './nonce-count-store.ts';

export type Credential = { password: string } | { ha1: Partial<Record<DigestHash, string>> };
export type CredentialLookup = (username: string, realm: string) => Promise<Credential | undefined>;

/** Why a request was not authenticated. Unknown user and wrong password are both `invalid`.
 * - missing: no Digest credentials for our realm (also any other scheme, RFC 4475 §3.3.7)
 * - malformed: Digest credentials that do not parse or lack a required directive
 * - unsupported: an algorithm, qop or userhash we did not offer
 * - uri-mismatch: digest-uri is not the Request-URI (RFC 2617 §3.2.2.5)
 * - bad-nonce: a nonce we did not issue
 * - invalid: wrong digest (unknown user or wrong password)
 * - stale: right digest, expired nonce: challenge again with stale=true (RFC 2617 §3.2.1)
 * - replay: right digest, nonce-count already used: challenge again with stale=true */
export type DigestFailure =
  | 'missing'
  | 'malformed'
  | 'unsupported'
  | 'uri-mismatch'
  | 'bad-nonce'
  | 'invalid'
  | 'stale'
  | 'replay';

export type DigestVerifyResult =
  { ok: true; username: string; algorithm: DigestAlgorithm } | { ok: false; reason: DigestFailure };

export interface DigestServerOptions {
  realm: string;
  /** Keys nonce HMACs; servers sharing it accept each other's nonces. */
  secret: string | Buffer;
  /** Offered in this order, most preferred first (RFC 8760 §2.4). Default SHA-256, MD5. */
  algorithms?: readonly DigestAlgorithm[];
  /** Offered qop values (default auth). */
  qop?: readonly DigestQop[];
  /** Default 300. */
  nonceLifetimeSeconds?: number;
  clock?: Clock;
  random?: (size: number) => Buffer;
  nonceCounts?: NonceCountStore;
  /** Also accept a digest-uri other than the Request-URI when this says yes (e.g. one that
   * names this server by address, as SIPp and some phones send). */
  acceptDigestUri?: (digestUri: string, request: SipRequest) => boolean;
}

export interface ChallengeOptions {
  /** The previous nonce expired but the digest was right (RFC 2617 §3.2.1). */
  stale?: boolean;
  /** Proxy-Authenticate for a 407 instead of WWW-Authenticate for a 401 (RFC 3261 §22.3). */
  proxy?: boolean;
}

export interface VerifyOptions {
  /** Read Proxy-Authorization instead of Authorization. */
  proxy?: boolean;
}

const NONCE_TIME = 8;
const NONCE_RANDOM = 8;
const NONCE_MAC = 16;
const NC_PATTERN = /^[0-9a-fA-F]{8}$/;

export class DigestServer {
  readonly realm: string;
  readonly #secret: Buffer;
  readonly #algorithms: readonly DigestAlgorithm[];
  readonly #qop: readonly DigestQop[];
  readonly #lifetimeMs: number;
  readonly #clock: Clock;
  readonly #random: (size: number) => Buffer;
  readonly #nonceCounts: NonceCountStore;
  /** Unknown users are checked against this, so they cost the same work as known ones. */
  readonly #dummyPassword: string;
  readonly #acceptDigestUri: ((digestUri: string, request: SipRequest) => boolean) | undefined;

  constructor(options: DigestServerOptions) {
    this.realm = options.realm;
    this.#secret = Buffer.isBuffer(options.secret)
      ? options.secret
      : Buffer.from(options.secret, 'utf8');
    this.#algorithms = options.algorithms ?? ['SHA-256', 'MD5'];
    this.#qop = options.qop ?? ['auth'];
    this.#lifetimeMs = (options.nonceLifetimeSeconds ?? 300) * 1000;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? pooledRandomBytes;
    this.#nonceCounts = options.nonceCounts ?? new MemoryNonceCountStore({ clock: this.#clock });
    this.#dummyPassword = this.#random(16).toString('hex');
    this.#acceptDigestUri = options.acceptDigestUri;
    if (this.#algorithms.length === 0) throw new Error('DigestServer needs at least one algorithm');
  }

  /** Header fields to add to a 401 (or 407): one per algorithm, most preferred first
   * (RFC 8760 §2.4), all carrying the same fresh nonce. */
  challenge(_request: SipRequest, options: ChallengeOptions = {}): HeaderField[] {
    const name = options.proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate';
    const nonce = this.#issueNonce();
    return this.#algorithms.map((algorithm) => {
      const params: AuthParam[] = [
        ['realm', this.realm, true],
        ['nonce', nonce, true],
        ['algorithm', algorithm, false],
      ];
      if (this.#qop.length > 0) params.push(['qop', this.#qop.join(','), true]);
      if (options.stale) params.push(['stale', 'true', false]);
      return { name, value: formatAuthValue('Digest', params) };
    });
  }

  async verify(
    request: SipRequest,
    lookup: CredentialLookup,
    options: VerifyOptions = {},
  ): Promise<DigestVerifyResult> {
    const picked = this.#pickCredentials(
      request,
      options.proxy ? 'Proxy-Authorization' : 'Authorization',
    );
    if (!picked.ok) return picked;
    const p = picked.value.params;
    const { username, nonce, uri, response } = p;
    if (
      username === undefined ||
      nonce === undefined ||
      uri === undefined ||
      response === undefined
    ) {
      return { ok: false, reason: 'malformed' };
    }
    // RFC 7616 §3.4: a missing algorithm means MD5.
    const algorithm = p.algorithm === undefined ? 'MD5' : parseAlgorithm(p.algorithm);
    if (algorithm === undefined || !this.#algorithms.includes(algorithm))
      return { ok: false, reason: 'unsupported' };
    // DEVIATION (RFC 7616 §3.4.4): userhash is not offered, so it is not accepted.
    if (p.userhash?.toLowerCase() === 'true') return { ok: false, reason: 'unsupported' };

    let qop: DigestQop | undefined;
    if (p.qop !== undefined) {
      const q = p.qop.toLowerCase();
      if (q !== 'auth' && q !== 'auth-int') return { ok: false, reason: 'unsupported' };
      if (!this.#qop.includes(q)) return { ok: false, reason: 'unsupported' };
      qop = q;
      // RFC 7616 §3.4: with qop, cnonce and nc are required.
      if (p.cnonce === undefined || p.nc === undefined || !NC_PATTERN.test(p.nc))
        return { ok: false, reason: 'malformed' };
    } else if (algorithm !== 'MD5') {
      // RFC 2069 compatibility is for MD5 only; -sess and SHA-256 need a cnonce and qop.
      return { ok: false, reason: 'unsupported' };
    }

    // RFC 2617 §3.2.2.5: the digest-uri must name the resource of the Request-URI.
    if (!sameResource(uri, request) && !this.#acceptDigestUri?.(uri, request)) {
      return { ok: false, reason: 'uri-mismatch' };
    }

    const issuedAt = this.#checkNonce(nonce);
    if (issuedAt === undefined) return { ok: false, reason: 'bad-nonce' };

    const hash = hashOf(algorithm);
    const credential = await lookup(username, this.realm);
    const known = this.#ha1For(credential, hash, username);
    const expected = computeDigestResponse({
      algorithm,
      ha1: known ?? computeHa1(hash, username, this.realm, this.#dummyPassword),
      nonce,
      method: request.method,
      uri,
      qop,
      nc: p.nc,
      cnonce: p.cnonce,
      body: request.body,
    });
    const matches = constantTimeEqual(expected, response.toLowerCase());
    if (!matches || known === undefined) return { ok: false, reason: 'invalid' };

    // RFC 2617 §3.2.1: stale only once the digest is known to be right.
    const expiresAt = issuedAt + this.#lifetimeMs;
    if (this.#clock.now() >= expiresAt) return { ok: false, reason: 'stale' };

    // RFC 7616 §3.4 / RFC 2617 §4.5: each nc once, rising; without qop a nonce serves once.
    const nc = qop === undefined ? 1 : parseInt(p.nc ?? '', 16);
    if (!(await this.#nonceCounts.accept(nonce, nc, expiresAt)))
      return { ok: false, reason: 'replay' };

    return { ok: true, username, algorithm };
  }

  #pickCredentials(
    request: SipRequest,
    header: string,
  ): { ok: true; value: AuthParams } | { ok: false; reason: DigestFailure } {
    let malformed = false;
    for (const text of getHeaders(request, header)) {
      const parsed = parseAuthParams(text);
      if (!parsed) {
        if (/^\s*digest\b/i.test(text)) malformed = true;
        continue;
      }
      // RFC 4475 §3.3.7: an unknown scheme is as good as no credentials.
      if (parsed.scheme.toLowerCase() !== 'digest') continue;
      // RFC 3261 §22.3: credentials for other realms belong to other proxies.
      if (parsed.params.realm !== this.realm) continue;
      return { ok: true, value: parsed };
    }
    return { ok: false, reason: malformed ? 'malformed' : 'missing' };
  }

  #ha1For(
    credential: Credential | undefined,
    hash: DigestHash,
    username: string,
  ): string | undefined {
    if (!credential) return undefined;
    if ('password' in credential)
      return computeHa1(hash, username, this.realm, credential.password);
    return credential.ha1[hash];
  }

  #issueNonce(): string {
    // time (8) | random (8) | MAC over the first two (16), written into one buffer.
    const nonce = Buffer.alloc(NONCE_TIME + NONCE_RANDOM + NONCE_MAC);
    nonce.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(this.#clock.now()))), 0);
    this.#random(NONCE_RANDOM).copy(nonce, NONCE_TIME, 0, NONCE_RANDOM);
    const head = nonce.subarray(0, NONCE_TIME + NONCE_RANDOM);
    this.#mac(head).copy(nonce, NONCE_TIME + NONCE_RANDOM);
    return nonce.toString('base64url');
  }

  /** The issue time of a nonce we issued, or undefined for a forged or foreign one. */
  #checkNonce(nonce: string): number | undefined {
    const raw = Buffer.from(nonce, 'base64url');
    if (raw.length !== NONCE_TIME + NONCE_RANDOM + NONCE_MAC || raw.toString('base64url') !== nonce)
      return undefined;
    const head = raw.subarray(0, NONCE_TIME + NONCE_RANDOM);
    if (!timingSafeEqual(this.#mac(head), raw.subarray(NONCE_TIME + NONCE_RANDOM)))
      return undefined;
    return Number(head.readBigUInt64BE(0));
  }

  #mac(head: Buffer): Buffer {
    return createHmac('sha256', this.#secret)
      .update(this.realm)
      .update(head)
      .digest()
      .subarray(0, NONCE_MAC);
  }
}

/** RFC 2617 §3.2.2.5: the digest-uri names the Request-URI's resource (RFC 3261 §19.1.4
 * equality; text equality when it is not a URI we can parse). */
function sameResource(digestUri: string, request: SipRequest): boolean {
  const parsed = parseUri(digestUri);
  if (parsed) return uriEquals(parsed, request.uri);
  return digestUri === formatUri(request.uri);
}

function constantTimeEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  // Same work whatever the length, then the length decides.
  const same = timingSafeEqual(a, b.length === a.length ? b : a);
  return same && b.length === a.length;
}
