// The forwarding CSV file (SPEC §4): one row per number with its SPEC §3.1 setting. The
// operator manual names the screen fields (IP電話番号, 転送設定, 転送動作, 呼出時間, 転送先設定)
// but gives no column layout, so the columns follow those fields in screen order; the English
// names are what downloads carry, the manual's Japanese names are accepted on upload too.
import type { ForwardingSetting, ForwardingTarget } from '@ipvoice/db';

export const forwardingCsvColumns = [
  'number',
  'forwarding',
  'unconditional',
  'busy',
  'no_answer',
  'unreachable',
  'ring_time',
  'target1',
  'target2',
  'target3',
  'target4',
  'target5',
  'active_target',
] as const;

export type ForwardingCsvColumn = (typeof forwardingCsvColumns)[number];

/** The manual's field names (Arcstar IP Voice user guide, 転送サービスの設定画面). */
export const japaneseColumnNames: Record<ForwardingCsvColumn, string> = {
  number: 'IP電話番号',
  forwarding: '転送設定',
  unconditional: '無条件転送',
  busy: '話中時転送',
  no_answer: '無応答転送',
  unreachable: '不通時転送',
  ring_time: '呼出時間',
  target1: '転送先1',
  target2: '転送先2',
  target3: '転送先3',
  target4: '転送先4',
  target5: '転送先5',
  active_target: '転送先設定',
};

export type HeaderLanguage = 'en' | 'ja';

/** A number without a stored setting downloads as off with this ring time (SPEC §3.1: 5–30). */
export const defaultRingTimeSeconds = 20;

const flagWords: Record<HeaderLanguage, { on: string; off: string }> = {
  en: { on: 'on', off: 'off' },
  ja: { on: 'する', off: 'しない' },
};
const voicemailWords: Record<HeaderLanguage, string> = { en: 'voicemail', ja: '留守番録音' };

const onWords = new Set(['on', 'yes', 'true', '1', 'する', '○']);
const offWords = new Set(['', 'off', 'no', 'false', '0', 'しない', '×']);

/** The row a number's setting downloads as, in `forwardingCsvColumns` order. */
export function settingToRow(
  number: string,
  setting: ForwardingSetting | undefined,
  language: HeaderLanguage = 'en',
): string[] {
  const words = flagWords[language];
  const flag = (value: boolean) => (value ? words.on : words.off);
  const s = setting ?? {
    enabled: false,
    unconditional: false,
    onBusy: false,
    onNoAnswer: false,
    onUnreachable: false,
    ringTimeSeconds: defaultRingTimeSeconds,
    activeTarget: null,
    slots: [null, null, null, null, null],
  };
  const active =
    s.activeTarget === null
      ? ''
      : s.activeTarget === 'voicemail'
        ? voicemailWords[language]
        : s.activeTarget.slice(4);
  return [
    number,
    flag(s.enabled),
    flag(s.unconditional),
    flag(s.onBusy),
    flag(s.onNoAnswer),
    flag(s.onUnreachable),
    String(s.ringTimeSeconds),
    ...s.slots.map((slot) => slot ?? ''),
    active,
  ];
}

export function headerRow(language: HeaderLanguage = 'en'): string[] {
  return forwardingCsvColumns.map((c) => (language === 'ja' ? japaneseColumnNames[c] : c));
}

export const formatMessages = {
  missingColumns: (names: string[]) =>
    `The header row lacks the column${names.length > 1 ? 's' : ''} ${names.join(', ')}; download a file to see the expected header.`,
  unknownColumn: (name: string) =>
    `The header row has a column "${name}" that is not part of the forwarding CSV; expected: ${forwardingCsvColumns.join(', ')}.`,
  duplicateColumn: (name: string) => `The header row names the column ${name} twice.`,
  empty: 'The file has no header row.',
  unreadable: (detail: string) => `The file is not a readable CSV file: ${detail}`,
  flag: (column: string, value: string) =>
    `${column} must be on or off (also accepted: yes/no, 1/0, する/しない), not "${value}".`,
  activeTarget: (value: string) =>
    `active_target must be 1 to 5, voicemail or empty, not "${value}".`,
  number: 'Enter the number in the number column.',
} as const;

