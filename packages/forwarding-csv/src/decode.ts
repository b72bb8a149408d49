import iconv from 'iconv-lite';

export type CsvEncoding = 'utf-8' | 'shift_jis';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * SPEC §4: uploads are UTF-8 (with or without BOM) or Shift_JIS. Bytes that are valid UTF-8
 * are read as UTF-8 (Shift_JIS text with kana or kanji practically never is); anything else
 * as Shift_JIS in its Windows form (CP932), which is what Excel writes on Japanese Windows.
 */
export function decodeCsv(bytes: Uint8Array): { text: string; encoding: CsvEncoding } {
  try {
    // The decoder drops a leading BOM itself.
    return { text: utf8.decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(Buffer.from(bytes), 'cp932'), encoding: 'shift_jis' };
  }
}
