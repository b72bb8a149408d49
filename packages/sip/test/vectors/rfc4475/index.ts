// RFC 4475 §3 torture messages: what the parser makes of each and what a server must answer.
// The .dat files are generated from source.txt by generate.ts (bytes as the RFC prints them).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface TortureVector {
  name: string;
  /** RFC 4475 section, e.g. '3.1.1.1'. */
  section: string;
  /** Absolute path of the .dat file. */
  file: string;
  kind: 'request' | 'response';
  /** Whether parseMessage accepts it. */
  parses: boolean;
  /** What a server (our feature server, acting as UAS/registrar) must answer: a status code,
   * 'none' to drop silently, or undefined where any normal processing is fine. */
  expectedResponse?: number | 'none';
  /** For an element acting as a proxy, when that differs. */
  asProxy?: number;
  notes: string;
}

const here = dirname(fileURLToPath(import.meta.url));

function v(
  name: string,
  section: string,
  kind: 'request' | 'response',
  parses: boolean,
  expectedResponse: number | 'none' | undefined,
  notes: string,
  asProxy?: number,
): TortureVector {
  const vec: TortureVector = {
    name,
    section,
    file: join(here, `${name}.dat`),
    kind,
    parses,
    notes,
  };
  if (expectedResponse !== undefined) vec.expectedResponse = expectedResponse;
  if (asProxy !== undefined) vec.asProxy = asProxy;
  return vec;
}

