// @ipvoice/notifier: e-mail (ARCHITECTURE.md services/notifier) — voicemail notices,
// incoming-call notices, settings confirmations and test mails, queued and retried.
export { createNotifier, type Notifier, type NotifierDeps } from './notifier.ts';
export { createMailTransport, type MailTransport } from './mail-transport.ts';
export { AttachmentMissingError, PermanentMailError, isPermanent } from './mail-errors.ts';
export { retryDelayMs, MAX_RETRY_DELAY_MS } from './retry-delay.ts';
export {
  voicemailMail,
  settingsConfirmationMail,
  incomingCallMail,
  addressTestMail,
  queueMail,
  type OutgoingMail,
} from './outgoing-mail.ts';
export {
  formatLocalTime,
  localDateStamp,
  callerText,
  type Caller,
  type CallerAnonymity,
  type MailContent,
  type MailLanguage,
} from './templates/format.ts';
export {
  voicemailNotice,
  voicemailAttachmentName,
  type VoicemailNoticeParams,
} from './templates/voicemail-notice.ts';
export {
  settingsConfirmation,
  voicemailSummary,
  type SettingsConfirmationParams,
  type VoicemailSettingsView,
} from './templates/settings-confirmation.ts';
export {
  incomingCallNotice,
  type IncomingCallNoticeParams,
  type IncomingCallOutcome,
} from './templates/incoming-call-notice.ts';
export { testMail, type TestMailParams } from './templates/test-mail.ts';
