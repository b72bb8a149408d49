// A real SMTP server (smtp-server) that catches what the notifier sends, parses it with
// mailparser, and can refuse or hold a delivery.
import { EventEmitter, once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface Refusal {
  code: number;
  message: string;
}

export interface SmtpSinkOptions {
  /** Called for each DATA (1 for the first); a refusal answers it with that reply. */
  refuse?: (attempt: number) => Refusal | undefined;
  /** Accepting waits for this (a slow server). */
  hold?: Promise<void>;
}

export interface SmtpSink {
  port: number;
  /** Messages accepted, in order. */
  received: ParsedMail[];
  /** Every DATA, accepted or refused. */
  attempts: number;
  /** Resolves once `count` messages have been accepted. */
  waitForMessages(count: number): Promise<ParsedMail[]>;
  /** Resolves once `count` DATA commands have arrived (before they are answered). */
  waitForAttempts(count: number): Promise<void>;
  close(): Promise<void>;
}

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const events = new EventEmitter();
  const sink = {
    port: 0,
    received: [] as ParsedMail[],
    attempts: 0,
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const attempt = ++sink.attempts;
        events.emit('attempt');
        const refusal = options.refuse?.(attempt);
        if (refusal) {
          callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
          return;
        }
        void (async () => {
          await options.hold;
          const parsed = await simpleParser(Buffer.concat(chunks));
          sink.received.push(parsed);
          callback();
          events.emit('message');
        })();
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  sink.port = (server.server.address() as AddressInfo).port;
  const until = async (event: string, done: () => boolean) => {
    while (!done()) await once(events, event);
  };
  return Object.assign(sink, {
    async waitForMessages(count: number) {
      await until('message', () => sink.received.length >= count);
      return sink.received;
    },
    waitForAttempts: (count: number) => until('attempt', () => sink.attempts >= count),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
