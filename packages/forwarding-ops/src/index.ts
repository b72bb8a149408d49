export type { ForwardingOpsDeps, Logger } from './deps.ts';
export {
  ForwardingOpsError,
  BulkForwardingGroupNotFoundError,
  BulkForwardingRefusedError,
  BulkForwardingFailedError,
  type BulkForwardingRefusal,
} from './errors.ts';
export {
  startBulkForwarding,
  stopBulkForwarding,
  bulkForwardingFeature,
  type BulkOperationResult,
} from './bulk-forwarding.ts';
export {
  startOutcome,
  stopOutcome,
  stopReasons,
  type EffectiveTarget,
  type MemberFacts,
  type MemberOutcome,
} from './member-outcome.ts';
export { bulkResultCsv, loadBulkResultCsv } from './result-csv.ts';
export {
  recoverStaleBulkOperations,
  defaultStaleBulkOperationMs,
  type BulkRecoveryReport,
  type RecoveredBulkGroup,
} from './recover.ts';
