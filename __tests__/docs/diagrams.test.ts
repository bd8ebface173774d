import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUT_ANNOTATION } from '../../cli/shared/lease';
import { STEPS } from '../../cli/roll/roll';
import { DEFAULT_BACKUP_SCHEDULE } from '../../lib/config/backups-schema';
import { SERVER_RESTART_LEASE } from '../../lib/kubernetes/private/system-upgrade-controller';
import { synthSettings } from '../helpers/variants';

// The pictures name things the code has: these cases hold each name and number a diagram shows to the code or to
// the stack the defaults synthesize, so a renamed step, Lease or port fails here instead of leaving a stale picture.
// (That every diagram parses as GitHub's renderer would is diagrams.tools.test.ts, with mermaid's own parser.)

const root = join(__dirname, '..', '..');

/** The Mermaid blocks of a page, in order. */
function mermaidBlocks(page: string): string[] {
  return [...page.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

const only = (page: string): string => {
  const blocks = mermaidBlocks(readFileSync(join(root, page), 'utf8'));
  expect(blocks).toHaveLength(1);
  return blocks[0];
};

describe('the README architecture diagram', () => {
  const diagram = only('README.md');
  const { json, text } = synthSettings('rke-ha', {});
  // The servers' config.yaml, as the stack's user data writes it (inside the JSON text, so its line breaks are \\n).
  const config = (line: string) => text.includes(`\\n      ${line}\\n`);
  const resource = (type: string): Record<string, any> => (json.resource as Record<string, Record<string, any>>)[type] ?? {};

  it('shows the load balancer ports the default rke-ha stack listens on, and no other', () => {
    const ports = Object.values(resource('aws_lb_listener'))
      .map((l) => l.port)
      .sort((a, b) => a - b);
    expect(ports).toEqual([80, 443, 6443]);
    expect(diagram).toContain('"TCP 80, 443"');
    expect(diagram).toContain('"TCP 6443"');
    expect(Object.values(resource('aws_lb')).map((lb) => lb.load_balancer_type)).toEqual(['network']);
  });

  it('shows one server per availability zone, named as the roll names them', () => {
    const servers = Object.values(resource('aws_instance'));
    expect(servers).toHaveLength(3);
    for (const [i, zone] of ['a', 'b', 'c'].entries()) {
      expect(diagram).toContain(`s${i}["server-${i}"]`);
      expect(diagram).toContain(`["zone ${zone}"]`);
    }
    expect(diagram.match(/\["server-\d"\]/g)).toHaveLength(3);
  });

  it('shows the Helm releases the stack installs, Rancher with its replicas and namespace', () => {
    const releases = Object.values(resource('helm_release'));
    const names = releases.map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['cert-manager', 'rancher', 'rancher-backup']));
    const rancher = releases.find((r) => r.name === 'rancher')!;
    const namespace = /^\$\{kubernetes_namespace_v1\.([\w-]+)\.metadata\[0\]\.name\}$/.exec(rancher.namespace)?.[1];
    expect(resource('kubernetes_namespace_v1')[namespace!]?.metadata?.name).toBe('cattle-system');
    expect((rancher.values as string[]).some((v) => v.includes(`"replicas" = 3,`))).toBe(true);
    expect(diagram).toContain('rancher, 3 replicas, cattle-system');
    expect(diagram).toContain('certmanager["cert-manager"]');
    expect(diagram).toContain('rancher-backup operator');
  });

  it('shows the two buckets and the schedules the defaults give them', () => {
    const buckets = Object.values(resource('aws_s3_bucket')).map((b) => b.bucket_prefix as string);
    expect(buckets.filter((b) => b.includes('-etcd-'))).toHaveLength(1);
    expect(buckets.filter((b) => b.includes('-backup'))).toHaveLength(1);
    // Every 6 hours, both: RKE2's etcd-snapshot-schedule-cron as the servers get it, and the operator's schedule.
    expect(config('etcd-snapshot-schedule-cron: 0 */6 * * *')).toBe(true);
    expect(DEFAULT_BACKUP_SCHEDULE).toBe('0 */6 * * *');
    expect(diagram).toContain('etcd snapshots, every 6 h');
    expect(diagram).toContain('Rancher backups, every 6 h');
  });

  it('shows the ingress controller the defaults choose', () => {
    expect(config('ingress-controller:\\n        - traefik')).toBe(true);
    expect(diagram).toContain('traefik["Traefik ingress, ports 80 and 443"]');
  });
});

describe("the roll's sequence diagram (docs/roll.md)", () => {
  const diagram = only('docs/roll.md');

  it('names the restart Lease and its out mark as the code writes them', () => {
    expect(diagram).toContain(`Lease kube-system/${SERVER_RESTART_LEASE}`);
    expect(diagram).toContain(`annotation ${OUT_ANNOTATION} = its private address`);
  });

  it("shows the roll's steps in the order the roll runs them", () => {
    const shown = [...diagram.matchAll(/: (\w+): /g)].map((m) => m[1]).filter((word, i, all) => all.indexOf(word) === i);
    expect(shown).toEqual([...STEPS]);
  });
});
