// SPEC §3.13 output limits, as the fax usage-history portal applies them (seeds: table of
// outputs by hit count, and its error wording). The message follows from the count, not from
// the output asked for: 20,000 hits on screen are told to use the bulk export, not CSV.

export type UsageOutput = 'screen' | 'csv' | 'bulk';
export type UsageSearchBy = 'call' | 'destination';

export const OUTPUT_LIMITS: Record<UsageOutput, number> = {
  screen: 1_000,
  csv: 10_000,
  bulk: 100_000,
};

export type OutputLimitRule = 'none' | 'useCsv' | 'useBulk' | 'narrow';

export type OutputLimitCheck =
  { ok: true } | { ok: false; rule: OutputLimitRule; message: string; messageJa: string };

const noun = (by: UsageSearchBy) => (by === 'call' ? 'calls' : 'destinations');

export const outputLimitMessages = {
  none: {
    en: (by: UsageSearchBy) => `No ${noun(by)} match the search period.`,
    ja: 'ご指定の検索期間に該当する情報はございませんでした。',
  },
  useCsv: {
    en: (by: UsageSearchBy) =>
      `More than 1,000 ${noun(by)} match: download them as CSV (up to 10,000) or narrow the period.`,
    ja: 'ヒット件数が多すぎます。\n検索期間を絞り込むか、出力形式を「テキストファイル」として下さい。',
  },
  useBulk: {
    en: (by: UsageSearchBy) =>
      `More than 10,000 ${noun(by)} match: use the bulk export (up to 100,000) or narrow the period.`,
    ja: 'ヒット件数が多すぎます。\n検索期間を絞り込むか、出力形式を「テキストファイル(大量検索)」として下さい。',
  },
  narrow: {
    en: (by: UsageSearchBy) => `More than 100,000 ${noun(by)} match: narrow the period.`,
    ja: 'ヒット件数が多すぎます。\n検索期間を絞り込んでください。',
  },
} as const;

/** Whether `count` hits may go to `output`, and if not, which output (or period) to choose. */
export function checkOutputLimit(
  count: number,
  output: UsageOutput,
  by: UsageSearchBy,
): OutputLimitCheck {
  const refuse = (rule: OutputLimitRule): OutputLimitCheck => ({
    ok: false,
    rule,
    message: outputLimitMessages[rule].en(by),
    messageJa: outputLimitMessages[rule].ja,
  });
  if (count === 0) return refuse('none');
  if (count <= OUTPUT_LIMITS[output]) return { ok: true };
  if (count > OUTPUT_LIMITS.bulk) return refuse('narrow');
  if (count > OUTPUT_LIMITS.csv) return refuse('useBulk');
  return refuse('useCsv');
}
