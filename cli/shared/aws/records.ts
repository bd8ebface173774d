import { ChangeResourceRecordSetsCommand, GetChangeCommand } from '@aws-sdk/client-route-53';
import type { RecordChange } from '../hostname-record';
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
 * Told as each zone's batch is accepted, before the next zone's is sent: from then on that zone's records lead to the
 * target. A move over several hosted zones (a public and a private zone of the name) interrupted between two zones
 * has moved the first only; the caller records each zone as it moves, so a rerun knows which zones the name already
 * leads to the target in (`submitted` is told once, after the last).
 */
export type ZoneMoved = (zoneId: string, changeId: string) => void;

/** The wait for INSYNC, and who is told of each zone moved. */
export interface MoveBudget extends WaitBudget {
  readonly zoneMoved?: ZoneMoved;
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
  budget: MoveBudget,
  /** Called once every batch was accepted, before the wait for INSYNC (the records have moved: a rerun must know). */
  submitted: () => void = () => undefined,
): Promise<{ readonly changeIds: string[]; readonly inSync: boolean }> {
  const zones = [...new Set(records.map((r) => r.zoneId))];
  const batches = zones.map((zoneId) => ({
    zoneId,
    changes: records
      .filter((r) => r.zoneId === zoneId)
      .map((r) => ({
        Action: 'UPSERT' as const,
        ResourceRecordSet: {
          Name: r.name,
          Type: r.type,
          AliasTarget: { HostedZoneId: r.target.zoneId, DNSName: r.target.dnsName, EvaluateTargetHealth: true },
        },
      })),
  }));
  return changeRecordSets(clients, batches, budget, submitted);
}

/**
 * Each batch of changes submitted in its zone as one ChangeResourceRecordSets (all of it or none), then each change
 * followed with GetChange until INSYNC, as moveAliasRecords does: k8s-ha's record moved to a target of another type
 * (cli/shared/hostname-record.ts, recordMove).
 */
export async function changeRecordSets(
  clients: AwsClients,
  batches: readonly { readonly zoneId: string; readonly changes: readonly RecordChange[] }[],
  budget: MoveBudget,
  submitted: () => void = () => undefined,
): Promise<{ readonly changeIds: string[]; readonly inSync: boolean }> {
  const changeIds: string[] = [];
  for (const { zoneId, changes } of batches) {
    const changed = await clients.route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: {
          Comment: 'rancher-ha-aws failover',
          Changes: changes.map(({ Action, ResourceRecordSet: { ResourceRecords, ...set } }) => ({
            Action,
            ResourceRecordSet: { ...set, ...(ResourceRecords ? { ResourceRecords: [...ResourceRecords] } : {}) },
          })),
        },
      }),
    );
    const id = changed.ChangeInfo?.Id;
    if (!id) throw new Error(`Route 53 answered ChangeResourceRecordSets in zone ${zoneId} without a change id.`);
    changeIds.push(id);
    budget.zoneMoved?.(zoneId, id);
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
