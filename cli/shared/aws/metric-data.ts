import type * as CloudWatch from '@aws-sdk/client-cloudwatch';
import { paginateGetMetricData } from '@aws-sdk/client-cloudwatch';
import type { AwsClients } from './clients';

/** One query's data points, every page merged (timestamps with their values). */
export interface MetricSeries {
  readonly id: string;
  readonly points: readonly { readonly at: Date; readonly value: number }[];
}

/**
 * The data of some metric queries over a time range, following NextToken (GetMetricData pages a query's points, and a
 * query may appear on several pages). A period with no data has no point: an empty series is not an error.
 */
export async function metricData(
  clients: AwsClients,
  queries: readonly CloudWatch.MetricDataQuery[],
  since: Date,
  until: Date,
): Promise<MetricSeries[]> {
  const points = new Map<string, { at: Date; value: number }[]>(queries.map((q) => [q.Id ?? '', []]));
  for await (const page of paginateGetMetricData(
    { client: clients.cloudwatch },
    { MetricDataQueries: [...queries], StartTime: since, EndTime: until },
  ))
    for (const r of page.MetricDataResults ?? []) {
      const list = points.get(r.Id ?? '') ?? [];
      (r.Timestamps ?? []).forEach((at, i) => list.push({ at, value: r.Values?.[i] ?? 0 }));
      points.set(r.Id ?? '', list);
    }
  return [...points.entries()].map(([id, list]) => ({ id, points: list }));
}
