import test from 'ava';
import type { Via } from '../../src/message/types.ts';
import { responseDestination } from '../../src/transport/response-destination.ts';
import type { Flow, Target } from '../../src/transport/types.ts';

const via = (
  host: string,
  port: number | undefined,
  params: Via['params'],
  transport = 'UDP',
): Via => ({
  protocol: 'SIP/2.0',
  transport,
  host,
  ...(port === undefined ? {} : { port }),
  params: { branch: 'z9hG4bK1', ...params },
});
const udp: Flow = {
  protocol: 'UDP',
  remoteAddress: '203.0.113.9',
  remotePort: 40001,
  localAddress: '0.0.0.0',
  localPort: 5060,
};
const tcp: Flow = { ...udp, protocol: 'TCP', connectionId: 'tcp-3' };
const tls: Flow = { ...udp, protocol: 'TLS', connectionId: 'tls-4' };

// RFC 3261 §18.2.2 and RFC 3581 §4, case by case.
const cases: Array<[string, Via, Flow, Target]> = [
  [
    'UDP: received and sent-by port',
    via('10.0.0.2', 5070, { received: '203.0.113.9' }),
    udp,
    { protocol: 'UDP', address: '203.0.113.9', port: 5070 },
  ],
  [
    'UDP: received and 5060 when sent-by has no port',
    via('10.0.0.2', undefined, { received: '203.0.113.9' }),
    udp,
    { protocol: 'UDP', address: '203.0.113.9', port: 5060 },
  ],
  [
    'UDP: received and rport when rport was filled',
    via('10.0.0.2', 5070, { received: '203.0.113.9', rport: '40001' }),
    udp,
    { protocol: 'UDP', address: '203.0.113.9', port: 40001 },
  ],
  [
    'UDP: sent-by when no received',
    via('192.0.2.4', 5080, {}),
    udp,
    { protocol: 'UDP', address: '192.0.2.4', port: 5080 },
  ],
  [
    'UDP: maddr wins',
    via('10.0.0.2', 5070, { received: '203.0.113.9', rport: '40001', maddr: '239.0.0.1' }),
    udp,
    { protocol: 'UDP', address: '239.0.0.1', port: 5070 },
  ],
  [
    'TCP: the request connection, falling back to received and sent-by port',
    via('10.0.0.2', 5070, { received: '203.0.113.9', rport: '40001' }, 'TCP'),
    tcp,
    { protocol: 'TCP', address: '203.0.113.9', port: 5070, connectionId: 'tcp-3' },
  ],
  [
    'TLS: default port 5061',
    via('10.0.0.2', undefined, {}, 'TLS'),
    tls,
    { protocol: 'TLS', address: '10.0.0.2', port: 5061, connectionId: 'tls-4' },
  ],
];
for (const [name, v, flow, expected] of cases) {
  test(name, (t) => t.deepEqual(responseDestination(v, flow), expected));
}
