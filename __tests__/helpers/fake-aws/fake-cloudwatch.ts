import type { GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';

/** CloudWatch's metric data, in memory (README.md beside this file): each query id's points, answered in pages. */
export class FakeCloudWatch {
  /** The points each query id answers (the fake does not compute statistics: a test gives the result). */
  readonly results = new Map<string, { at: Date; value: number }[]>();

  constructor(private readonly page: () => number) {}

  readonly handlers = {
    GetMetricData: (input: GetMetricDataCommandInput) => {
      // A page holds at most `page` points in all; a query whose points go on is answered again on the next page.
      const start = Number((input.NextToken ?? 'page-0').slice('page-'.length));
      const all = (input.MetricDataQueries ?? []).flatMap((q) => (this.results.get(q.Id ?? '') ?? []).map((p) => ({ id: q.Id ?? '', ...p })));
      const items = all.slice(start, start + this.page());
      const ids = [...new Set(items.map((p) => p.id))];
      return {
        MetricDataResults: ids.map((Id) => {
          const points = items.filter((p) => p.id === Id);
          return { Id, Timestamps: points.map((p) => p.at), Values: points.map((p) => p.value), StatusCode: 'Complete' };
        }),
        ...(start + this.page() < all.length ? { NextToken: `page-${start + this.page()}` } : {}),
      };
    },
  };
}
