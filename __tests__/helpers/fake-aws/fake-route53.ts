import {
  InvalidChangeBatch,
  InvalidInput,
  NoSuchChange,
  NoSuchHostedZone,
  type ChangeResourceRecordSetsCommandInput,
  type GetChangeCommandInput,
} from '@aws-sdk/client-route-53';

const meta = { $metadata: {} };

/** A record as the fake keeps it: Route 53 names end in a dot (it stores every name fully qualified). */
export interface FakeRecord {
  readonly Name: string;
  readonly Type: string;
  readonly AliasTarget?: { readonly HostedZoneId: string; readonly DNSName: string; readonly EvaluateTargetHealth: boolean };
  readonly ResourceRecords?: readonly { readonly Value: string }[];
  readonly TTL?: number;
  /** Failover routing: the record's role, its set identifier and its health check (ResourceRecordSet). */
  readonly Failover?: 'PRIMARY' | 'SECONDARY';
  readonly SetIdentifier?: string;
  readonly HealthCheckId?: string;
}

/** A health check on a CloudWatch alarm (HealthCheckConfig, Type CLOUDWATCH_METRIC), as the world keeps it. */
export interface FakeHealthCheck {
  readonly alarmName: string;
  readonly alarmRegion: string;
  readonly insufficientDataHealthStatus?: 'Healthy' | 'Unhealthy' | 'LastKnownStatus';
}

/** The one rule of what Route 53 answers, shared with the stubs (ops-stubs/route53-answer.js). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { answer } = require('../ops-stubs/route53-answer.js') as {
  answer: (zones: unknown, healthChecks: unknown, alarms: unknown, name: string, type: string) => FakeRecord | undefined;
};

/** Route 53's hosted zones and changes (README.md, "Route 53"). Plain objects: the fake cloud keeps them in its world. */
export class FakeRoute53 {
  /** Hosted zones by id (without `/hostedzone/`), each with its records. */
  zones: Record<string, { records: FakeRecord[] }> = {};
  /** Changes by id (without `/change/`): how many GetChange looks each stays PENDING. */
  changes: Record<string, { pendingLooks: number; submittedAt: string }> = {};
  /** How many GetChange looks a new change answers PENDING before INSYNC. */
  pendingLooks = 1;
  /** Health checks by id: the ones on an alarm (failover routing's). */
  healthChecks: Record<string, FakeHealthCheck> = {};
  /** CloudWatch's alarms of every region, which the health checks follow (the fake AWS gives its CloudWatch's). */
  alarms: () => Record<string, { region?: string; state: string; lastData?: string }> = () => ({});

