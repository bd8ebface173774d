import { hostname } from 'node:os';
import type { LeaseApi } from '../../../cli/shared/kube/leases';
import {
  acquire,
  holderAlive,
  LeaseLost,
  markOut,
  newHolder,
  readLease,
  release,
  renew,
  RESTART_LEASE,
  restoredLeaseVersion,
  ROLL_LEASE,
} from '../../../cli/shared/lease';
import { MemoryLeases } from '../../helpers/memory-leases';

// The restart Lease's acquisition and the holder check, in process (design notes, "Who may restart a server"): the
// Lease a take leaves as the API server and cert-renewal.sh read it, the API calls it makes (through the client
// layer's LeaseApi), its answers to the API server's errors, and a resumed roll's and a take-over's takes, against
// the in-memory Lease API.

const NOW = new Date('2026-11-24T12:00:00.123Z');
const ME = 'ci-runner/4242/2026-11-24T11:00:00.000Z';
const OTHER = 'ci-runner/4243/2026-11-24T11:30:00.000Z';
const EARLIER = 'ci-runner/4000/2026-11-20T11:00:00.000Z';
const FRESH = new Date(NOW.getTime() - 60_000).toISOString();
const STALE = new Date(NOW.getTime() - 2 * 3600_000).toISOString();
const ACQUIRED = '2026-11-24T10:00:00.000000Z';

function leaseObject(holder: string, renewed: string, out?: string) {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: RESTART_LEASE.name, namespace: 'kube-system', annotations: out ? { 'rancher-ha-aws/out': out } : {} },
    spec: { holderIdentity: holder, leaseDurationSeconds: 3600, acquireTime: ACQUIRED, renewTime: renewed },
  };
}

function withLease(holder: string, renewed: string, out?: string): MemoryLeases {
  const leases = new MemoryLeases();
  leases.put(leaseObject(holder, renewed, out));
  return leases;
}

type Call = keyof LeaseApi;

/**
 * A LeaseApi that records every call (its name and arguments), answering from `leases` unless `answer` gives an
 * answer first: a function run in its place (its result, or what it throws, is the call's).
 */
function recording(leases: MemoryLeases, answer?: (call: Call, args: readonly unknown[]) => (() => unknown) | undefined) {
  const calls: [Call, ...unknown[]][] = [];
  const api = leases.asApi();
  const wrap =
    (name: Call) =>
    async (...args: unknown[]): Promise<any> => {
      calls.push([name, ...args]);
      const instead = answer?.(name, args);
      return instead ? instead() : (api[name] as (...a: unknown[]) => Promise<unknown>)(...args);
    };
  const kubectl: LeaseApi = { read: wrap('read'), create: wrap('create'), replace: wrap('replace'), restoreRecord: wrap('restoreRecord') };
  return { kubectl, calls };
}

/** What the client layer throws for an API server's refusal (kube/errors.ts KubeRefused), in its words. */
const refused = (what: string, code: number, reason: string, message: string) => () => {
  throw new Error(`${what}: the API server refused it (${code} ${reason}): ${message}`);
};
/** A replace the API server refused with a Conflict (kube/leases.ts replaceLease's answer). */
const conflict = () => async () => ({ written: false, reason: 'Conflict', message: 'the object has been modified' });

const held = (leases: MemoryLeases) => leases.get(RESTART_LEASE.name);

