import type { AccessLineTable } from './tables/access-line.table.ts';
import type { BulkForwardingGroupTable } from './tables/bulk-forwarding-group.table.ts';
import type { BulkForwardingMemberTable } from './tables/bulk-forwarding-member.table.ts';
import type { BulkForwardingOperationTable } from './tables/bulk-forwarding-operation.table.ts';
import type { BulkForwardingResultTable } from './tables/bulk-forwarding-result.table.ts';
import type { CallRecordTable } from './tables/call-record.table.ts';
import type { ForwardingPatternTable } from './tables/forwarding-pattern.table.ts';
import type { ForwardingScheduleEntryTable } from './tables/forwarding-schedule-entry.table.ts';
import type { ForwardingScheduleStateTable } from './tables/forwarding-schedule-state.table.ts';
import type { ForwardingSettingTable } from './tables/forwarding-setting.table.ts';
import type { HuntGroupMemberTable } from './tables/hunt-group-member.table.ts';
import type { HuntGroupTable } from './tables/hunt-group.table.ts';
import type { MailQueueTable } from './tables/mail-queue.table.ts';
import type { NumberSettingTable } from './tables/number-setting.table.ts';
import type { NumberTable } from './tables/number.table.ts';
import type { ScreeningCounterTable } from './tables/screening-counter.table.ts';
import type { SettingHistoryTable } from './tables/setting-history.table.ts';
import type { SipCredentialTable } from './tables/sip-credential.table.ts';
import type { SiteTable } from './tables/site.table.ts';
import type { SubscriptionTable } from './tables/subscription.table.ts';
import type { VoiceGroupTable } from './tables/voice-group.table.ts';

/** Every table of the schema, as kysely sees it. */
export interface Database {
  voice_groups: VoiceGroupTable;
  sites: SiteTable;
  access_lines: AccessLineTable;
  numbers: NumberTable;
  sip_credentials: SipCredentialTable;
  subscriptions: SubscriptionTable;
  forwarding_settings: ForwardingSettingTable;
  forwarding_patterns: ForwardingPatternTable;
  forwarding_schedule_entries: ForwardingScheduleEntryTable;
  number_settings: NumberSettingTable;
  hunt_groups: HuntGroupTable;
  hunt_group_members: HuntGroupMemberTable;
  bulk_forwarding_groups: BulkForwardingGroupTable;
  bulk_forwarding_members: BulkForwardingMemberTable;
  call_records: CallRecordTable;
  forwarding_schedule_state: ForwardingScheduleStateTable;
  setting_history: SettingHistoryTable;
  bulk_forwarding_operations: BulkForwardingOperationTable;
  bulk_forwarding_results: BulkForwardingResultTable;
  screening_counters: ScreeningCounterTable;
  mail_queue: MailQueueTable;
}
