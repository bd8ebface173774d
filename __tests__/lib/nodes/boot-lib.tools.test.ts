import { createHash } from 'node:crypto';
import { NodeSandbox } from '../../helpers/node-sandbox';

const PEERS = '10.0.16.10 10.0.32.10';
const ENV = {
  AWS_REGION: 'us-east-1',
  PARAMETER_PREFIX: '/rancher/rke-ha',
  NODE_ROLE: 'join',
  PEER_IPS: PEERS,
  PREVIOUS_SERVER_IPS: '',
  PEER_WAIT_SECONDS: '1800',
};
/** The retry budgets, shortened (the defaults are counted, not waited, but each try costs real processes). */
const SHORT = { FETCH_ATTEMPTS: '3', STATE_ATTEMPTS: '3', TURN_WAIT_SECONDS: '60' };

/** Runs boot-lib.sh functions in a real bash against the sandbox's stubbed IMDS, SSM and peers. */
function sandbox(env: Record<string, string> = {}) {
  return new NodeSandbox({ ...ENV, ...env });
}

let boxes: NodeSandbox[] = [];
const box = (env: Record<string, string> = {}) => {
  const b = sandbox(env);
  boxes.push(b);
  return b;
};
afterEach(() => {
  boxes.forEach((b) => b.dispose());
  boxes = [];
});

describe('boot-lib.sh ssm_lookup and fetch_to (SSM GetParameter signed by curl, through IMDSv2 credentials)', () => {
  it('tells a parameter that exists (0), one SSM says does not exist (3) and any other failure (1) apart', () => {
    const b = box().parameter('token', 'secret').failing('throttled', 1);
    const r = b.run({ source: 'for n in token missing throttled; do s=0; ssm_lookup "$n" /dev/null || s=$?; echo "$n=$s"; done' });
    expect(r.output).toContain('token=0\nmissing=3\nthrottled=1');
  });

  it('treats an unreachable SSM as a failure, never as "not found"', () => {
    const b = box();
    b.write('ssm-down', '');
    expect(b.run({ source: 's=0; ssm_lookup cluster-initialized /dev/null || s=$?; echo "status=$s"' }).output).toContain('status=1');
  });

  it('writes a CA certificate byte for byte, so the join token hash matches the file the server serves', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const b = box().parameter('server-ca-cert', pem);
    const r = b.run({ source: `fetch_to server-ca-cert "$T/ca.crt"; stat -c %a "$T/ca.crt"` });
    expect(r.status).toBe(0);
    expect(r.output.trim()).toBe('600');
    expect(b.read('ca.crt')).toBe(pem);
    expect(createHash('sha256').update(b.read('ca.crt')).digest('hex')).toBe(createHash('sha256').update(pem).digest('hex'));
  });

  it('writes a prefixed value as one line', () => {
    const b = box().parameter('datastore-endpoint', "'postgres://k3s:pw@db:5432/k3s'");
    b.run({ source: `fetch_to datastore-endpoint "$T/x/datastore.yaml" 'datastore-endpoint: '` });
    expect(b.read('x/datastore.yaml')).toBe("datastore-endpoint: 'postgres://k3s:pw@db:5432/k3s'\n");
  });

  it('retries a throttled parameter and gets it', () => {
    const b = box().parameter('token', 'K10abc::server:pw').failing('token', 2);
    const r = b.run({ source: `fetch_to token "$T/token"` });
    expect(r.status).toBe(0);
    expect(b.read('token')).toBe('K10abc::server:pw');
    expect(b.slept()).toBe(20);
  });

  it('fails (and writes nothing) when a required parameter never comes', () => {
    const b = box(SHORT);
    const r = b.run({ source: `fetch_to token "$T/token"` });
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('giving up after 3 attempts: ssm_lookup token');
    expect(b.exists('token')).toBe(false);
  });
});

