import type { BulkForwardingState } from '@ipvoice/db';

/** Base of every error this package throws on purpose. */
export class ForwardingOpsError extends Error {
  override readonly name: string = 'ForwardingOpsError';
}

export class BulkForwardingGroupNotFoundError extends ForwardingOpsError {
  override readonly name = 'BulkForwardingGroupNotFoundError';

  constructor(readonly groupId: number) {
    super(`bulk-forwarding group ${groupId} does not exist`);
  }
}

export type BulkForwardingRefusal = 'in-progress' | 'already-started' | 'already-stopped';

/**
 * SPEC §3.3: a start or stop is refused while the group is `starting`/`stopping`, and when
 * it is already where the operation would take it. The message is meant for the administrator.
 */
export class BulkForwardingRefusedError extends ForwardingOpsError {
  override readonly name = 'BulkForwardingRefusedError';
  readonly refusal: BulkForwardingRefusal;

  constructor(
    readonly groupId: number,
    readonly groupName: string,
    readonly groupState: BulkForwardingState,
  ) {
    const refusal: BulkForwardingRefusal =
      groupState === 'starting' || groupState === 'stopping'
        ? 'in-progress'
        : groupState === 'started'
          ? 'already-started'
          : 'already-stopped';
    super(
      refusal === 'in-progress'
        ? `bulk-forwarding group "${groupName}" is being ${groupState === 'starting' ? 'started' : 'stopped'} by another operation; try again when it has finished`
        : `bulk-forwarding group "${groupName}" is already ${groupState}`,
    );
    this.refusal = refusal;
  }
}

/**
 * A start or stop that failed after it began. The operation is recorded as `failed` and the
 * group is back in the state it had before; no result or history row of it remains.
 */
export class BulkForwardingFailedError extends ForwardingOpsError {
  override readonly name = 'BulkForwardingFailedError';

  constructor(
    readonly groupId: number,
    readonly operationId: number | undefined,
    readonly groupState: BulkForwardingState | undefined,
    options: { cause: unknown; restored: boolean; kind: 'start' | 'stop' },
  ) {
    super(
      options.restored
        ? `the bulk-forwarding ${options.kind} of group ${groupId} failed; the group is ${groupState ?? 'unchanged'} as before`
        : `the bulk-forwarding ${options.kind} of group ${groupId} failed and the group could not be put back; it may stay ${options.kind === 'start' ? 'starting' : 'stopping'} until an operator resets it`,
      { cause: options.cause },
    );
  }
}
