import { hostname } from 'node:os';
import type { Kubectl } from '../../../cli/shared/kubectl';
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
// Lease a take leaves as the API server and cert-renewal.sh read it, the kubectl calls it makes, its answers to the
// API server's errors, and a resumed roll's and a take-over's takes, against the in-memory Lease API.

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

/** A Kubectl that records every call, answering from `leases` unless `answer` answers first. */
function recording(leases: MemoryLeases, answer?: (args: readonly string[]) => { ok: boolean; stdout: string; stderr: string } | undefined) {
  const calls: string[][] = [];
  const kubectl = {
    tryCall(args: readonly string[], options: { input?: string } = {}) {
      calls.push([...args]);
      return answer?.(args) ?? leases.tryCall(args, options);
    },
  } as unknown as Kubectl;
  return { kubectl, calls };
}

const held = (leases: MemoryLeases) => leases.get(RESTART_LEASE.name);

describe('acquire: the Lease a take writes', () => {
  it('is a coordination.k8s.io/v1 Lease with the lock duration and MicroTime renew and acquire times (microseconds, as the API server prints them)', () => {
    const leases = new MemoryLeases();
    expect(acquire(leases.asKubectl(), ME, NOW, RESTART_LEASE)).toEqual({ held: true });
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

  it('a stale Lease taken starts afresh: new acquire time, no server out', () => {
    const leases = withLease(OTHER, STALE);
    expect(acquire(leases.asKubectl(), ME, NOW, RESTART_LEASE)).toEqual({ held: true });
    expect(held(leases).spec).toMatchObject({ holderIdentity: ME, acquireTime: '2026-11-24T12:00:00.123000Z' });
  });

  it('a free Lease that still names a server out is taken without the mark (only a holder or a take-over keeps it)', () => {
    const leases = withLease('', FRESH, '10.0.1.10');
    expect(acquire(leases.asKubectl(), ME, NOW, RESTART_LEASE)).toEqual({ held: true });
    expect(held(leases).metadata.annotations).toEqual({});
  });

  it('a Lease with no holderIdentity at all is free, as client-go reads a nil holder: taken at once, not after its duration', () => {
    const leases = new MemoryLeases();
    const { holderIdentity: _none, ...spec } = leaseObject('', FRESH).spec;
    leases.put({ ...leaseObject('', FRESH), spec });
    expect(acquire(leases.asKubectl(), ME, NOW, RESTART_LEASE)).toEqual({ held: true });
    expect(held(leases).spec).toMatchObject({ holderIdentity: ME });
  });

  it('a released Lease (no holder, one second) is taken back at the lock duration', () => {
    const leases = new MemoryLeases();
    acquire(leases.asKubectl(), ME, NOW, ROLL_LEASE);
    release(leases.asKubectl(), ME, ROLL_LEASE);
    expect(leases.get(ROLL_LEASE.name).spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
    expect(acquire(leases.asKubectl(), OTHER, NOW, ROLL_LEASE)).toEqual({ held: true });
    expect(leases.get(ROLL_LEASE.name).spec).toMatchObject({ holderIdentity: OTHER, leaseDurationSeconds: ROLL_LEASE.seconds });
  });
});

describe('acquire: a resumed roll succeeds its own earlier process', () => {
  it("takes the earlier process's Lease with the server it marks out, keeping its acquire time", () => {
    const leases = withLease(EARLIER, FRESH, '10.0.2.10');
    expect(acquire(leases.asKubectl(), ME, NOW, RESTART_LEASE, { succeeds: EARLIER })).toEqual({ held: true });
    const lease = held(leases);
    expect(lease.spec).toMatchObject({ holderIdentity: ME, acquireTime: ACQUIRED, renewTime: '2026-11-24T12:00:00.123000Z' });
    expect(lease.metadata.annotations).toEqual({ 'rancher-ha-aws/out': '10.0.2.10' });
  });

  it('does not take a Lease another live roll holds because its state file names a different earlier holder', () => {
    const leases = withLease(OTHER, FRESH);
    expect(acquire(leases.asKubectl(), ME, NOW, RESTART_LEASE, { succeeds: EARLIER })).toMatchObject({ held: false, holder: OTHER });
    expect(held(leases).spec.holderIdentity).toBe(OTHER);
  });
});

describe('acquire: a take-over (roll --take-over)', () => {
  it('takes a Lease with a server out whose holder stopped renewing it, keeping the server named out', () => {
    const leases = withLease(OTHER, STALE, '10.0.3.10');
    expect(acquire(leases.asKubectl(), ME, NOW, RESTART_LEASE)).toMatchObject({ held: false, out: '10.0.3.10', fresh: false });
    expect(acquire(leases.asKubectl(), ME, NOW, RESTART_LEASE, { takeOver: true })).toEqual({ held: true });
    expect(held(leases).spec.holderIdentity).toBe(ME);
    expect(held(leases).metadata.annotations).toEqual({ 'rancher-ha-aws/out': '10.0.3.10' });
  });

  it('never takes a Lease whose holder is still renewing it, with a server out or not', () => {
    for (const out of ['10.0.3.10', undefined]) {
      const leases = withLease(OTHER, FRESH, out);
      expect(acquire(leases.asKubectl(), ME, NOW, RESTART_LEASE, { takeOver: true })).toMatchObject({ held: false, holder: OTHER, fresh: true });
      expect(held(leases).spec.holderIdentity).toBe(OTHER);
    }
  });
});

describe('acquire and readLease: the kubectl calls and the API server errors', () => {
  it('creates with `kubectl create -f -`, reads with `-n kube-system get lease <name> -o json`, writes with `kubectl replace -f -`', () => {
    const leases = withLease(OTHER, STALE);
    const { kubectl, calls } = recording(leases);
    expect(acquire(kubectl, ME, NOW, RESTART_LEASE)).toEqual({ held: true });
    expect(calls).toEqual([
      ['create', '-f', '-'],
      ['-n', 'kube-system', 'get', 'lease', RESTART_LEASE.name, '-o', 'json'],
      ['replace', '-f', '-'],
    ]);
  });

  it('readLease: no Lease is undefined, an existing one is read, any other error stops with the error', () => {
    const leases = new MemoryLeases();
    expect(readLease(leases.asKubectl(), RESTART_LEASE)).toBeUndefined();
    leases.put(leaseObject(OTHER, FRESH, '10.0.1.10'));
    expect(readLease(leases.asKubectl(), RESTART_LEASE)).toMatchObject({
      holder: OTHER,
      out: '10.0.1.10',
      renewTimeMs: Date.parse(FRESH),
      acquired: ACQUIRED,
    });
    const forbidden = recording(leases, () => ({ ok: false, stdout: '', stderr: 'Error from server (Forbidden): leases is forbidden\n' }));
    expect(() => readLease(forbidden.kubectl, RESTART_LEASE)).toThrow(
      /Could not read the lock \(Lease kube-system\/rancher-aws-server-restart\): .*Forbidden/,
    );
  });

  it('a create refused for any reason but AlreadyExists stops with the error, without reading or writing the Lease', () => {
    const leases = new MemoryLeases();
    const { kubectl, calls } = recording(leases, (args) =>
      args[0] === 'create' ? { ok: false, stdout: '', stderr: 'Error from server (Forbidden): leases is forbidden\n' } : undefined,
    );
    expect(() => acquire(kubectl, ME, NOW, RESTART_LEASE)).toThrow(/Could not create the lock .*Forbidden/);
    expect(calls).toHaveLength(1);
  });

  it('of two takers racing for a stale Lease, the one whose write conflicts reads again and does not hold it', () => {
    const leases = withLease(EARLIER, STALE);
    let raced = false;
    const { kubectl } = recording(leases, (args) => {
      if (args[0] === 'replace' && !raced) {
        raced = true;
        // The other taker writes first, at the version both read.
        leases.put(leaseObject(OTHER, NOW.toISOString()));
      }
      return undefined;
    });
    expect(acquire(kubectl, ME, NOW, RESTART_LEASE)).toMatchObject({ held: false, holder: OTHER, fresh: true });
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
  it('a renewal moves the renew time and keeps the holder, the acquire time and the server out', () => {
    const leases = withLease(ME, FRESH, '10.0.1.10');
    renew(leases.asKubectl(), ME, NOW, RESTART_LEASE);
    expect(held(leases).spec).toEqual({
      holderIdentity: ME,
      leaseDurationSeconds: 3600,
      acquireTime: ACQUIRED,
      renewTime: '2026-11-24T12:00:00.123000Z',
    });
    expect(held(leases).metadata.annotations).toEqual({ 'rancher-ha-aws/out': '10.0.1.10' });
  });

  it('markOut names the server out, and undefined clears it, keeping the holder', () => {
    const leases = withLease(ME, FRESH);
    markOut(leases.asKubectl(), ME, '10.0.2.10');
    expect(held(leases).metadata.annotations).toEqual({ 'rancher-ha-aws/out': '10.0.2.10' });
    markOut(leases.asKubectl(), ME, undefined);
    expect(held(leases).metadata.annotations).toEqual({});
    expect(held(leases).spec).toMatchObject({ holderIdentity: ME, acquireTime: ACQUIRED });
  });

  it('a Lease that is no longer ours stops the actor (LeaseLost, naming who holds it) and is left as it is', () => {
    const taken = withLease(OTHER, FRESH, '10.0.1.10');
    expect(() => renew(taken.asKubectl(), ME, NOW, RESTART_LEASE)).toThrow(LeaseLost);
    expect(() => markOut(taken.asKubectl(), ME, undefined)).toThrow(`${OTHER} holds it now`);
    expect(() => renew(withLease('', FRESH).asKubectl(), ME, NOW, RESTART_LEASE)).toThrow('nobody holds it now');
    expect(() => renew(new MemoryLeases().asKubectl(), ME, NOW, RESTART_LEASE)).toThrow(/it was deleted\. Stopping here/);
    expect(taken.writes).toBe(0);
    expect(held(taken).metadata.annotations).toEqual({ 'rancher-ha-aws/out': '10.0.1.10' });
  });

  it('a concurrent write is read again and the renewal applied to it; a Lease that keeps changing stops with an error', () => {
    const leases = withLease(ME, FRESH);
    let conflicts = 1;
    const once = recording(leases, (args) =>
      args[0] === 'replace' && conflicts-- > 0
        ? { ok: false, stdout: '', stderr: 'Error from server (Conflict): the object has been modified\n' }
        : undefined,
    );
    renew(once.kubectl, ME, NOW, RESTART_LEASE);
    expect(held(leases).spec.renewTime).toBe('2026-11-24T12:00:00.123000Z');
    expect(once.calls.filter((call) => call[0] === 'replace')).toHaveLength(2);
    const always = recording(leases, (args) =>
      args[0] === 'replace' ? { ok: false, stdout: '', stderr: 'Error from server (Conflict): the object has been modified\n' } : undefined,
    );
    expect(() => renew(always.kubectl, ME, NOW, RESTART_LEASE)).toThrow(/Could not renew the lock .*kept changing/);
    expect(always.calls.filter((call) => call[0] === 'replace')).toHaveLength(3);
  });

  it('a write refused for another reason stops with the error', () => {
    const leases = withLease(ME, FRESH);
    const { kubectl } = recording(leases, (args) =>
      args[0] === 'replace' ? { ok: false, stdout: '', stderr: 'Error from server (Forbidden): leases is forbidden\n' } : undefined,
    );
    expect(() => renew(kubectl, ME, NOW, RESTART_LEASE)).toThrow(
      /Could not write the lock \(Lease kube-system\/rancher-aws-server-restart\): .*Forbidden/,
    );
  });
});

describe('release: the lock given back', () => {
  it('leaves the Lease with no holder, a one-second duration, no acquire time and no server out', () => {
    const leases = withLease(ME, FRESH, '10.0.1.10');
    release(leases.asKubectl(), ME, RESTART_LEASE);
    const lease = held(leases);
    expect(lease.spec).toEqual({ holderIdentity: '', leaseDurationSeconds: 1, renewTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:]+\.\d{6}Z$/) });
    expect(lease.metadata.annotations).toEqual({});
  });

  it('a Lease someone else holds, or none, is left alone', () => {
    const taken = withLease(OTHER, FRESH, '10.0.1.10');
    release(taken.asKubectl(), ME, RESTART_LEASE);
    expect(taken.writes).toBe(0);
    expect(held(taken).spec.holderIdentity).toBe(OTHER);
    const none = new MemoryLeases();
    release(none.asKubectl(), ME, RESTART_LEASE);
    expect(none.get(RESTART_LEASE.name)).toBeUndefined();
  });

  it('a concurrent write is read again: released if still ours', () => {
    const leases = withLease(ME, FRESH);
    let conflicts = 1;
    const { kubectl } = recording(leases, (args) =>
      args[0] === 'replace' && conflicts-- > 0
        ? { ok: false, stdout: '', stderr: 'Error from server (Conflict): the object has been modified\n' }
        : undefined,
    );
    release(kubectl, ME, RESTART_LEASE);
    expect(held(leases).spec.holderIdentity).toBe('');
  });

  it('a Lease that changes under every write is given up after three, left to lapse (never retried without end)', () => {
    const leases = withLease(ME, FRESH);
    let replaces = 0;
    const { kubectl } = recording(leases, (args) => {
      if (args[0] !== 'replace') return undefined;
      // Bounds a mutant that never stops retrying: the tenth write fails the case instead of hanging it.
      if (++replaces >= 10) throw new Error('release kept writing');
      return { ok: false, stdout: '', stderr: 'Error from server (Conflict): the object has been modified\n' };
    });
    release(kubectl, ME, RESTART_LEASE);
    expect(replaces).toBe(3);
    expect(held(leases).spec.holderIdentity).toBe(ME);
  });
});

describe('acquire: racing takers and the holder name', () => {
  it('a Lease that changes under every one of three writes is not held, and says another taker wrote first', () => {
    const leases = withLease(OTHER, STALE);
    const { kubectl, calls } = recording(leases, (args) =>
      args[0] === 'replace' ? { ok: false, stdout: '', stderr: 'Error from server (Conflict): the object has been modified\n' } : undefined,
    );
    expect(acquire(kubectl, ME, NOW, RESTART_LEASE)).toEqual({ held: false, holder: 'another taker (it wrote the Lease first)', renewed: '' });
    expect(calls.filter((call) => call[0] === 'replace')).toHaveLength(3);
  });

  it('newHolder names this machine, this process and when it started', () => {
    expect(newHolder()).toMatch(new RegExp(`^${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/${process.pid}/\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z$`));
  });
});

describe('after a restore from a snapshot', () => {
  const answering = (answer: { ok: boolean; stdout: string; stderr: string }) => recording(new MemoryLeases(), () => answer);

  it("restoredLeaseVersion reads the restore record's restoredLeaseVersion from ConfigMap kube-system/rancher-aws-restore", () => {
    const { kubectl, calls } = answering({ ok: true, stdout: '812\n', stderr: '' });
    expect(restoredLeaseVersion(kubectl)).toBe('812');
    expect(calls).toEqual([['-n', 'kube-system', 'get', 'configmap', 'rancher-aws-restore', '-o', 'jsonpath={.data.restoredLeaseVersion}']]);
  });

  it("no record, a snapshot that held no Lease (empty), or an earlier version's record (restoredAt only: the key prints nothing) names no Lease", () => {
    expect(restoredLeaseVersion(answering({ ok: false, stdout: '812', stderr: 'Error from server (NotFound)\n' }).kubectl)).toBeUndefined();
    expect(restoredLeaseVersion(answering({ ok: true, stdout: '', stderr: '' }).kubectl)).toBeUndefined();
  });

  it("a Lease still at the restore's version is taken whatever it marks, the mark cleared (a take-over too), held or not; one written since is not, whatever its renewTime", () => {
    for (const takeOver of [false, true]) {
      const before = withLease(OTHER, STALE, '10.0.1.10');
      const version = before.get(RESTART_LEASE.name).metadata.resourceVersion;
      expect(acquire(before.asKubectl(), ME, NOW, RESTART_LEASE, { restoredVersion: version, takeOver })).toEqual({ held: true });
      expect(held(before).spec.holderIdentity).toBe(ME);
      expect(held(before).metadata.annotations).toEqual({});
    }
    const heldBefore = withLease(OTHER, FRESH);
    expect(
      acquire(heldBefore.asKubectl(), ME, NOW, RESTART_LEASE, { restoredVersion: heldBefore.get(RESTART_LEASE.name).metadata.resourceVersion }),
    ).toEqual({
      held: true,
    });
    // Written since the record (its renewTime a day old: a machine whose clock is behind): another version.
    const since = withLease(OTHER, new Date(NOW.getTime() - 86_400_000).toISOString(), '10.0.1.10');
    const recorded = since.get(RESTART_LEASE.name).metadata.resourceVersion;
    since.put(since.get(RESTART_LEASE.name));
    expect(acquire(since.asKubectl(), ME, NOW, RESTART_LEASE, { restoredVersion: recorded })).toMatchObject({ held: false, holder: OTHER });
  });
});
