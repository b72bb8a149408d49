import type { Generated, Insertable, Selectable } from 'kysely';

/** What a mail is about (SPEC §3.11 voicemail and settings confirmation, §3.12 notices). */
export type MailKind =
  | 'voicemail'
  | 'settings_confirmation'
  | 'incoming_call'
  | 'test'
  /** SPEC §4: an e-mailed login code (second factor). */
  | 'login_code';

/**
 * queued → sending (claimed by one sender) → sent; or back to queued for a retry; or failed
 * once attempts run out or retrying cannot help.
 */
export type MailStatus = 'queued' | 'sending' | 'sent' | 'failed';

/** A file attached by path, read when the mail is sent. */
export interface MailAttachment {
  filename: string;
  path: string;
  contentType: string;
}

/** The mail queue (services/notifier). Timestamps are ISO 8601 UTC text. */
export interface MailQueueTable {
  id: Generated<number>;
  kind: MailKind;
  /** JSON array of addresses. */
  recipients: string;
  subject: string;
  text_body: string;
  /** JSON array of MailAttachment; '[]' for none. */
  attachments: Generated<string>;
  status: Generated<MailStatus>;
  /** Sends started so far, counted when a sender claims the row. */
  attempts: Generated<number>;
  next_attempt_at: string;
  claimed_until: string | null;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

export type MailQueueRow = Selectable<MailQueueTable>;
export type NewMailQueueRow = Insertable<MailQueueTable>;
