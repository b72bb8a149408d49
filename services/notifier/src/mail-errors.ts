/** A send that will fail the same way every time: the mail is marked failed at once. */
export class PermanentMailError extends Error {
  override readonly name: string = 'PermanentMailError';
}

/** An attached file (a voicemail recording) is not on disk when the mail is sent. */
export class AttachmentMissingError extends PermanentMailError {
  override readonly name = 'AttachmentMissingError';
  constructor(
    readonly filename: string,
    readonly path: string,
    cause: unknown,
  ) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code ?? String(cause);
    super(`attachment ${filename} cannot be read from ${path} (${code})`, { cause });
  }
}

/**
 * RFC 5321 §4.2.1: a 5yz reply is a permanent failure ("the SMTP client SHOULD NOT repeat
 * the exact request"), so such a mail fails at once; 4yz and connection errors are retried.
 */
export function isPermanent(err: unknown): boolean {
  if (err instanceof PermanentMailError) return true;
  const code = (err as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}
