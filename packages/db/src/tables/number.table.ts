import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export type NumberKind = 'base' | 'dial_in';

/**
 * SPEC §2: base numbers and their dial-in numbers, national format digits only.
 * `base_number_kind` is 'base' on dial-ins and null on base numbers; with
 * (base_number_id, access_line_id, base_number_kind) as a foreign key it lets the
 * database itself refuse a dial-in whose base is another dial-in or on another line.
 */
export interface NumberTable {
  id: Generated<number>;
  number: string;
  kind: NumberKind;
  access_line_id: number;
  base_number_id: number | null;
  base_number_kind: 'base' | null;
  created_at: string;
  updated_at: string;
}

export type PhoneNumber = Selectable<NumberTable>;
export type NewPhoneNumber = Insertable<NumberTable>;
export type PhoneNumberUpdate = Updateable<NumberTable>;
