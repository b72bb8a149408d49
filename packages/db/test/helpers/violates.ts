import type { ExecutionContext } from 'ava';

type Kind = 'check' | 'unique' | 'foreign key';

const patterns: Record<Kind, RegExp> = {
  check: /check constraint/i,
  unique: /unique constraint|duplicate key/i,
  'foreign key': /foreign key/i,
};

/**
 * Asserts the database refused the write for the expected reason. Both drivers'
 * messages name the kind; for checks both also name the constraint.
 */
export async function violates(
  t: ExecutionContext,
  write: Promise<unknown>,
  kind: Kind,
  constraint?: string,
) {
  const error = await write.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error === undefined) {
    t.fail(`expected a ${kind} violation, the write succeeded`);
    return;
  }
  const message =
    error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)
      ? String((error as { message: unknown }).message)
      : String(error);
  t.regex(message, patterns[kind]);
  if (constraint !== undefined)
    t.true(message.includes(constraint), `"${message}" should name ${constraint}`);
}