describe('boot-lib.sh endpoints of the partition (as a stack in the region ships it)', () => {
  it('China: reads parameters at ssm.<region>.amazonaws.com.cn', () => {
    const b = box({ AWS_REGION: 'cn-north-1' }).inRegion('cn-north-1').parameter('token', 'secret');
    const r = b.run({ source: 'fetch_to token "$T/token"' });
    expect(r.status).toBe(0);
    expect(b.read('token')).toBe('secret');
    expect(b.endpoints()).toEqual(['ssm.cn-north-1.amazonaws.com.cn']);
  });

  it('GovCloud: ssm.us-gov-west-1.amazonaws.com, the commercial suffix', () => {
    const b = box({ AWS_REGION: 'us-gov-west-1' }).inRegion('us-gov-west-1').parameter('token', 'secret');
    expect(b.run({ source: 'fetch_to token "$T/token"' }).status).toBe(0);
    expect(b.endpoints()).toEqual(['ssm.us-gov-west-1.amazonaws.com']);
  });

  it('China, SSM unreachable: a failure (1), retried, never "not found", and never asked at a commercial endpoint', () => {
    const b = box({ ...SHORT, AWS_REGION: 'cn-northwest-1' }).inRegion('cn-northwest-1');
    b.write('ssm-down', '');
    const r = b.run({ source: 's=0; ssm_lookup token /dev/null || s=$?; echo "status=$s"; fetch_to token "$T/token"' });
    expect(r.output).toContain('status=1');
    expect(r.output).toContain('giving up after 3 attempts: ssm_lookup token');
    expect(r.status).not.toBe(0);
    expect(b.exists('token')).toBe(false);
    expect(new Set(b.endpoints())).toEqual(new Set(['ssm.cn-northwest-1.amazonaws.com.cn']));
  });
});

describe('boot-lib.sh cluster_state (fail closed)', () => {
  const state = (b: NodeSandbox) => b.run({ source: 'cluster_state; echo "role=$NODE_ROLE initialized=$CLUSTER_INITIALIZED"' });

  it('turns a booting init node into a joining one once Terraform marked the cluster initialized', () => {
    const b = box({ NODE_ROLE: 'init' }).parameter('cluster-initialized', 'true');
    expect(state(b).output).toContain('role=join initialized=true');
  });

  it('leaves the first boot of the init node alone when SSM says the marker does not exist', () => {
    expect(state(box({ NODE_ROLE: 'init' })).output).toContain('role=init initialized=false');
  });

  it('retries SSM errors instead of reading them as "never initialized"', () => {
    const b = box({ NODE_ROLE: 'init' }).parameter('cluster-initialized', 'true').failing('cluster-initialized', 2);
    const r = state(b);
    expect(r.output).toContain('role=join initialized=true');
    expect(r.output).toContain('cannot read the cluster-initialized parameter (attempt 2); retrying');
    expect(b.slept()).toBe(30);
  });

  it('refuses to decide when SSM keeps failing: the init node never starts a second cluster', () => {
    const b = box({ NODE_ROLE: 'init', ...SHORT });
    b.write('ssm-down', '');
    const r = state(b);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('SSM kept failing: refusing to decide whether the cluster exists');
    expect(r.output).not.toContain('role=');
  });

  it('never changes a joining node, but tells it whether the cluster exists', () => {
    expect(state(box().parameter('cluster-initialized', 'true')).output).toContain('role=join initialized=true');
    expect(state(box()).output).toContain('role=join initialized=false');
  });
});