describe('acquire: the Lease a take writes', () => {
  it('is a coordination.k8s.io/v1 Lease with the lock duration and MicroTime renew and acquire times (microseconds, as the API server prints them)', async () => {
    const leases = new MemoryLeases();
    expect(await acquire(leases.asApi(), ME, NOW, RESTART_LEASE)).toEqual({ held: true });
    const lease = held(leases);
    expect(lease.apiVersion).toBe('coordination.k8s.io/v1');
    expect(lease.kind).toBe('Lease');
    expect(lease.metadata).toMatchObject({ name: RESTART_LEASE.name, namespace: 'kube-system' });
    expect(lease.spec).toEqual({
      holderIdentity: ME,
      leaseDurationSeconds: RESTART_LEASE.seconds,
      acquireTime: '2026-11-24T12:00:00.123000Z',
      renewTime: '2026-11-24T12:00:00.123000Z',
    });
  });

  it('where there is no Lease, the create holds it at once: nothing read, nothing replaced', async () => {
    const { kubectl, calls } = recording(new MemoryLeases());
    expect(await acquire(kubectl, ME, NOW, RESTART_LEASE)).toEqual({ held: true });
    expect(calls.map(([name]) => name)).toEqual(['create']);
  });

  it('a Lease renewed exactly its duration ago is still held; a millisecond more and it is stale (as client-go: expired only after renewTime + duration)', async () => {
    const at = (msAgo: number) => withLease(OTHER, new Date(NOW.getTime() - msAgo).toISOString());
    const edge = at(3600_000);
    expect(await acquire(edge.asApi(), ME, NOW, RESTART_LEASE)).toMatchObject({ held: false, holder: OTHER, fresh: true });
    expect(held(edge).spec.holderIdentity).toBe(OTHER);
    const past = at(3600_001);
    expect(await acquire(past.asApi(), ME, NOW, RESTART_LEASE)).toEqual({ held: true });
  });

  it('a stale Lease taken starts afresh: new acquire time, no server out', async () => {
    const leases = withLease(OTHER, STALE);
    expect(await acquire(leases.asApi(), ME, NOW, RESTART_LEASE)).toEqual({ held: true });
    expect(held(leases).spec).toMatchObject({ holderIdentity: ME, acquireTime: '2026-11-24T12:00:00.123000Z' });
  });

  it('a free Lease that still names a server out is taken without the mark (only a holder or a take-over keeps it)', async () => {
    const leases = withLease('', FRESH, '10.0.1.10');
    expect(await acquire(leases.asApi(), ME, NOW, RESTART_LEASE)).toEqual({ held: true });
    expect(held(leases).metadata.annotations).toEqual({});
  });

  it('a Lease with no holderIdentity at all is free, as client-go reads a nil holder: taken at once, not after its duration', async () => {
    const leases = new MemoryLeases();
    const { holderIdentity: _none, ...spec } = leaseObject('', FRESH).spec;
    leases.put({ ...leaseObject('', FRESH), spec });
    expect(await acquire(leases.asApi(), ME, NOW, RESTART_LEASE)).toEqual({ held: true });
    expect(held(leases).spec).toMatchObject({ holderIdentity: ME });
  });

  it('a released Lease (no holder, one second) is taken back at the lock duration', async () => {
    const leases = new MemoryLeases();
    await acquire(leases.asApi(), ME, NOW, ROLL_LEASE);
    await release(leases.asApi(), ME, ROLL_LEASE);
    expect(leases.get(ROLL_LEASE.name).spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
    expect(await acquire(leases.asApi(), OTHER, NOW, ROLL_LEASE)).toEqual({ held: true });
    expect(leases.get(ROLL_LEASE.name).spec).toMatchObject({ holderIdentity: OTHER, leaseDurationSeconds: ROLL_LEASE.seconds });
  });

  it('a renewal time that cannot be read counts as held, never as stale: the acquire time is not read in its place', async () => {
    const leases = new MemoryLeases();
    leases.put({ ...leaseObject(OTHER, 'not a time'), spec: { ...leaseObject(OTHER, 'not a time').spec, acquireTime: STALE } });
    expect(await acquire(leases.asApi(), ME, NOW, RESTART_LEASE)).toMatchObject({
      held: false,
      holder: OTHER,
      renewed: 'at a time that cannot be read',
    });
    expect(held(leases).spec.holderIdentity).toBe(OTHER);
  });
});

describe('acquire: a resumed roll succeeds its own earlier process', () => {
  it("takes the earlier process's Lease with the server it marks out, keeping its acquire time", async () => {
    const leases = withLease(EARLIER, FRESH, '10.0.2.10');
    expect(await acquire(leases.asApi(), ME, NOW, RESTART_LEASE, { succeeds: EARLIER })).toEqual({ held: true });
    const lease = held(leases);
    expect(lease.spec).toMatchObject({ holderIdentity: ME, acquireTime: ACQUIRED, renewTime: '2026-11-24T12:00:00.123000Z' });
    expect(lease.metadata.annotations).toEqual({ 'rancher-ha-aws/out': '10.0.2.10' });
  });

  it('does not take a Lease another live roll holds because its state file names a different earlier holder', async () => {
    const leases = withLease(OTHER, FRESH);
    expect(await acquire(leases.asApi(), ME, NOW, RESTART_LEASE, { succeeds: EARLIER })).toMatchObject({ held: false, holder: OTHER });
    expect(held(leases).spec.holderIdentity).toBe(OTHER);
  });
});

describe('acquire: a take-over (roll --take-over)', () => {
  it('takes a Lease with a server out whose holder stopped renewing it, keeping the server named out', async () => {
    const leases = withLease(OTHER, STALE, '10.0.3.10');
    expect(await acquire(leases.asApi(), ME, NOW, RESTART_LEASE)).toMatchObject({ held: false, out: '10.0.3.10', fresh: false });
    expect(await acquire(leases.asApi(), ME, NOW, RESTART_LEASE, { takeOver: true })).toEqual({ held: true });
    expect(held(leases).spec.holderIdentity).toBe(ME);
    expect(held(leases).metadata.annotations).toEqual({ 'rancher-ha-aws/out': '10.0.3.10' });
  });

  it('never takes a Lease whose holder is still renewing it, with a server out or not', async () => {
    for (const out of ['10.0.3.10', undefined]) {
      const leases = withLease(OTHER, FRESH, out);
      expect(await acquire(leases.asApi(), ME, NOW, RESTART_LEASE, { takeOver: true })).toMatchObject({ held: false, holder: OTHER, fresh: true });
      expect(held(leases).spec.holderIdentity).toBe(OTHER);
    }
  });
});

describe('acquire and readLease: the API calls and the API server errors', () => {
  it('creates the Lease, reads it on AlreadyExists, then replaces it at the resourceVersion read', async () => {
    const leases = withLease(OTHER, STALE);
    const version = held(leases).metadata.resourceVersion;
    const { kubectl, calls } = recording(leases);
    expect(await acquire(kubectl, ME, NOW, RESTART_LEASE)).toEqual({ held: true });
    expect(calls.map(([name]) => name)).toEqual(['create', 'read', 'replace']);
    expect(calls[0][1]).toMatchObject({ namespace: 'kube-system', name: RESTART_LEASE.name, holder: ME });
    expect(calls[1].slice(1)).toEqual(['kube-system', RESTART_LEASE.name]);
    expect(calls[2][2]).toBe(version);
  });

  it('readLease: no Lease is undefined, an existing one is read, any other error stops with the error', async () => {
    const leases = new MemoryLeases();
    expect(await readLease(leases.asApi(), RESTART_LEASE)).toBeUndefined();
    leases.put(leaseObject(OTHER, FRESH, '10.0.1.10'));
    expect(await readLease(leases.asApi(), RESTART_LEASE)).toMatchObject({
      holder: OTHER,
      out: '10.0.1.10',
      renewTimeMs: Date.parse(FRESH),
      acquired: new Date(ACQUIRED),
    });
    const forbidden = recording(leases, () =>
      refused('Reading Lease kube-system/rancher-aws-server-restart', 403, 'Forbidden', 'leases is forbidden'),
    );
    await expect(readLease(forbidden.kubectl, RESTART_LEASE)).rejects.toThrow(
      /Could not read the lock \(Lease kube-system\/rancher-aws-server-restart\): .*Forbidden/,
    );
    // The client layer's error is kept as the cause (a caller tells KubeUnanswered from KubeRefused by it).
    await expect(readLease(forbidden.kubectl, RESTART_LEASE)).rejects.toHaveProperty(
      'cause.message',
      expect.stringMatching(/^Reading Lease .*Forbidden/),
    );
  });

  it('a create refused for any reason but AlreadyExists stops with the error, without reading or writing the Lease', async () => {
    const leases = new MemoryLeases();
    const { kubectl, calls } = recording(leases, (call) =>
      call === 'create' ? refused('Creating Lease kube-system/rancher-aws-server-restart', 403, 'Forbidden', 'leases is forbidden') : undefined,
    );
    await expect(acquire(kubectl, ME, NOW, RESTART_LEASE)).rejects.toThrow(/Could not create the lock .*Forbidden/);
    expect(calls).toHaveLength(1);
    await expect(acquire(kubectl, ME, NOW, RESTART_LEASE)).rejects.toHaveProperty(
      'cause.message',
      expect.stringMatching(/^Creating Lease .*Forbidden/),
    );
  });

  it('of two takers racing for a stale Lease, the one whose write conflicts reads again and does not hold it', async () => {
    const leases = withLease(EARLIER, STALE);
    let raced = false;
    const { kubectl } = recording(leases, (call) => {
      if (call === 'replace' && !raced) {
        raced = true;
        // The other taker writes first, at the version both read.
        leases.put(leaseObject(OTHER, NOW.toISOString()));
      }
      return undefined;
    });
    expect(await acquire(kubectl, ME, NOW, RESTART_LEASE)).toMatchObject({ held: false, holder: OTHER, fresh: true });
    expect(held(leases).spec.holderIdentity).toBe(OTHER);
  });
});

describe('holderAlive: one holder per living process', () => {
  const parent = process.ppid;

  afterEach(() => jest.restoreAllMocks());

  it('a live process on this machine, not this one, is alive', () => {
    expect(holderAlive(`${hostname()}/${parent}/2026-11-24T11:00:00.000Z`)).toBe(true);
  });

  it('a holder on another machine is not, whatever its pid', () => {
    expect(holderAlive(`not-${hostname()}/${parent}/2026-11-24T11:00:00.000Z`)).toBe(false);
  });

  it('this process is not (a roll running again from the same folder)', () => {
    expect(holderAlive(`${hostname()}/${process.pid}/2026-11-24T11:00:00.000Z`)).toBe(false);
  });

  it('a pid that is not all digits is not (a timer names its Node; no sign, no trailing text)', () => {
    expect(holderAlive(`${hostname()}/-1/2026-11-24T11:00:00.000Z`)).toBe(false);
    expect(holderAlive(`${hostname()}/${parent}.0/2026-11-24T11:00:00.000Z`)).toBe(false);
    expect(holderAlive(hostname())).toBe(false);
  });

  it('a process under another user (EPERM) is alive; one that is gone (ESRCH) is not', () => {
    const fail = (code: string) => () => {
      throw Object.assign(new Error(code), { code });
    };
    jest.spyOn(process, 'kill').mockImplementation(fail('EPERM'));
    expect(holderAlive(`${hostname()}/${parent}/2026-11-24T11:00:00.000Z`)).toBe(true);
    jest.spyOn(process, 'kill').mockImplementation(fail('ESRCH'));
    expect(holderAlive(`${hostname()}/${parent}/2026-11-24T11:00:00.000Z`)).toBe(false);
  });
});

describe('renew and markOut: rewrites of the Lease we hold', () => {
  it('a renewal moves the renew time and keeps the holder, the acquire time and the server out', async () => {
    const leases = withLease(ME, FRESH, '10.0.1.10');
    await renew(leases.asApi(), ME, NOW, RESTART_LEASE);
    expect(held(leases).spec).toEqual({
      holderIdentity: ME,
      leaseDurationSeconds: 3600,
      acquireTime: ACQUIRED,
      renewTime: '2026-11-24T12:00:00.123000Z',
    });
    expect(held(leases).metadata.annotations).toEqual({ 'rancher-ha-aws/out': '10.0.1.10' });
  });

  it('markOut names the server out, and undefined clears it, keeping the holder', async () => {
    const leases = withLease(ME, FRESH);
    await markOut(leases.asApi(), ME, '10.0.2.10');
    expect(held(leases).metadata.annotations).toEqual({ 'rancher-ha-aws/out': '10.0.2.10' });
    await markOut(leases.asApi(), ME, undefined);
    expect(held(leases).metadata.annotations).toEqual({});
    expect(held(leases).spec).toMatchObject({ holderIdentity: ME, acquireTime: ACQUIRED });
  });

  it('a Lease that is no longer ours stops the actor (LeaseLost, naming who holds it) and is left as it is', async () => {
    const taken = withLease(OTHER, FRESH, '10.0.1.10');
    await expect(renew(taken.asApi(), ME, NOW, RESTART_LEASE)).rejects.toThrow(LeaseLost);
    await expect(markOut(taken.asApi(), ME, undefined)).rejects.toThrow(`${OTHER} holds it now`);
    await expect(renew(withLease('', FRESH).asApi(), ME, NOW, RESTART_LEASE)).rejects.toThrow('nobody holds it now');
    await expect(renew(new MemoryLeases().asApi(), ME, NOW, RESTART_LEASE)).rejects.toThrow(/it was deleted\. Stopping here/);
    expect(taken.writes).toBe(0);
    expect(held(taken).metadata.annotations).toEqual({ 'rancher-ha-aws/out': '10.0.1.10' });
  });

  it('a concurrent write is read again and the renewal applied to it; a Lease that keeps changing stops with an error', async () => {
    const leases = withLease(ME, FRESH);
    let conflicts = 1;
    const once = recording(leases, (call) => (call === 'replace' && conflicts-- > 0 ? conflict() : undefined));
    await renew(once.kubectl, ME, NOW, RESTART_LEASE);
    expect(held(leases).spec.renewTime).toBe('2026-11-24T12:00:00.123000Z');
    expect(once.calls.filter((call) => call[0] === 'replace')).toHaveLength(2);
    const always = recording(leases, (call) => (call === 'replace' ? conflict() : undefined));
    await expect(renew(always.kubectl, ME, NOW, RESTART_LEASE)).rejects.toThrow(/Could not renew the lock .*kept changing/);
    expect(always.calls.filter((call) => call[0] === 'replace')).toHaveLength(3);
  });

  it('a write refused for another reason stops with the error', async () => {
    const leases = withLease(ME, FRESH);
    const { kubectl } = recording(leases, (call) =>
      call === 'replace' ? refused('Replacing Lease kube-system/rancher-aws-server-restart', 403, 'Forbidden', 'leases is forbidden') : undefined,
    );
    await expect(renew(kubectl, ME, NOW, RESTART_LEASE)).rejects.toThrow(
      /Could not write the lock \(Lease kube-system\/rancher-aws-server-restart\): .*Forbidden/,
    );
    await expect(renew(kubectl, ME, NOW, RESTART_LEASE)).rejects.toHaveProperty(
      'cause.message',
      expect.stringMatching(/^Replacing Lease .*Forbidden/),
    );
  });

  it('a Lease served without a resourceVersion is never written unconditionally: acquire, renew and release stop with the refusal', async () => {
    // Only a broken server or proxy serves one so; the client layer reads its version as '' (kube/leases.ts leaseOf).
    const unversioned = (leases: MemoryLeases) =>
      recording(leases, (call) =>
        call === 'read' ? async () => ({ ...(await leases.asApi().read('kube-system', RESTART_LEASE.name))!, resourceVersion: '' }) : undefined,
      ).kubectl;
    const refusal = /Could not write the lock .*without a resourceVersion/;
    const stale = withLease(OTHER, STALE);
    await expect(acquire(unversioned(stale), ME, NOW, RESTART_LEASE)).rejects.toThrow(refusal);
    const mine = withLease(ME, FRESH);
    await expect(renew(unversioned(mine), ME, NOW, RESTART_LEASE)).rejects.toThrow(refusal);
    await expect(release(unversioned(mine), ME, RESTART_LEASE)).rejects.toThrow(refusal);
    expect(stale.writes + mine.writes).toBe(0);
  });
});

describe('release: the lock given back', () => {
  it('leaves the Lease with no holder, a one-second duration, no acquire time and no server out', async () => {
    const leases = withLease(ME, FRESH, '10.0.1.10');
    await release(leases.asApi(), ME, RESTART_LEASE);
    const lease = held(leases);
    expect(lease.spec).toEqual({ holderIdentity: '', leaseDurationSeconds: 1, renewTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:]+\.\d{6}Z$/) });
    expect(lease.metadata.annotations).toEqual({});
  });

  it('a Lease someone else holds, or none, is left alone', async () => {
    const taken = withLease(OTHER, FRESH, '10.0.1.10');
    await release(taken.asApi(), ME, RESTART_LEASE);
    expect(taken.writes).toBe(0);
    expect(held(taken).spec.holderIdentity).toBe(OTHER);
    const none = new MemoryLeases();
    await release(none.asApi(), ME, RESTART_LEASE);
    expect(none.get(RESTART_LEASE.name)).toBeUndefined();
  });

  it('a concurrent write is read again: released if still ours', async () => {
    const leases = withLease(ME, FRESH);
    let conflicts = 1;
    const { kubectl } = recording(leases, (call) => (call === 'replace' && conflicts-- > 0 ? conflict() : undefined));
    await release(kubectl, ME, RESTART_LEASE);
    expect(held(leases).spec.holderIdentity).toBe('');
  });

  it('a Lease that changes under every write is given up after three, left to lapse (never retried without end)', async () => {
    const leases = withLease(ME, FRESH);
    let replaces = 0;
    const { kubectl } = recording(leases, (call) => {
      if (call !== 'replace') return undefined;
      // Bounds a mutant that never stops retrying: the tenth write fails the case instead of hanging it.
      if (++replaces >= 10) throw new Error('release kept writing');
      return conflict();
    });
    await release(kubectl, ME, RESTART_LEASE);
    expect(replaces).toBe(3);
    expect(held(leases).spec.holderIdentity).toBe(ME);
  });
});

