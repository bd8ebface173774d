import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeSandbox } from './node-sandbox';

/** A server's Node name, as the servers on AWS are named: `ip-10-0-0-10`. */
export const nodeName = (ip: string) => `ip-${ip.replaceAll('.', '-')}`;

/** The cluster the node stubs (helpers/node-stubs: kubectl, curl, systemctl) share in one test, and its sandboxes. */
export interface StubCluster {
  /** The folder the stubs read and write (`CLUSTER` in their environment). */
  readonly dir: string;
  /** Keeps a sandbox, disposed of after the test. */
  keep(box: NodeSandbox): NodeSandbox;
  /** What the stubs recorded, in order: `lease <holder>`, `restart <node>`, `up <node>`, `released <holder>`. */
  events(): string[];
}

/**
 * A new stub cluster for each test (jest's beforeEach and afterEach): the servers at `ips` each a Ready Node and a
 * voting etcd member, no Lease holder, no events; removed after the test with the sandboxes it kept.
 */
export function stubCluster(ips: readonly string[]): StubCluster {
  let dir = '';
  let boxes: NodeSandbox[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cluster-'));
    writeFileSync(join(dir, 'nodes'), `${ips.map(nodeName).join('\n')}\n`);
    writeFileSync(join(dir, 'members'), `${ips.map((ip) => `${ip} voting`).join('\n')}\n`);
    writeFileSync(join(dir, 'events'), '');
    writeFileSync(join(dir, 'lease'), '');
  });
  afterEach(() => {
    boxes.forEach((b) => b.dispose());
    boxes = [];
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return dir;
    },
    keep(box) {
      boxes.push(box);
      return box;
    },
    events: () => readFileSync(join(dir, 'events'), 'utf8').split('\n').filter(Boolean),
  };
}
