import {
  EC2ServiceException,
  type DescribeInstancesCommandInput,
  type DescribeSnapshotsCommandInput,
  type StartInstancesCommandInput,
  type StopInstancesCommandInput,
} from '@aws-sdk/client-ec2';
import { pageOf, pageSize } from './paging';

/** EC2 models no exception classes: its errors carry AWS's code as their name. */
const notFound = (ids: readonly string[]) =>
  new EC2ServiceException({
    name: 'InvalidInstanceID.NotFound',
    $fault: 'client',
    message: `The instance IDs '${ids.join(', ')}' do not exist`,
    $metadata: { httpStatusCode: 400 },
  });

/** EC2 instances' state, eventually consistent, in memory (README.md beside this file). */
export class FakeEc2 {
  /** Each instance's state, and the states it will show, one per describe, before it settles. */
  readonly instances = new Map<string, { state: string; ahead: string[] }>();
  /** After StopInstances: describes that still show the state before (eventual consistency), then `stopping` ones. */
  staleLooks = 1;
  stoppingLooks = 1;
  /** After StartInstances: describes that show `pending` before `running`. */
  pendingLooks = 1;
  /** EBS snapshots: their id, the volume they are of, and the account that owns them. */
  readonly snapshots: { id: string; volumeId: string; owner: string }[] = [];
  /** The account the fake's credentials are in (`self`). */
  account = '111122223333';

  constructor(private readonly page: () => number = () => 1000) {}

  addInstance(id: string, state = 'running'): void {
    this.instances.set(id, { state, ahead: [] });
  }

  readonly handlers = {
    StopInstances: (input: StopInstancesCommandInput) => {
      const ids = input.InstanceIds ?? [];
      const unknown = ids.filter((id) => !this.instances.has(id));
      if (unknown.length > 0) throw notFound(unknown);
      return {
        StoppingInstances: ids.map((id) => {
          const instance = this.instances.get(id)!;
          const before = instance.state;
          if (before === 'running') {
            instance.ahead = [...Array<string>(this.staleLooks).fill(before), ...Array<string>(this.stoppingLooks).fill('stopping')];
            instance.state = 'stopped';
          }
          return { InstanceId: id, PreviousState: { Name: before }, CurrentState: { Name: before === 'running' ? 'stopping' : before } };
        }),
      };
    },
    StartInstances: (input: StartInstancesCommandInput) => {
      const ids = input.InstanceIds ?? [];
      const unknown = ids.filter((id) => !this.instances.has(id));
      if (unknown.length > 0) throw notFound(unknown);
      return {
        StartingInstances: ids.map((id) => {
          const instance = this.instances.get(id)!;
          const before = instance.state;
          if (before === 'stopped') {
            instance.ahead = Array<string>(this.pendingLooks).fill('pending');
            instance.state = 'running';
          }
          return { InstanceId: id, PreviousState: { Name: before }, CurrentState: { Name: before === 'stopped' ? 'pending' : before } };
        }),
      };
    },
    DescribeSnapshots: (input: DescribeSnapshotsCommandInput) => {
      const owners = (input.OwnerIds ?? []).map((o) => (o === 'self' ? this.account : o));
      const volumes = (input.Filters ?? []).find((f) => f.Name === 'volume-id')?.Values;
      const found = this.snapshots.filter(
        (s) => (owners.length === 0 || owners.includes(s.owner)) && (volumes === undefined || volumes.includes(s.volumeId)),
      );
      const { items, next } = pageOf(found, input.NextToken, pageSize(input.MaxResults, this.page()));
      return { Snapshots: items.map((s) => ({ SnapshotId: s.id, VolumeId: s.volumeId, OwnerId: s.owner })), ...(next ? { NextToken: next } : {}) };
    },
    DescribeInstances: (input: DescribeInstancesCommandInput) => {
      const ids = input.InstanceIds ?? [];
      const unknown = ids.filter((id) => !this.instances.has(id));
      if (unknown.length > 0) throw notFound(unknown);
      const states = ids.map((id) => {
        const instance = this.instances.get(id)!;
        return { InstanceId: id, State: { Name: instance.ahead.shift() ?? instance.state } };
      });
      return { Reservations: states.length === 0 ? [] : [{ Instances: states }] };
    },
  };
}