export const rfc4475Vectors: readonly TortureVector[] = [
  // §3.1.1 valid messages
  v(
    'wsinv',
    '3.1.1.1',
    'request',
    true,
    undefined,
    'Folding, LWS around colons, compact and long forms mixed; well formed.',
  ),
  v(
    'intmeth',
    '3.1.1.2',
    'request',
    true,
    501,
    'Unknown method with all token characters; an endpoint answers 501 with Allow (a proxy 404 unless it knows the URI).',
  ),
  v(
    'esc01',
    '3.1.1.3',
    'request',
    true,
    undefined,
    '% escaping in Request-URI, To, From and Contact parameters; well formed.',
  ),
  v(
    'escnull',
    '3.1.1.4',
    'request',
    true,
    undefined,
    'Escaped NULs in user parts; two distinct contacts to register.',
  ),
  v(
    'esc02',
    '3.1.1.5',
    'request',
    true,
    501,
    'RE%47IST%45R is an unknown method, not REGISTER: an endpoint answers 501. C%6Fntact is an unknown header.',
  ),
  v('lwsdisp', '3.1.1.6', 'request', true, undefined, 'No LWS between display name and <; accept.'),
  v(
    'longreq',
    '3.1.1.7',
    'request',
    true,
    undefined,
    'Very long values and 34 Via values in mixed name forms.',
  ),
  v(
    'dblreq',
    '3.1.1.8',
    'request',
    true,
    undefined,
    'REGISTER followed by stray octets in the datagram; Content-Length 0 cuts them (RFC 3261 §18.3).',
  ),
  v(
    'semiuri',
    '3.1.1.9',
    'request',
    true,
    undefined,
    'Request-URI user part is "user;par=u%40example.net".',
  ),
  v(
    'transports',
    '3.1.1.10',
    'request',
    true,
    undefined,
    'Via transports UDP, SCTP, TLS, UNKNOWN, TCP.',
  ),
  v(
    'mpart01',
    '3.1.1.11',
    'request',
    true,
    undefined,
    'multipart/mixed MESSAGE with a binary part (NUL and CR octets); body is 553 octets. Binary octets synthesised, see generate.ts.',
  ),
  v(
    'unreason',
    '3.1.1.12',
    'response',
    true,
    'none',
    'A 200 with a UTF-8 reason phrase; parses. No matching transaction here, so a server drops it.',
  ),
  v(
    'noreason',
    '3.1.1.13',
    'response',
    true,
    'none',
    'A 100 with an empty reason phrase; parses. No matching transaction, dropped.',
  ),
  // §3.1.2 invalid messages
  v(
    'badinv01',
    '3.1.2.1',
    'request',
    false,
    400,
    'Empty Via parameters and values (;;,;,,) and empty Contact parameters.',
  ),
  v(
    'clerr',
    '3.1.2.2',
    'request',
    false,
    400,
    'Content-Length 9999 larger than the datagram body.',
  ),
  v('ncl', '3.1.2.3', 'request', false, 400, 'Negative Content-Length.'),
  v(
    'scalar02',
    '3.1.2.4',
    'request',
    false,
    400,
    'CSeq > 2^32-1, Max-Forwards 300, huge Expires; 400 for the CSeq.',
  ),
  v(
    'scalarlg',
    '3.1.2.5',
    'response',
    false,
    'none',
    'Response with an out-of-range CSeq; discarded.',
  ),
  v('quotbal', '3.1.2.6', 'request', false, 400, 'Unterminated quoted display name in To.'),
  v('ltgtruri', '3.1.2.7', 'request', false, 400, 'Request-URI enclosed in <>.'),
  v('lwsruri', '3.1.2.8', 'request', false, 400, 'LWS inside the Request-URI.'),
  v('lwsstart', '3.1.2.9', 'request', false, 400, 'Several SP between Request-Line elements.'),
  v('trws', '3.1.2.10', 'request', false, 400, 'SP after SIP-Version on the Request-Line.'),
  v('escruri', '3.1.2.11', 'request', false, 400, 'Escaped headers in the Request-URI.'),
  v(
    'baddate',
    '3.1.2.12',
    'request',
    true,
    undefined,
    'Non-GMT Date. The parser keeps Date raw; the RFC allows ignoring it when it is not used (or a 400 when it is).',
  ),
  v('regbadct', '3.1.2.13', 'request', false, 400, 'Contact URI with escaped headers not in <>.'),
  v('badaspec', '3.1.2.14', 'request', false, 400, 'Spaces inside <> around the To addr-spec.'),
  v(
    'baddn',
    '3.1.2.15',
    'request',
    false,
    400,
    'Unquoted display names with non-token characters (comma).',
  ),
  v('badvers', '3.1.2.16', 'request', false, 505, 'SIP/7.0.'),
  v('mismatch01', '3.1.2.17', 'request', false, 400, 'OPTIONS with CSeq method INVITE.'),
  v(
    'mismatch02',
    '3.1.2.18',
    'request',
    false,
    400,
    'Unknown method with CSeq method INVITE; the RFC prefers 501 but accepts 400; our parser rejects the mismatch (400).',
  ),
  v('bigcode', '3.1.2.19', 'response', false, 'none', 'Status code 4294967301; dropped.'),
  // §3.2 transaction layer
  v(
    'badbranch',
    '3.2.1',
    'request',
    true,
    undefined,
    'Branch is only the magic cookie; the parser accepts it; a server may answer 400 or fall back to RFC 2543 matching.',
  ),
  // §3.3 application layer
  v('insuf', '3.3.1', 'request', false, 400, 'Missing To, From, Call-ID and Max-Forwards.'),
  v('unkscm', '3.3.2', 'request', true, 416, 'Request-URI scheme nobodyKnowsThisScheme.'),
  v(
    'novelsc',
    '3.3.3',
    'request',
    true,
    416,
    'Request-URI scheme soap.beep, which we do not support.',
  ),
  v(
    'unksm2',
    '3.3.4',
    'request',
    true,
    undefined,
    'To isbn:, From http:, Contact name: URIs; the message is well formed, the registrar decides on its own rules.',
  ),
  v(
    'bext01',
    '3.3.5',
    'request',
    true,
    420,
    'Require with unknown option tags: 420 with Unsupported listing them (a proxy looks at Proxy-Require).',
    420,
  ),
  v(
    'invut',
    '3.3.6',
    'request',
    true,
    415,
    'INVITE with an unknown Content-Type: 415 with Accept.',
  ),
  v(
    'regaut01',
    '3.3.7',
    'request',
    true,
    401,
    'REGISTER with an unknown Authorization scheme: a registrar challenges with 401.',
  ),
  v(
    'multi01',
    '3.3.8',
    'request',
    false,
    400,
    'Multiple To, From, Call-ID, CSeq, Max-Forwards values.',
  ),
  v('mcl01', '3.3.9', 'request', false, 400, 'Two Content-Length values.'),
  v(
    'bcast',
    '3.3.10',
    'response',
    true,
    'none',
    '200 OK with a broadcast address in the second Via; no matching transaction, dropped.',
  ),
  v(
    'zeromf',
    '3.3.11',
    'request',
    true,
    undefined,
    'OPTIONS with Max-Forwards 0: an endpoint processes it (200); a proxy must answer 483.',
    483,
  ),
  v(
    'cparam01',
    '3.3.12',
    'request',
    true,
    undefined,
    'Contact addr-spec: unknownparam is a Contact (header) parameter, not a URI parameter.',
  ),
  v(
    'cparam02',
    '3.3.13',
    'request',
    true,
    undefined,
    'Contact name-addr: unknownparam is a URI parameter.',
  ),
  v(
    'regescrt',
    '3.3.14',
    'request',
    true,
    undefined,
    'Contact URI with an escaped Route header inside <>; store it as given.',
  ),
  v(
    'sdp01',
    '3.3.15',
    'request',
    true,
    406,
    'Accept lists only text/nobodyKnowsThis, so no SDP may be returned: 406.',
  ),
  // §3.4 backward compatibility
  v(
    'inv2543',
    '3.4.1',
    'request',
    true,
    undefined,
    'RFC 2543 INVITE: no branch, no Max-Forwards, no From tag, no Content-Length; process normally.',
  ),
];

export function readVector(vec: TortureVector): Buffer {
  return readFileSync(vec.file);
}
