// Writes <name>.dat for every message in source.txt (RFC 4475 §3, transcribed from the RFC).
// Run: npx tsx packages/sip/test/vectors/rfc4475/generate.ts
// Notation (RFC 4475 §2): line ends are CRLF, <hex>..</hex> are raw octets,
// <repeat count=N>..</repeat> repeats a string (the RFC's §2.3 form for long values).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** mpart01's second part is binary (an S/MIME signature containing 0x00 and bare 0x0D).
 * DEVIATION (RFC 4475 §3.1.1.11): the RFC prints those octets in hex; our copy keeps the
 * message's structure and its Content-Length of 553 with a made-up octet pattern that has
 * the same hazards (NUL, CR, LF, bytes >= 0x80), since the exact octets were not available. */
function mpartBinary(length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = (i * 37 + 0x30) & 0xff;
  out[0] = 0x30;
  out[1] = 0x82;
  out[2] = 0x00;
  out[3] = 0x0d;
  return out;
}

function expand(text: string): Buffer {
  const withRepeats = text.replace(
    /<repeat count=(\d+)>([\s\S]*?)<\/repeat>/g,
    (_, n: string, s: string) => s.repeat(Number(n)),
  );
  const parts: Buffer[] = [];
  const re = /<hex>([0-9A-Fa-f]*)<\/hex>|<mpart01-binary>/g;
  let last = 0;
  for (let m = re.exec(withRepeats); m; m = re.exec(withRepeats)) {
    parts.push(Buffer.from(withRepeats.slice(last, m.index), 'utf8'));
    parts.push(m[1] !== undefined ? Buffer.from(m[1], 'hex') : Buffer.from('<mpart01-binary>'));
    last = m.index + m[0].length;
  }
  parts.push(Buffer.from(withRepeats.slice(last), 'utf8'));
  return Buffer.concat(parts);
}

export function buildVectors(): Map<string, Buffer> {
  const source = readFileSync(join(here, 'source.txt'), 'utf8');
  const out = new Map<string, Buffer>();
  const chunks = source.split(/^=== /m).slice(1);
  for (const chunk of chunks) {
    const nl = chunk.indexOf('\n');
    const name = chunk.slice(0, nl).trim();
    // each message ends with the line break before the next "===" (or the end of file)
    const body = chunk.slice(nl + 1).replace(/\n$/, '\n');
    let bytes = expand(body.replace(/\n/g, '\r\n'));
    if (name === 'mpart01') {
      const marker = bytes.indexOf('<mpart01-binary>');
      const headerEnd = bytes.indexOf('\r\n\r\n') + 4;
      const fixed = bytes.length - '<mpart01-binary>'.length - headerEnd;
      bytes = Buffer.concat([
        bytes.subarray(0, marker),
        mpartBinary(553 - fixed),
        bytes.subarray(marker + '<mpart01-binary>'.length),
      ]);
    }
    out.set(name, bytes);
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [name, bytes] of buildVectors()) writeFileSync(join(here, `${name}.dat`), bytes);
}
