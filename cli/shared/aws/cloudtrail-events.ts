import { paginateLookupEvents } from '@aws-sdk/client-cloudtrail';
import type { AwsClients } from './clients';

/** LookupEvents answers at most 50 events a page. */
const PAGE = 50;

/**
 * The management events of one user between two times in the region's event history, as `<source> <name>` pairs,
 * all pages (a busy account has thousands: each page carries a NextToken until the last).
 */
export async function eventsBy(clients: AwsClients, user: string, since: Date, until: Date): Promise<{ source: string; name: string }[]> {
  const events: { source: string; name: string }[] = [];
  for await (const page of paginateLookupEvents(
    { client: clients.cloudtrail, pageSize: PAGE },
    { LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: user }], StartTime: since, EndTime: until },
  ))
    for (const e of page.Events ?? []) if (e.EventSource && e.EventName) events.push({ source: e.EventSource, name: e.EventName });
  return events;
}
