// Property test: 100,000 mutations of the valid RFC 4475 messages never make the parser throw,
// hang, or fail without a 4xx/5xx status.
import test from 'ava';
import fc from 'fast-check';
import { parseMessage, serializeMessage } from '../../src/message/index.ts';
import { readVector, rfc4475Vectors } from '../vectors/rfc4475/index.ts';

const seeds = rfc4475Vectors.filter((v) => v.parses).map(readVector);

type Mutation =
  | { op: 'flip'; at: number; byte: number }
  | { op: 'delete'; at: number; len: number }
  | { op: 'insert'; at: number; bytes: number[] }
  | { op: 'truncate'; at: number }
  | { op: 'duplicateLine'; at: number }
  | { op: 'crlf'; at: number; text: string };

const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    op: fc.constant('flip' as const),
    at: position,
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({
    op: fc.constant('delete' as const),
    at: position,
    len: fc.integer({ min: 1, max: 40 }),
  }),
  fc.record({
    op: fc.constant('insert' as const),
    at: position,
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }),
  }),
  fc.record({ op: fc.constant('truncate' as const), at: position }),
  fc.record({ op: fc.constant('duplicateLine' as const), at: position }),
  fc.record({
    op: fc.constant('crlf' as const),
    at: position,
    text: fc.constantFrom(
      '\r\n',
      '\n',
      '\r',
      '\r\n\r\n',
      '\r\n ',
      ' \r\n',
      ':',
      ';',
      ',',
      '"',
      '<',
      '>',
      '%',
    ),
  }),
);

function apply(buf: Buffer, m: Mutation): Buffer {
  const at = Math.floor(m.at * (buf.length + 1));
  switch (m.op) {
    case 'flip': {
      const out = Buffer.from(buf);
      if (at < out.length) out[at] = m.byte;
      return out;
    }
    case 'delete':
      return Buffer.concat([buf.subarray(0, at), buf.subarray(at + m.len)]);
    case 'insert':
      return Buffer.concat([buf.subarray(0, at), Buffer.from(m.bytes), buf.subarray(at)]);
    case 'truncate':
      return buf.subarray(0, at);
    case 'duplicateLine': {
      const start = buf.lastIndexOf('\n', at) + 1;
      const end = buf.indexOf('\n', at);
      if (end < 0) return buf;
      return Buffer.concat([
        buf.subarray(0, end + 1),
        buf.subarray(start, end + 1),
        buf.subarray(end + 1),
      ]);
    }
    case 'crlf':
      return Buffer.concat([buf.subarray(0, at), Buffer.from(m.text), buf.subarray(at)]);
  }
}

test('100,000 mutated RFC 4475 messages: no throw, bounded time, 4xx/5xx on failure', (t) => {
  let failures = 0;
  let slowest = 0;
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: seeds.length - 1 }),
      fc.array(mutation, { minLength: 1, maxLength: 4 }),
      (seed, muts) => {
        let buf = seeds[seed]!;
        for (const m of muts) buf = apply(buf, m);
        const started = performance.now();
        const result = parseMessage(buf);
        const took = performance.now() - started;
        if (took > slowest) slowest = took;
        // generous: a GC pause on a shared 2-core machine must not count as a hang
        if (took > 250) return false;
        if (!result.ok) {
          failures++;
          return (
            result.error.status >= 400 &&
            result.error.status <= 599 &&
            result.error.reason.length > 0
          );
        }
        // whatever parses must serialise and parse again
        return parseMessage(serializeMessage(result.message)).ok;
      },
    ),
    { numRuns: 100_000, seed: 4475 },
  );
  t.log(`failures: ${failures}, slowest parse: ${slowest.toFixed(2)} ms`);
  t.true(failures > 10_000, 'mutations really break messages');
});