describe('acquire: racing takers and the holder name', () => {
  it('a Lease that changes under every one of three writes is not held, and says another taker wrote first', async () => {
    const leases = withLease(OTHER, STALE);
    const { kubectl, calls } = recording(leases, (call) => (call === 'replace' ? conflict() : undefined));
    expect(await acquire(kubectl, ME, NOW, RESTART_LEASE)).toEqual({ held: false, holder: 'another taker (it wrote the Lease first)', renewed: '' });
    expect(calls.filter((call) => call[0] === 'replace')).toHaveLength(3);
  });

  it('newHolder names this machine, this process and when it started', () => {
    expect(newHolder()).toMatch(new RegExp(`^${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/${process.pid}/\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z$`));
  });
});

describe('after a restore from a snapshot', () => {
  const answering = (answer: () => unknown) => recording(new MemoryLeases(), () => answer);

  it("restoredLeaseVersion reads the restore record's restoredLeaseVersion from ConfigMap kube-system/rancher-aws-restore", async () => {
    const { kubectl, calls } = answering(async () => ({ restoredLeaseVersion: '812\n', restoredAt: '2026-11-24T11:00:00Z' }));
    expect(await restoredLeaseVersion(kubectl)).toBe('812');
    expect(calls).toEqual([['restoreRecord', 'kube-system', 'rancher-aws-restore']]);
  });

  it("no record, a record that cannot be read, a snapshot that held no Lease (empty), or an earlier version's record (restoredAt only) names no Lease", async () => {
    expect(await restoredLeaseVersion(answering(async () => undefined).kubectl)).toBeUndefined();
    expect(
      await restoredLeaseVersion(answering(refused('Reading ConfigMap kube-system/rancher-aws-restore', 403, 'Forbidden', 'forbidden')).kubectl),
    ).toBeUndefined();
    expect(await restoredLeaseVersion(answering(async () => ({ restoredLeaseVersion: '' })).kubectl)).toBeUndefined();
    expect(await restoredLeaseVersion(answering(async () => ({ restoredAt: '2026-11-24T11:00:00Z' })).kubectl)).toBeUndefined();
  });

  it("a Lease still at the restore's version is taken whatever it marks, the mark cleared (a take-over too), held or not; one written since is not, whatever its renewTime", async () => {
    // A free Lease that still marks a server keeps the mark under a take-over (above), but not when the restore put it back.
    for (const [holder, takeOver] of [
      [OTHER, false],
      [OTHER, true],
      ['', true],
    ] as const) {
      const before = withLease(holder, STALE, '10.0.1.10');
      const version = before.get(RESTART_LEASE.name).metadata.resourceVersion;
      expect(await acquire(before.asApi(), ME, NOW, RESTART_LEASE, { restoredVersion: version, takeOver })).toEqual({ held: true });
      expect(held(before).spec.holderIdentity).toBe(ME);
      expect(held(before).metadata.annotations).toEqual({});
    }
    const heldBefore = withLease(OTHER, FRESH);
    expect(
      await acquire(heldBefore.asApi(), ME, NOW, RESTART_LEASE, { restoredVersion: heldBefore.get(RESTART_LEASE.name).metadata.resourceVersion }),
    ).toEqual({
      held: true,
    });
    // Written since the record (its renewTime a day old: a machine whose clock is behind): another version.
    const since = withLease(OTHER, new Date(NOW.getTime() - 86_400_000).toISOString(), '10.0.1.10');
    const recorded = since.get(RESTART_LEASE.name).metadata.resourceVersion;
    since.put(since.get(RESTART_LEASE.name));
    expect(await acquire(since.asApi(), ME, NOW, RESTART_LEASE, { restoredVersion: recorded })).toMatchObject({ held: false, holder: OTHER });
  });
});