describe('boot-lib.sh find_peer', () => {
  const find = (b: NodeSandbox, seconds: number) => b.run({ source: `if p=$(find_peer 9345 ${seconds}); then echo "peer=$p"; else echo none; fi` });

  it('returns the first live peer at once', () => {
    const b = box();
    b.write('live', '10.0.32.10\n10.0.16.10\n');
    expect(find(b, 1800).output).toContain('peer=10.0.16.10');
    expect(b.slept()).toBe(0);
  });

  it('waits for a peer that comes up later, within the budget', () => {
    const b = box();
    b.write('live', '10.0.32.10 60\n');
    expect(find(b, 1800).output).toContain('peer=10.0.32.10');
    expect(b.slept()).toBe(60);
  });

  it('does not count a peer answering "starting" as live', () => {
    const b = box();
    b.write('starting', '10.0.16.10\n');
    const r = find(b, 30);
    expect(r.output).toContain('none');
    expect(r.output).toContain(`no server answered on ${PEERS} within 30 s`);
  });

  it('gives up once the budget is spent (counted, not waited, here)', () => {
    const b = box();
    expect(find(b, 120).output).toContain('none');
    expect(b.slept()).toBe(120);
  });

  it('with no peers at all (a single server) fails at once, without waiting', () => {
    const b = box({ PEER_IPS: '' });
    expect(find(b, 1800).output).toContain('none');
    expect(b.slept()).toBe(0);
    expect(b.calls().filter((c) => c.startsWith('ping'))).toEqual([]);
  });

  it('probes the candidates in order: the current layout before the other one', () => {
    const b = box({ PEER_IPS: '10.0.16.10 10.0.32.10 10.0.144.10 10.0.160.10' });
    b.write('live', '10.0.144.10\n');
    expect(find(b, 0).output).toContain('peer=10.0.144.10');
    expect(b.calls().filter((c) => c.startsWith('ping'))).toEqual(['ping 10.0.16.10', 'ping 10.0.32.10', 'ping 10.0.144.10']);
  });
});

describe('boot-lib.sh wait_turn (one join at a time)', () => {
  const turn = (b: NodeSandbox) => b.run({ source: `printf x >"$T/ca.crt"; wait_turn 9345 "$T/ca.crt" pw; echo "slept=$(cat "$T/slept")"` });

  it('returns at once for the first server to join (no previous server)', () => {
    const b = box({ PREVIOUS_SERVER_IPS: '' });
    expect(turn(b).output).toContain('slept=0');
    expect(b.calls()).toEqual([]);
  });

  it("waits until the previous server is a voting member in a live peer's etcd member list", () => {
    const b = box({ PREVIOUS_SERVER_IPS: '10.0.16.10 10.0.144.10' });
    b.write('live', '10.0.16.10\n');
    // The previous server joins as a learner and is promoted at second 30.
    b.write('members', '10.0.0.10 voting\n10.0.16.10 voting 30\n');
    const r = turn(b);
    expect(r.output).toContain('the previous server is a voting etcd member: joining');
    expect(r.output).toContain('slept=30');
    // Authenticated as the server user, with the token's secret, verified against the cluster CA.
    expect(b.calls()).toContain('db/info 10.0.16.10 user = "server:pw"');
  });

  it('does not take a learner or an absent member for a voter', () => {
    const b = box({ PREVIOUS_SERVER_IPS: '10.0.32.10', ...SHORT });
    b.write('live', '10.0.16.10\n');
    b.write('members', '10.0.16.10 voting\n10.0.32.10 learner\n');
    const r = turn(b);
    expect(r.output).toContain('the previous server (10.0.32.10) is not a voting etcd member after 60 s; joining anyway');
    expect(r.output).toContain('slept=60');
  });

  it('keeps waiting while no peer answers /db/info (every peer down or still starting)', () => {
    const b = box({ PREVIOUS_SERVER_IPS: '10.0.16.10', ...SHORT });
    expect(turn(b).output).toContain('not a voting etcd member after 60 s');
  });
});

describe('boot-lib.sh token_password', () => {
  it('is the secret after the last colon, for the full (K10...::server:secret) and the short form', () => {
    const b = box();
    b.write('full', 'K10abcdef::server:s3cret\n');
    b.write('short', 's3cret');
    expect(b.run({ source: 'token_password "$T/full"; echo; token_password "$T/short"' }).output.trim()).toBe('s3cret\ns3cret');
  });
});
