// The two ways mail leaves (config mail.transport): nodemailer's SMTP transport, or its
// stream transport with the raw message written to the outbox folder.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '@ipvoice/config';
import type { MailKind } from '@ipvoice/db';
import nodemailer, { type SendMailOptions } from 'nodemailer';

export interface MailTransport {
  /** Delivers one message; rejects with nodemailer's error (with `responseCode` for SMTP
   * replies). `mail` names the queue row, for the outbox file name. */
  send(message: SendMailOptions, mail: { id: number; kind: MailKind }): Promise<void>;
  close(): void;
}

export function createMailTransport(mail: Config['mail']): MailTransport {
  return mail.transport === 'smtp' ? smtpTransport(mail.smtp) : outboxTransport(mail.outboxDir);
}

function smtpTransport(smtp: Config['mail']['smtp']): MailTransport {
  const transporter = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    ...(smtp.user && smtp.password ? { auth: { user: smtp.user, pass: smtp.password } } : {}),
    // A relay that hangs must not hold a sender for nodemailer's default ten minutes.
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
    logger: false,
  });
  return {
    async send(message) {
      await transporter.sendMail(message);
    },
    close: () => transporter.close(),
  };
}

function outboxTransport(dir: string): MailTransport {
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true });
  let made: Promise<unknown> | undefined;
  return {
    async send(message, mail) {
      const info = await transporter.sendMail(message);
      made ??= mkdir(dir, { recursive: true }).catch((err: unknown) => {
        made = undefined; // try again with the next mail
        throw err;
      });
      await made;
      const name = `${mail.id}-${mail.kind}.eml`;
      // Written under another name and renamed, so a reader never sees half a message.
      const temporary = join(dir, `.${name}.${process.pid}.tmp`);
      await writeFile(temporary, info.message as Buffer);
      await rename(temporary, join(dir, name));
    },
    close: () => transporter.close(),
  };
}
