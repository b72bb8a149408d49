// Waits until a SIP server answers OPTIONS over UDP on loopback: the readiness probe for any
// server under test (Kamailio or ours), independent of what it logs.
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';

export interface WaitForSipOptions {
  port: number;
  host?: string;
  timeoutMs: number;
}

export async function waitForSip(options: WaitForSipOptions): Promise<void> {
  const host = options.host ?? '127.0.0.1';
  const socket = createSocket('udp4');
  await new Promise<void>((done) => socket.bind(0, '127.0.0.1', () => done()));
  const localPort = socket.address().port;
  const callId = randomBytes(8).toString('hex');
  try {
    await new Promise<void>((done, fail) => {
      const deadline = setTimeout(() => {
        clearInterval(probe);
        fail(new Error(`no SIP answer on ${host}:${options.port} within ${options.timeoutMs} ms`));
      }, options.timeoutMs);
      socket.on('message', (data) => {
        const text = data.toString('latin1');
        if (text.startsWith('SIP/2.0 ') && text.includes(callId)) {
          clearTimeout(deadline);
          clearInterval(probe);
          done();
        }
      });
      let cseq = 0;
      const send = (): void => {
        cseq += 1;
        const request = [
          `OPTIONS sip:${host}:${options.port} SIP/2.0`,
          `Via: SIP/2.0/UDP 127.0.0.1:${localPort};rport;branch=z9hG4bK${callId}${cseq}`,
          'Max-Forwards: 70',
          `From: <sip:probe@127.0.0.1>;tag=${callId}`,
          `To: <sip:${host}:${options.port}>`,
          `Call-ID: ${callId}`,
          `CSeq: ${cseq} OPTIONS`,
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n');
        socket.send(request, options.port, host);
      };
      // Polling is the only signal available: the server is another process.
      const probe = setInterval(send, 200);
      send();
    });
  } finally {
    socket.close();
  }
}
