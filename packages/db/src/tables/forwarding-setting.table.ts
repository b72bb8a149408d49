import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { ForwardingColumns } from './forwarding-columns.ts';

/** SPEC §3.1: the forwarding setting in effect for a number (one row per number). */
export interface ForwardingSettingTable extends ForwardingColumns {
  id: Generated<number>;
  number_id: number;
  created_at: string;
  updated_at: string;
}

export type ForwardingSettingRow = Selectable<ForwardingSettingTable>;
export type NewForwardingSettingRow = Insertable<ForwardingSettingTable>;
export type ForwardingSettingRowUpdate = Updateable<ForwardingSettingTable>;
