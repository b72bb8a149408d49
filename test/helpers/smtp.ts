// A real SMTP server on loopback for the notification mail tests (SPEC §3.11, §3.12): every
// message it accepts is parsed with mailparser and kept with its envelope; it can refuse the
// first deliveries with a temporary 451, as a greylisting or overloaded server would.
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { reservePorts } from './sipp.ts';

export interface ReceivedMail {
  /** Date.now() when the message was accepted. */
  at: number;
  /** RCPT TO addresses of the SMTP transaction. */
  envelopeTo: string[];
  mail: ParsedMail;
  /** The text part (an HTML-only mail's text as mailparser derives it). */
  text: string;
}

export interface MailSinkOptions {
  /** Refuse this many DATA transactions with 451 before accepting; 0 unless told. */
  refuseFirst?: number;
  /** Only messages (raw text) for which this holds count towards `refuseFirst`; all unless told. */
  refuseWhen?: (raw: string) => boolean;
}

export class MailSink {
  readonly port: number;
  readonly #server: SMTPServer;
  readonly #mails: ReceivedMail[] = [];
  /** DATA transactions refused so far. */
  refused = 0;

  private constructor(server: SMTPServer, port: number) {
    this.#server = server;
    this.port = port;
  }

  static async start(options: MailSinkOptions = {}): Promise<MailSink> {
    const port = await reservePorts(1);
    let toRefuse = options.refuseFirst ?? 0;
    // Set before the server can take a connection; filled in just below.
    const self: { sink?: MailSink } = {};
    const server = new SMTPServer({
      // Plain SMTP on loopback: no TLS to negotiate, no login to ask for.
      disabledCommands: ['STARTTLS', 'AUTH'],
      authOptional: true,
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          if (toRefuse > 0 && (options.refuseWhen?.(raw.toString('utf8')) ?? true)) {
            toRefuse--;
            if (self.sink) self.sink.refused++;
            const error = Object.assign(new Error('try again later'), { responseCode: 451 });
            callback(error);
            return;
          }
          const envelopeTo = session.envelope.rcptTo.map((r) => r.address);
          simpleParser(raw)
            .then((mail) => {
              self.sink?.accept({ at: Date.now(), envelopeTo, mail, text: mail.text ?? '' });
              callback();
            })
            .catch((error: Error) => callback(error));
        });
      },
    });
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', fail);
        done();
      });
    });
    const sink = new MailSink(server, port);
    self.sink = sink;
    return sink;
  }

  /** Keeps a mail the server accepted (for the SMTP handler). */
  accept(mail: ReceivedMail): void {
    this.#mails.push(mail);
  }

  /** Every mail accepted so far, in order. */
  get mails(): readonly ReceivedMail[] {
    return this.#mails;
  }

  /** Mails addressed (envelope) to `address`. */
  to(address: string): ReceivedMail[] {
    return this.#mails.filter((m) => m.envelopeTo.includes(address));
  }

  /**
   * Waits until `count` accepted mails match, and returns them; throws after `timeoutMs` with
   * what did arrive.
   */
  async waitFor(
    match: (mail: ReceivedMail) => boolean,
    options: { count?: number; timeoutMs?: number } = {},
  ): Promise<ReceivedMail[]> {
    const count = options.count ?? 1;
    const timeoutMs = options.timeoutMs ?? 15_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.#mails.filter(match);
      if (found.length >= count) return found;
      if (Date.now() > deadline)
        throw new Error(
          `${found.length} of ${count} mails within ${timeoutMs} ms; got: ${this.#mails
            .map((m) => `${m.envelopeTo.join(',')} "${m.mail.subject ?? ''}"`)
            .join('; ')}`,
        );
      await new Promise((done) => setTimeout(done, 50));
    }
  }

  close(): Promise<void> {
    return new Promise((done) => this.#server.close(() => done()));
  }
}