  readonly handlers = {
    ChangeResourceRecordSets: (input: ChangeResourceRecordSetsCommandInput) => {
      const zoneId = stripped(String(input.HostedZoneId), 'hostedzone');
      const zone = this.zones[zoneId];
      if (!zone) throw new NoSuchHostedZone({ message: `No hosted zone found with ID: ${zoneId}`, ...meta, $metadata: { httpStatusCode: 404 } });
      const changes = input.ChangeBatch?.Changes ?? [];
      if (changes.length === 0) throw new InvalidInput({ message: 'ChangeBatch.Changes must have at least 1 item', ...meta });
      // Every change of the batch applies, or none (Route 53 API Reference, ChangeResourceRecordSets: a batch is
      // transactional): validated against a copy first.
      const records = [...zone.records];
      for (const change of changes) {
        const set = change.ResourceRecordSet!;
        const name = fqdn(String(set.Name));
        // A record set is its name, type and set identifier (ChangeResourceRecordSets: UPSERT updates the set whose
        // Name, Type and SetIdentifier match).
        const at = records.findIndex((r) => r.Name === name && r.Type === set.Type && r.SetIdentifier === set.SetIdentifier);
        const alias = set.AliasTarget;
        if (alias && (set.ResourceRecords?.length || set.TTL !== undefined))
          throw new InvalidChangeBatch({ message: `Alias record ${name} ${set.Type} cannot have ResourceRecords or a TTL`, ...meta });
        if (alias && (!alias.HostedZoneId || !alias.DNSName || alias.EvaluateTargetHealth === undefined))
          throw new InvalidChangeBatch({ message: `Alias target of ${name} needs HostedZoneId, DNSName and EvaluateTargetHealth`, ...meta });
        const record: FakeRecord = {
          Name: name,
          Type: String(set.Type),
          ...(alias
            ? { AliasTarget: { HostedZoneId: alias.HostedZoneId!, DNSName: fqdn(alias.DNSName!), EvaluateTargetHealth: alias.EvaluateTargetHealth! } }
            : { ResourceRecords: (set.ResourceRecords ?? []).map((r) => ({ Value: String(r.Value) })), TTL: set.TTL }),
          ...(set.Failover ? { Failover: set.Failover as FakeRecord['Failover'] } : {}),
          ...(set.SetIdentifier ? { SetIdentifier: set.SetIdentifier } : {}),
          ...(set.HealthCheckId ? { HealthCheckId: set.HealthCheckId } : {}),
        };
        if (Boolean(set.Failover) !== Boolean(set.SetIdentifier))
          throw new InvalidInput({ message: `Invalid request: a failover record set of ${name} needs both Failover and SetIdentifier`, ...meta });
        if (change.Action === 'CREATE') {
          if (at >= 0)
            throw new InvalidChangeBatch({
              message: `[Tried to create resource record set [name='${name}', type='${set.Type}'] but it already exists]`,
              ...meta,
            });
          records.push(record);
        } else if (change.Action === 'UPSERT') {
          if (at >= 0) records[at] = record;
          else records.push(record);
        } else if (change.Action === 'DELETE') {
          if (at < 0)
            throw new InvalidChangeBatch({
              message: `[Tried to delete resource record set [name='${name}', type='${set.Type}'] but it was not found]`,
              ...meta,
            });
          // A delete names the record as it is: every value, the TTL, the alias (ChangeResourceRecordSets, Action DELETE).
          if (JSON.stringify(comparable(records[at])) !== JSON.stringify(comparable(record)))
            throw new InvalidChangeBatch({
              message: `[Tried to delete resource record set [name='${name}', type='${set.Type}'] but the values provided do not match the current values]`,
              ...meta,
            });
          records.splice(at, 1);
        } else throw new InvalidInput({ message: `Invalid Action ${String(change.Action)}`, ...meta });
        // A CNAME coexists with no other record of its name (RFC 1912 section 2.4); Route 53 refuses the change that
        // would make them meet, whatever its Action (aws/aws-sdk-java#1996: an UPSERT of a CNAME over an A).
        if (change.Action !== 'DELETE') {
          // A name and type are either one simple record set or sets of one routing policy (Route 53 Developer Guide,
          // "Choosing a routing policy": records of a name and type share one policy); the fake's words.
          const mixed = records.find((r) => r.Name === name && r.Type === record.Type && Boolean(r.SetIdentifier) !== Boolean(record.SetIdentifier));
          if (mixed)
            throw new InvalidChangeBatch({
              message: `[RRSet with DNS name ${name}, type ${record.Type}${record.SetIdentifier ? `, SetIdentifier ${record.SetIdentifier}` : ''} cannot be created as ${record.SetIdentifier ? 'a non-failover' : 'a failover'} set exists with the same name and type.]`,
              ...meta,
            });
          const clash = records.find((r) => r.Name === name && r.Type !== record.Type && (r.Type === 'CNAME' || record.Type === 'CNAME'));
          if (clash)
            throw new InvalidChangeBatch({
              message: `RRSet of type ${record.Type} with DNS name ${name} is not permitted as it conflicts with other records with the same DNS name in zone`,
              ...meta,
            });
        }
      }
      zone.records = records;
      const id = `C${String(Object.keys(this.changes).length + 1).padStart(12, '0')}`;
      const submittedAt = new Date().toISOString();
      this.changes[id] = { pendingLooks: this.pendingLooks, submittedAt };
      return { ChangeInfo: { Id: `/change/${id}`, Status: 'PENDING', SubmittedAt: new Date(submittedAt), Comment: input.ChangeBatch?.Comment } };
    },
    GetChange: (input: GetChangeCommandInput) => {
      const id = stripped(String(input.Id), 'change');
      const change = this.changes[id];
      if (!change)
        throw new NoSuchChange({
          message: `A change with the specified change ID does not exist: ${id}`,
          ...meta,
          $metadata: { httpStatusCode: 404 },
        });
      const pending = change.pendingLooks > 0;
      if (pending) change.pendingLooks -= 1;
      return { ChangeInfo: { Id: `/change/${id}`, Status: pending ? 'PENDING' : 'INSYNC', SubmittedAt: new Date(change.submittedAt) } };
    },
  };

  /** The record a resolver gets for `name` and `type`: failover routing followed (ops-stubs/route53-answer.js). */
  answer(name: string, type: string): FakeRecord | undefined {
    return answer(this.zones, this.healthChecks, this.alarms(), name, type);
  }

  /** The record of `name` and `type` in a zone, or undefined. */
  record(zoneId: string, name: string, type: string): FakeRecord | undefined {
    return this.zones[zoneId]?.records.find((r) => r.Name === fqdn(name) && r.Type === type);
  }
}

/** What a DELETE must match of a record: its alias or its values and TTL (names and alias targets fully qualified). */
const comparable = (r: FakeRecord) =>
  r.AliasTarget
    ? { alias: { ...r.AliasTarget, DNSName: fqdn(r.AliasTarget.DNSName) } }
    : { ttl: r.TTL, values: (r.ResourceRecords ?? []).map((v) => v.Value.replace(/\.$/, '').toLowerCase()).sort() };

/** A name fully qualified, as Route 53 keeps and answers it. */
const fqdn = (name: string) => (name.endsWith('.') ? name : `${name}.`).toLowerCase();
/** An id without its resource prefix (`/hostedzone/Z1` and `Z1` name the same zone). */
const stripped = (id: string, kind: string) => id.replace(new RegExp(`^/?${kind}/`), '');
