import {
  KMSInvalidStateException,
  KMSServiceException,
  NotFoundException,
  type DescribeKeyCommandInput,
  type ScheduleKeyDeletionCommandInput,
} from '@aws-sdk/client-kms';

const meta = { $metadata: {} };
const DAY = 24 * 60 * 60 * 1000;

/** KMS keys' state and scheduled deletion, in memory (README.md beside this file). */
export class FakeKms {
  /**
   * `users`: the principals the key's policy lets use it (kms:Decrypt); unset, the fake does not model its policy and
   * lets every caller (the account's IAM policies decide, as a key policy that delegates to IAM does).
   */
  readonly keys = new Map<string, { state: string; deletionDate?: Date; users?: readonly string[] }>();
  /** The fake's now (KMS counts the pending window from the request). */
  now = new Date(Date.UTC(2026, 10, 27));

  addKey(id: string, state = 'Enabled'): void {
    this.keys.set(id, { state });
  }

  /**
   * Whether `principal` may decrypt under the key `id` (an id or ARN) in this region: the key is here and Enabled, and
   * its policy names the principal. A key's policy is its only gate when it grants no IAM delegation (AWS KMS Developer
   * Guide, "Key policies in AWS KMS": no IAM policy gives access to a key whose policy does not allow it), as the
   * standby's copies' key (lib/standby/standby-facts.ts, statement DeployersUseStandbyFacts) does.
   */
  mayDecrypt(id: string, principal: string): boolean {
    const found = this.keys.get(id.replace(/^arn:aws:kms:[^:]+:\d+:key\//, ''));
    return found !== undefined && found.state === 'Enabled' && (found.users === undefined || found.users.includes(principal));
  }

  readonly handlers = {
    ScheduleKeyDeletion: (input: ScheduleKeyDeletionCommandInput) => {
      const days = input.PendingWindowInDays ?? 30;
      if (!Number.isInteger(days) || days < 7 || days > 30)
        throw new KMSServiceException({
          name: 'ValidationException',
          $fault: 'client',
          message: `1 validation error detected: Value '${days}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value between 7 and 30`,
          ...meta,
        });
      const key = this.key(input.KeyId);
      if (key.state === 'PendingDeletion') throw new KMSInvalidStateException({ message: `${this.arn(input.KeyId!)} is pending deletion.`, ...meta });
      key.state = 'PendingDeletion';
      key.deletionDate = new Date(this.now.getTime() + days * DAY);
      return { KeyId: this.arn(input.KeyId!), DeletionDate: key.deletionDate, KeyState: 'PendingDeletion', PendingWindowInDays: days };
    },
    DescribeKey: (input: DescribeKeyCommandInput) => {
      const key = this.key(input.KeyId);
      return {
        KeyMetadata: {
          KeyId: input.KeyId,
          Arn: this.arn(input.KeyId!),
          KeyState: key.state,
          ...(key.deletionDate ? { DeletionDate: key.deletionDate } : {}),
        },
      };
    },
  };

  private arn(id: string): string {
    return id.startsWith('arn:') ? id : `arn:aws:kms:eu-west-1:111122223333:key/${id}`;
  }

  private key(id: string | undefined) {
    const bare = (id ?? '').replace(/^arn:aws:kms:[^:]+:\d+:key\//, '');
    const found = this.keys.get(bare);
    if (!found) throw new NotFoundException({ message: `Key '${this.arn(id ?? '')}' does not exist`, ...meta });
    return found;
  }
}
