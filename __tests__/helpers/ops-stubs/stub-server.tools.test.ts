import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeCloud } from '../fake-cloud';
import { runBounded } from '../subprocess';

// The stub server (stub-server.js) runs a call on a world parsed by top-level key as the call reads it, and tells a
// change from the keys the call read (worldByKey). What it writes must be what the call in a node process of its own
// writes (fake-cloud.js reading and parsing the whole file), byte for byte: the tests read the world, and the node
// stubs (delegated calls) and the server take turns on the same file. A call that changes nothing writes nothing.

const LEASE = {
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name: 'rancher-ha-aws-roll', namespace: 'kube-system', annotations: { 'rancher-ha-aws/step': 'snapshot' } },
  spec: {
    holderIdentity: 'ci/1/a',
    leaseDurationSeconds: 3600,
    acquireTime: '2026-01-01T00:00:00.000000Z',
    renewTime: '2026-01-01T00:00:00.000000Z',
  },
};
const resource = (name: string) => ({
  mode: 'managed',
  type: 'aws_s3_bucket',
  name,
  provider: 'provider["registry.terraform.io/hashicorp/aws"]',
  instances: [{ schema_version: 0, attributes: { id: `${name}-id`, bucket: name } }],
});
const WORLD = {
  roll: true,
  // Over stub-server.js's NESTED_OVER (8,192 characters) as JSON: parsed by key one level down in the server.
  state: {
    version: 4,
    serial: 1,
    lineage: 'l',
    outputs: {},
    resources: [resource('logs'), resource('backups'), ...Array.from({ length: 60 }, (_, i) => resource(`bucket-${i}`))],
  },
  aws: { lbs: {}, dbs: {}, buckets: {}, keys: {}, logGroups: {}, volumes: {}, finalDbSnapshots: [] },
  cluster: { apiUp: true, servers: [{ name: 'server-0', node: 'ip-10-0-0-10', ready: true, member: true, nodePresent: true }] },
};

/**
 * The calls, in order, their exit codes and whether they write the world: reads (a Lease not there yet), a Lease
 * created (a key new to the world) and read, the state read and changed, the Lease deleted (a key gone).
 */
const KUBECTL = ['kubectl', '--kubeconfig', 'kubeconfig', '-n', 'kube-system'];
const CALLS: { args: string[]; input?: string; code: number; writes: boolean }[] = [
  { args: [...KUBECTL, 'get', 'lease', 'rancher-ha-aws-roll', '-o', 'json'], code: 1, writes: false },
  { args: [...KUBECTL, 'create', '-f', '-'], input: JSON.stringify(LEASE), code: 0, writes: true },
  { args: [...KUBECTL, 'get', 'lease', 'rancher-ha-aws-roll', '-o', 'json'], code: 0, writes: false },
  { args: ['terraform', 'state', 'pull'], code: 0, writes: false },
  { args: ['terraform', 'state', 'rm', 'aws_s3_bucket.logs'], code: 0, writes: true },
  { args: [...KUBECTL, 'delete', 'lease', 'rancher-ha-aws-roll'], code: 0, writes: true },
];

/** Runs CALLS on a fresh world through `bin` (the bash stubs, or the node stubs under .node); each call's result and world. */
function runCalls(through: 'server' | 'node'): { codes: (number | null)[]; outputs: string[]; worlds: string[]; written: boolean[] } {
  const c = new FakeCloud({} as any, structuredClone(WORLD));
  const node = join(c.bin, '.node');
  // Through the server, a call that reached the node stub (the server down, or the call delegated) fails loudly.
  if (through === 'server')
    for (const tool of ['kubectl', 'terraform'])
      writeFileSync(join(node, tool), '#!/bin/sh\necho "the node stub ran: the stub server did not answer" >&2\nexit 99\n');
  try {
    const file = join(c.dir, 'world.json');
    const codes: (number | null)[] = [];
    const outputs: string[] = [];
    const worlds: string[] = [];
    const written: boolean[] = [];
    for (const { args, input } of CALLS) {
      const before = statSync(file, { bigint: true });
      const [tool, ...rest] = args;
      const result = runBounded(join(through === 'server' ? c.bin : node, tool), rest, {
        cwd: c.moduleDir,
        input,
        env: { ...process.env, FAKE_WORLD: c.dir },
      });
      const after = statSync(file, { bigint: true });
      codes.push(result.status);
      outputs.push(`${result.stdout}\n${result.stderr}`);
      worlds.push(readFileSync(file, 'utf8'));
      written.push(after.ino !== before.ino || after.mtimeNs !== before.mtimeNs);
    }
    expect(c.violations()).toBe('');
    return { codes, outputs, worlds, written };
  } finally {
    c.remove();
  }
}

describe('the stub server', () => {
  it('answers and writes the world as a call in a node process of its own does, byte for byte; a call that changes nothing writes nothing', () => {
    const server = runCalls('server');
    const node = runCalls('node');
    expect(server.codes).toEqual(CALLS.map((call) => call.code));
    expect(node.codes).toEqual(CALLS.map((call) => call.code));
    expect(server.outputs).toEqual(node.outputs);
    expect(server.worlds).toEqual(node.worlds);
    expect(server.written).toEqual(CALLS.map((call) => call.writes));
    expect(node.written).toEqual(CALLS.map((call) => call.writes));
    // The Lease was created, then deleted: gone from the world, as its key.
    expect(JSON.parse(server.worlds[2]).lease.holderIdentity).toBe('ci/1/a');
    expect('lease' in JSON.parse(server.worlds[5])).toBe(false);
    expect(server.worlds[0].indexOf('"state":')).toBeGreaterThan(-1);
    expect(JSON.stringify(WORLD.state).length).toBeGreaterThan(8192);
    expect(JSON.parse(server.worlds[4]).state.resources.map((r: any) => r.name)).toEqual([
      'backups',
      ...Array.from({ length: 60 }, (_, i) => `bucket-${i}`),
    ]);
  });
});
