// SPEC §3.11: a settings change sends a confirmation e-mail to the notification addresses.
import {
  fieldLines,
  footer,
  formatLocalTime,
  subjectPrefix,
  type MailContent,
  type MailLanguage,
} from './format.ts';

export interface SettingsConfirmationParams {
  language: MailLanguage;
  timeZone: string;
  /** When the change was made. */
  at: Date;
  /** The number whose settings changed. */
  number: string;
  /** One line per setting as it now stands, e.g. "E-mail notification: on recording". */
  summary: readonly string[];
}

const words = {
  ja: {
    subject: '設定変更のお知らせ',
    intro: (n: string) => `${n} の設定が変更されました。`,
    at: '変更日時',
    number: '番号',
    summary: '変更後の設定:',
    unknown: 'お心当たりのない場合は、管理者にお問い合わせください。',
  },
  en: {
    subject: 'Settings changed',
    intro: (n: string) => `The settings of ${n} have been changed.`,
    at: 'Changed at',
    number: 'Number',
    summary: 'Settings now:',
    unknown: 'If you did not make this change, please contact your administrator.',
  },
} as const;

export function settingsConfirmation(p: SettingsConfirmationParams): MailContent {
  const w = words[p.language];
  const text = [
    w.intro(p.number),
    '',
    fieldLines([
      [w.at, formatLocalTime(p.at, p.timeZone)],
      [w.number, p.number],
    ]),
    '',
    w.summary,
    ...p.summary.map((line) => `- ${line}`),
    '',
    w.unknown,
    '',
    footer[p.language],
    '',
  ].join('\n');
  return {
    subject: `${subjectPrefix[p.language]}${w.subject} (${p.number})`,
    text,
    attachments: [],
  };
}
