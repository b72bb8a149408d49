import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { ForwardingColumns } from './forwarding-columns.ts';

/** SPEC §3.2: a named forwarding pattern that a schedule entry switches to. */
export interface ForwardingPatternTable extends ForwardingColumns {
  id: Generated<number>;
  number_id: number;
  name: string;
  created_at: string;
  updated_at: string;
}

export type ForwardingPatternRow = Selectable<ForwardingPatternTable>;
export type NewForwardingPatternRow = Insertable<ForwardingPatternTable>;
export type ForwardingPatternRowUpdate = Updateable<ForwardingPatternTable>;
