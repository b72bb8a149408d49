import type { Insertable, Selectable, Updateable } from 'kysely';

/** Features whose per-number settings are stored as JSON documents. */
export const documentFeatures = [
  'special_number_forwarding',
  'caller_id',
  'specific_number_presentation',
  'anonymous_rejection',
  'nuisance_blocking',
  'international_barring',
  'outgoing_restriction',
  'voicemail',
  'incoming_call_notice',
] as const;

export type DocumentFeature = (typeof documentFeatures)[number];

/** One validated JSON document per (number, feature); `settings` is JSON text. */
export interface NumberSettingTable {
  number_id: number;
  feature: DocumentFeature;
  settings: string;
  updated_at: string;
}

export type NumberSettingRow = Selectable<NumberSettingTable>;
export type NewNumberSettingRow = Insertable<NumberSettingTable>;
export type NumberSettingRowUpdate = Updateable<NumberSettingTable>;
