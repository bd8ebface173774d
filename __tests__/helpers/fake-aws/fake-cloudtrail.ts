import { CloudTrailServiceException, type LookupEventsCommandInput } from '@aws-sdk/client-cloudtrail';
import { pageOf, pageSize } from './paging';

/** CloudTrail's event history (management events) and LookupEvents over it, in memory (README.md beside this file). */
export class FakeCloudTrail {
  readonly events: { user: string; source: string; name: string; time: Date }[] = [];

  constructor(private readonly page: () => number) {}

  readonly handlers = {
    LookupEvents: (input: LookupEventsCommandInput) => {
      const max = input.MaxResults ?? 50;
      if (max < 1 || max > 50)
        throw new CloudTrailServiceException({
          name: 'InvalidMaxResultsException',
          $fault: 'client',
          message: 'MaxResults must be from 1 to 50.',
          $metadata: {},
        });
      const user = (input.LookupAttributes ?? []).find((a) => a.AttributeKey === 'Username')?.AttributeValue;
      const since = input.StartTime?.getTime() ?? 0;
      const until = input.EndTime?.getTime() ?? Number.MAX_SAFE_INTEGER;
      // Newest first, as the event history answers.
      const found = this.events
        .filter((e) => (user === undefined || e.user === user) && e.time.getTime() >= since && e.time.getTime() <= until)
        .sort((a, b) => b.time.getTime() - a.time.getTime());
      const { items, next } = pageOf(found, input.NextToken, pageSize(max, this.page()));
      return {
        Events: items.map((e) => ({ Username: e.user, EventSource: e.source, EventName: e.name, EventTime: e.time })),
        ...(next ? { NextToken: next } : {}),
      };
    },
  };
}
