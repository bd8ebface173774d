import { ChangeResourceRecordSetsCommand, GetChangeCommand } from '@aws-sdk/client-route-53';
import type { AwsClients } from './clients';
import { waitFor, type WaitBudget } from './wait';

/** A record of a name in a hosted zone, as an alias to a load balancer (Route 53 API Reference, AliasTarget). */
export interface AliasRecordChange {
  readonly zoneId: string;
  readonly name: string;
  readonly type: 'A' | 'AAAA';
  /** The load balancer's DNS name and its canonical hosted zone (not the record's zone). */
  readonly target: { readonly dnsName: string; readonly zoneId: string };
}

/**
 * Points each record at its target in one change batch per zone (UPSERT: Route 53 creates the record or replaces it,
 * Route 53 API Reference, ChangeResourceRecordSets, Action), then follows each change with GetChange until Route 53
 * says INSYNC: its authoritative servers answer with it (GetChange, ChangeInfo Status: PENDING, then INSYNC). The ids
 * of the changes and whether each reached INSYNC within the budget.
 */
export async function moveAliasRecords(
  clients: AwsClients,
  records: readonly AliasRecordChange[],
  budget: WaitBudget,
  /** Called once every batch was accepted, before the wait for INSYNC (the records have moved: a rerun must know). */
  submitted: () => void = () => undefined,
): Promise<{ readonly changeIds: string[]; readonly inSync: boolean }> {
  const zones = [...new Set(records.map((r) => r.zoneId))];
  const changeIds: string[] = [];
  for (const zone of zones) {
    const changed = await clients.route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zone,
        ChangeBatch: {
          Comment: 'rancher-ha-aws failover',
          Changes: records
            .filter((r) => r.zoneId === zone)
            .map((r) => ({
              Action: 'UPSERT' as const,
              ResourceRecordSet: {
                Name: r.name,
                Type: r.type,
                AliasTarget: { HostedZoneId: r.target.zoneId, DNSName: r.target.dnsName, EvaluateTargetHealth: true },
              },
            })),
        },
      }),
    );
    const id = changed.ChangeInfo?.Id;
    if (!id) throw new Error(`Route 53 answered ChangeResourceRecordSets in zone ${zone} without a change id.`);
    changeIds.push(id);
  }
  submitted();
  let inSync = true;
  for (const id of changeIds) {
    const synced = await waitFor(budget, async () => {
      const got = await clients.route53.send(new GetChangeCommand({ Id: id }));
      return got.ChangeInfo?.Status === 'INSYNC' ? true : undefined;
    });
    if (!synced) inSync = false;
  }
  return { changeIds, inSync };
}
