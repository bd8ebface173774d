import { ResourceNotFoundException, type DeleteLogGroupCommandInput } from '@aws-sdk/client-cloudwatch-logs';

/** CloudWatch Logs' log groups, in memory (README.md beside this file). */
export class FakeLogs {
  readonly groups = new Set<string>();

  readonly handlers = {
    DeleteLogGroup: (input: DeleteLogGroupCommandInput) => {
      if (!this.groups.delete(input.logGroupName ?? ''))
        throw new ResourceNotFoundException({ message: 'The specified log group does not exist.', $metadata: {} });
      return {};
    },
  };
}
