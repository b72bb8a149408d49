// What the feature server hands the notifier: a template's content with its recipients.
import { enqueueMail, type Executor, type MailAttachment, type MailKind } from '@ipvoice/db';
import type { MailContent } from './templates/format.ts';
import {
  incomingCallNotice,
  type IncomingCallNoticeParams,
} from './templates/incoming-call-notice.ts';
import {
  settingsConfirmation,
  type SettingsConfirmationParams,
} from './templates/settings-confirmation.ts';
import { testMail, type TestMailParams } from './templates/test-mail.ts';
import { voicemailNotice, type VoicemailNoticeParams } from './templates/voicemail-notice.ts';

export interface OutgoingMail {
  kind: MailKind;
  to: string[];
  subject: string;
  text: string;
  attachments: MailAttachment[];
}

const outgoing = (kind: MailKind, to: readonly string[], content: MailContent): OutgoingMail => ({
  kind,
  to: [...to],
  ...content,
});

/** SPEC §3.11: a message was left; `to` is the box's notification addresses (up to 3). */
export function voicemailMail(to: readonly string[], params: VoicemailNoticeParams): OutgoingMail {
  return outgoing('voicemail', to, voicemailNotice(params));
}

/** SPEC §3.11: the box's settings changed. */
export function settingsConfirmationMail(
  to: readonly string[],
  params: SettingsConfirmationParams,
): OutgoingMail {
  return outgoing('settings_confirmation', to, settingsConfirmation(params));
}

/** SPEC §3.12: a call arrived; `to` is the addresses whose send flag is on (up to 5). */
export function incomingCallMail(
  to: readonly string[],
  params: IncomingCallNoticeParams,
): OutgoingMail {
  return outgoing('incoming_call', to, incomingCallNotice(params));
}

/** SPEC §3.12: "send test mail" to one address. */
export function addressTestMail(to: readonly string[], params: TestMailParams): OutgoingMail {
  return outgoing('test', to, testMail(params));
}

/** Queues a mail with the caller's executor, e.g. inside the transaction that made the change
 * it confirms (rolled back with it); a running notifier sends it. */
export function queueMail(db: Executor, mail: OutgoingMail, now: Date): Promise<number> {
  return enqueueMail(
    db,
    {
      kind: mail.kind,
      recipients: mail.to,
      subject: mail.subject,
      textBody: mail.text,
      attachments: mail.attachments,
    },
    now,
  );
}