/** Maps each header cell to its column; throws a message for a header that is not ours. */
export function readHeader(cells: readonly string[]): Map<ForwardingCsvColumn, number> {
  const byName = new Map<string, ForwardingCsvColumn>();
  for (const c of forwardingCsvColumns) {
    byName.set(c, c);
    byName.set(japaneseColumnNames[c], c);
  }
  const positions = new Map<ForwardingCsvColumn, number>();
  cells.forEach((cell, i) => {
    const name = cell.trim();
    const column = byName.get(name.toLowerCase()) ?? byName.get(name);
    if (column === undefined) {
      if (name === '') return;
      throw new HeaderProblem(formatMessages.unknownColumn(name));
    }
    if (positions.has(column)) throw new HeaderProblem(formatMessages.duplicateColumn(column));
    positions.set(column, i);
  });
  const missing = forwardingCsvColumns.filter((c) => !positions.has(c));
  if (missing.length > 0) throw new HeaderProblem(formatMessages.missingColumns(missing));
  return positions;
}

export class HeaderProblem extends Error {
  override readonly name = 'HeaderProblem';
}

/** One data row as written, before any lookup: the setting, or what is wrong with its cells. */
export interface ParsedRow {
  /** As written (trimmed), for the result file. */
  numberText: string;
  /** National digits: hyphens and spaces dropped. */
  number: string;
  /** Format problems; when empty, `setting` is complete except a blank ring time. */
  problems: string[];
  setting: Omit<ForwardingSetting, 'ringTimeSeconds'> & { ringTimeSeconds: number | undefined };
}

/** Reads the cells of one data row; slots stay as written (the validator allows hyphens). */
export function parseRow(
  cells: readonly string[],
  header: ReadonlyMap<ForwardingCsvColumn, number>,
): ParsedRow {
  const cell = (c: ForwardingCsvColumn) => (cells[header.get(c) ?? -1] ?? '').trim();
  const problems: string[] = [];
  const flag = (c: ForwardingCsvColumn): boolean => {
    const value = cell(c);
    const word = value.toLowerCase();
    if (onWords.has(word)) return true;
    if (offWords.has(word)) return false;
    problems.push(formatMessages.flag(c, value));
    return false;
  };
  const numberText = cell('number');
  if (numberText === '') problems.push(formatMessages.number);
  const enabled = flag('forwarding');
  const unconditional = flag('unconditional');
  const onBusy = flag('busy');
  const onNoAnswer = flag('no_answer');
  const onUnreachable = flag('unreachable');
  const ring = cell('ring_time');
  // Anything but a blank goes to the validator as a number, so "abc" or "4.5" get its message.
  const ringTimeSeconds = ring === '' ? undefined : /^\d+$/.test(ring) ? Number(ring) : NaN;
  const slot = (c: ForwardingCsvColumn) => (cell(c) === '' ? null : cell(c));
  const slots: ForwardingSetting['slots'] = [
    slot('target1'),
    slot('target2'),
    slot('target3'),
    slot('target4'),
    slot('target5'),
  ];
  return {
    numberText,
    number: numberText.replace(/[-\s]/g, ''),
    problems,
    setting: {
      enabled,
      unconditional,
      onBusy,
      onNoAnswer,
      onUnreachable,
      ringTimeSeconds,
      activeTarget: activeTargetOf(cell('active_target'), problems),
      slots,
    },
  };
}

function activeTargetOf(value: string, problems: string[]): ForwardingTarget | null {
  if (value === '') return null;
  if (/^[1-5]$/.test(value)) return `slot${value}` as ForwardingTarget;
  const word = value.toLowerCase();
  if (word === 'voicemail' || value === voicemailWords.ja) return 'voicemail';
  problems.push(formatMessages.activeTarget(value));
  return null;
}
