import type { PortRule } from '../../../lib/network/port-rule';
import { K3S_SERVER_PORTS, KUBERNETES_API_PORT, RANCHER_PUBLIC_PORTS, RKE2_SERVER_PORTS, SSH_PORT } from '../../../lib/nodes/private/ports';

const compact = (rules: readonly PortRule[]) => rules.map((r) => `${r.protocol}/${r.from === r.to ? r.from : `${r.from}-${r.to}`}`);
const covers = (rules: readonly PortRule[], protocol: PortRule['protocol'], port: number) =>
  rules.some((r) => r.protocol === protocol && r.from <= port && port <= r.to);

describe('RKE2_SERVER_PORTS', () => {
  it('is the RKE2 server inbound table (all roles on every node, Canal CNI)', () => {
    expect(RKE2_SERVER_PORTS).toEqual([
      { protocol: 'tcp', from: 6443, to: 6443, description: 'Kubernetes API' },
      { protocol: 'tcp', from: 9345, to: 9345, description: 'RKE2 supervisor (node registration)' },
      { protocol: 'tcp', from: 10250, to: 10250, description: 'kubelet' },
      { protocol: 'tcp', from: 2379, to: 2379, description: 'etcd client' },
      { protocol: 'tcp', from: 2380, to: 2380, description: 'etcd peer' },
      { protocol: 'tcp', from: 2381, to: 2381, description: 'etcd metrics' },
      { protocol: 'tcp', from: 30000, to: 32767, description: 'NodePort services' },
      { protocol: 'udp', from: 8472, to: 8472, description: 'Canal VXLAN' },
      { protocol: 'tcp', from: 9099, to: 9099, description: 'Canal health checks' },
      { protocol: 'udp', from: 51820, to: 51820, description: 'Canal WireGuard IPv4' },
      { protocol: 'udp', from: 51821, to: 51821, description: 'Canal WireGuard IPv6' },
    ]);
  });

  it('matches the README security notes (6443, 9345, 10250, 2379–2381, 30000–32767 TCP; 8472, 51820, 51821 UDP; 9099 TCP)', () => {
    expect(new Set(compact(RKE2_SERVER_PORTS))).toEqual(
      new Set([
        'tcp/6443',
        'tcp/9345',
        'tcp/10250',
        'tcp/2379',
        'tcp/2380',
        'tcp/2381',
        'tcp/30000-32767',
        'udp/8472',
        'udp/51820',
        'udp/51821',
        'tcp/9099',
      ]),
    );
  });
});

describe('K3S_SERVER_PORTS', () => {
  it('is the K3s server inbound table with an external datastore (Flannel)', () => {
    expect(K3S_SERVER_PORTS).toEqual([
      { protocol: 'tcp', from: 6443, to: 6443, description: 'Kubernetes API and K3s supervisor' },
      { protocol: 'tcp', from: 10250, to: 10250, description: 'kubelet' },
      { protocol: 'tcp', from: 30000, to: 32767, description: 'NodePort services' },
      { protocol: 'udp', from: 8472, to: 8472, description: 'Flannel VXLAN' },
      { protocol: 'udp', from: 51820, to: 51820, description: 'Flannel WireGuard IPv4' },
      { protocol: 'udp', from: 51821, to: 51821, description: 'Flannel WireGuard IPv6' },
    ]);
  });

  it('opens no etcd port (the state is in the datastore) and no RKE2 supervisor port', () => {
    for (const port of [2379, 2380, 2381, 9345]) expect(covers(K3S_SERVER_PORTS, 'tcp', port)).toBe(false);
  });
});

describe.each([
  ['RKE2', RKE2_SERVER_PORTS],
  ['K3s', K3S_SERVER_PORTS],
])('%s table', (_name, table) => {
  it('has the API, the kubelet, the NodePort range and the VXLAN overlay', () => {
    expect(covers(table, 'tcp', KUBERNETES_API_PORT)).toBe(true);
    expect(covers(table, 'tcp', 10250)).toBe(true);
    expect(table).toContainEqual({ protocol: 'tcp', from: 30000, to: 32767, description: 'NodePort services' });
    expect(covers(table, 'udp', 8472)).toBe(true);
  });

  it('has well-formed, non-overlapping ranges with a description each', () => {
    for (const rule of table) {
      expect(rule.from).toBeGreaterThan(0);
      expect(rule.to).toBeGreaterThanOrEqual(rule.from);
      expect(rule.to).toBeLessThanOrEqual(65535);
      expect(rule.description.length).toBeGreaterThan(0);
    }
    for (const [i, a] of table.entries()) {
      for (const b of table.slice(i + 1)) expect(a.protocol === b.protocol && a.from <= b.to && b.from <= a.to).toBe(false);
    }
  });

  it('opens neither SSH nor the public web ports between nodes', () => {
    for (const port of [SSH_PORT, 80, 443]) expect(covers(table, 'tcp', port)).toBe(false);
  });
});

describe('RANCHER_PUBLIC_PORTS and admin ports', () => {
  it('are 80 and 443 over TCP for users and downstream clusters', () => {
    expect(RANCHER_PUBLIC_PORTS).toEqual([
      { protocol: 'tcp', from: 80, to: 80, description: 'HTTP (redirects, ACME HTTP-01)' },
      { protocol: 'tcp', from: 443, to: 443, description: 'HTTPS (Rancher UI, API and agents)' },
    ]);
  });

  it('keeps the API and SSH out of the public ports', () => {
    expect(KUBERNETES_API_PORT).toBe(6443);
    expect(SSH_PORT).toBe(22);
    for (const port of [KUBERNETES_API_PORT, SSH_PORT]) expect(covers(RANCHER_PUBLIC_PORTS, 'tcp', port)).toBe(false);
  });
});
