// SPEC §3.12: "send test mail" for a notification address.
import { footer, subjectPrefix, type MailContent, type MailLanguage } from './format.ts';

export interface TestMailParams {
  language: MailLanguage;
  /** The number whose notification address is being tried. */
  number: string;
}

const words = {
  ja: {
    subject: 'テストメール',
    body: (n: string) =>
      `${n} の着信お知らせメールのテスト送信です。\nこのメールが届いていれば、このアドレスにお知らせをお送りできます。`,
  },
  en: {
    subject: 'Test mail',
    body: (n: string) =>
      `This is a test of the e-mail notifications for ${n}.\nIf it reached you, notifications can be sent to this address.`,
  },
} as const;

export function testMail(p: TestMailParams): MailContent {
  const w = words[p.language];
  return {
    subject: `${subjectPrefix[p.language]}${w.subject} (${p.number})`,
    text: [w.body(p.number), '', footer[p.language], ''].join('\n'),
    attachments: [],
  };
}
