// A two-way session answered to a "phone" on loopback that can send it RTP.
import type { ExecutionContext } from 'ava';
import { MediaEngine, type MediaClock, type MediaSession } from '../../src/index.ts';
import { offerTo, testPortRange, UdpReceiver } from './udp-receiver.ts';

export interface TwoWayCall {
  phone: UdpReceiver;
  session: MediaSession;
  /** Sends packets from the phone to the session, in order. */
  send: (...packets: Buffer[]) => Promise<void>;
}

export async function twoWayCall(
  t: ExecutionContext,
  o: { payloads?: string; clock?: MediaClock } = {},
): Promise<TwoWayCall> {
  const phone = await UdpReceiver.open();
  t.teardown(() => phone.close());
  const engine = new MediaEngine({
    bindAddress: '127.0.0.1',
    advertisedAddress: '127.0.0.1',
    ...testPortRange(2000),
    ...(o.clock ? { clock: o.clock } : {}),
  });
  const session = await engine.open(offerTo(phone.port, o.payloads), { direction: 'sendrecv' });
  if (!session) throw new Error('no session for the offer');
  t.teardown(() => session.close());
  return { phone, session, send: (...packets) => phone.send(session.localPort, ...packets) };
}

/** Resolves with the digits reported once `count` of them have come. */
export function digits(session: MediaSession, count: number): Promise<string> {
  let got = '';
  return new Promise((resolve) => {
    const off = session.onDtmf((digit) => {
      got += digit;
      if (got.length === count) {
        off();
        resolve(got);
      }
    });
  });
}
