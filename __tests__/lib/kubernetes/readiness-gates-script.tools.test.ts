import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unverifiedArtifactHint } from '../../../lib/kubernetes/private/server-units';
import { runValidator } from '../../helpers/validators';

const SCRIPT_PATH = join(__dirname, '../../../lib/kubernetes/readiness-gates.sh');
const SCRIPT = readFileSync(SCRIPT_PATH, 'utf8');
/** Sourced first, as the gate chart's Jobs run it (gate-chart.ts, chartJob). */
const JOB_FAILURE_PATH = join(__dirname, '../../../lib/kubernetes/job-failure.sh');

/**
 * Runs readiness-gates.sh in a real bash with `kubectl`, `sleep` and `date`
 * replaced by functions. `sleep` only counts (POLLS, SLEPT), so a 25-minute
 * budget takes milliseconds; the scenario functions answer by poll number.
 * Every kubectl call is recorded in CALLS.
 */
function gate(env: Record<string, string>, scenario: string) {
  const script = [
    'POLLS=0; SLEPT=0',
    'sleep() { POLLS=$((POLLS + 1)); SLEPT=$((SLEPT + $1)); }',
    // The log's clock is fixed; the Lease's times are read with the real one.
    'date() { if [ "$1" = -u ]; then echo 00:00:00; else command date "$@"; fi; }',
    'trues() { local i; for ((i = 0; i < $1; i++)); do echo True; done; echo False; }',
    // Defaults: nothing ready, the API answers.
    'nodes() { echo 0; }; apiservers() { echo 0; }; voters() { echo 0; }; webhook() { return 1; }; available() { echo ""; }',
    // The control-plane nodes by name: as many as the Ready list above has lines (the Ready ones and one not).
    'registered() { local i; for ((i = 0; i <= $(nodes); i++)); do echo "node/server-$i"; done; }',
    'admit() { echo "Error from server (InternalError): failed calling webhook \\"validate.nginx.ingress.kubernetes.io\\""; return 1; }',
    'certificate() { echo False; }; certificate_message() { echo "Issuing certificate as Secret does not exist"; }',
    'apply() { echo "error: resource mapping not found for name: "server-plan": no matches for kind "Plan" in version "upgrade.cattle.io/v1""; return 1; }; node_table() { return 1; }; server_rows() { return 1; }; plan_status() { return 1; }',
    'lease() { echo "Error from server (NotFound): leases.coordination.k8s.io \\"rancher-aws-server-restart\\" not found"; return 1; }',
    'event() { return 0; }',
    'failed_creates() { return 0; }',
    scenario,
    'kubectl() {',
    '  echo "kubectl $*" >>"$CALLS"',
    '  case "$*" in',
    '    "get nodes -l node-role.kubernetes.io/control-plane=true "*"plan\\\\.upgrade\\\\.cattle\\\\.io/server-plan}"*) server_rows ;;',
    '    "get nodes -l node-role.kubernetes.io/control-plane=true "*"type==\\"Ready\\""*) trues "$(nodes)" ;;',
    '    "get nodes -l node-role.kubernetes.io/control-plane=true -o name") registered ;;',
    '    "get nodes -l node-role.kubernetes.io/etcd=true "*"type==\\"EtcdIsVoter\\""*) trues "$(voters)" ;;',
    '    "get pods -n kube-system -l component=kube-apiserver "*"type==\\"Ready\\""*) trues "$(apiservers)" ;;',
    '    "get validatingwebhookconfiguration "*) webhook ;;',
    '    *" get daemonset "*"numberReady}") available ;;',
    '    *" get deployment "*"availableReplicas}") available ;;',
    '    "create --dry-run=server -o name -f -") cat >>"$CALLS"; admit ;;',
    '    *"certificates.cert-manager.io"*"].status}") certificate ;;',
    '    *"certificates.cert-manager.io"*"].message}") certificate_message ;;',
    '    "apply -f -") cat >>"$CALLS"; apply ;;',
    '    "--request-timeout=10s create -f -") { cat; echo; } >>"$CALLS"; event ;;',
    '    "get events -A --field-selector reason=FailedCreate -o jsonpath="*) failed_creates ;;',
    '    "-n kube-system get lease rancher-aws-server-restart -o jsonpath={.spec.holderIdentity}|{.spec.renewTime}|{.spec.leaseDurationSeconds}|{.metadata.annotations.rancher-ha-aws/out}") lease ;;',
    '    "get nodes -o jsonpath={range .items[*]}{.metadata.name}"*"{.spec.unschedulable}"*) node_table ;;',
    '    "-n system-upgrade get plans.upgrade.cattle.io server-plan -o jsonpath={.status.latestVersion}{\\"|\\"}{.status.latestHash}{\\"|\\"}{.status.applying}") plan_status ;;',
    '    *) echo "unexpected kubectl $*" >&2; return 99 ;;',
    '  esac',
    '}',
    `. ${JSON.stringify(JOB_FAILURE_PATH)}`,
    `. ${JSON.stringify(SCRIPT_PATH)}`,
  ].join('\n');
  const calls = `/tmp/gate-calls-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const result = spawnSync('bash', ['-c', `${script}\nstatus=$?\necho "SLEPT=$SLEPT"\nexit $status`], {
    // HOME an empty folder, as the Job's (gate-chart.ts sets HOME): bash reads ~/.bashrc when its standard input is a
    // socket and SHLVL is unset, as under jest's workers, and this machine's ran `pyenv init`, about 1.2 s of CPU a gate.
    env: { PATH: process.env.PATH ?? '', HOME: home(), CALLS: calls, DEADLINE_SECONDS: '600', ...env },
    encoding: 'utf8',
  });
  const recorded = existsSync(calls) ? readFileSync(calls, 'utf8') : '';
  rmSync(calls, { force: true });
  return { status: result.status, out: result.stdout, err: result.stderr, calls: recorded, slept: Number(/SLEPT=(\d+)/.exec(result.stdout)?.[1]) };
}

let homeDir: string | undefined;
/** The gates' HOME: an empty folder of this file's, removed after it. */
const home = () => (homeDir ??= mkdtempSync(join(tmpdir(), 'gate-home-')));
afterAll(() => homeDir && rmSync(homeDir, { recursive: true, force: true }));

describe('readiness-gates.sh', () => {
  it('passes shellcheck', () => {
    expect(runValidator('shellcheck', ['--severity=style'], SCRIPT, 'readiness-gates.sh')).toEqual({ status: 0, output: '' });
  });

  it('passes shellcheck with the failure report the chart puts before it', () => {
    const text = `${readFileSync(JOB_FAILURE_PATH, 'utf8')}\n${SCRIPT}`;
    expect(runValidator('shellcheck', ['--severity=style', '--shell=bash'], text, 'gate-job.sh')).toEqual({ status: 0, output: '' });
  });

  describe('a failed gate leaves its last line as an Event on its Job (the uninstall takes the Job and its log)', () => {
    const job = { JOB_NAME: 'rancher-aws-servers-ready-0a1b2c3d4e', JOB_NAMESPACE: 'rancher-aws-gates' };
    const failing = { GATE: 'servers', SERVERS: '3', EMBEDDED_ETCD: 'true', DEADLINE_SECONDS: '20' };
    const events = (calls: string) =>
      calls
        .split('\n')
        .filter((line) => line.startsWith('{"apiVersion":"v1","kind":"Event"'))
        .map((line) => JSON.parse(line));

    it('a Warning Event on the Job, with the status line', () => {
      const r = gate({ ...failing, ...job }, 'nodes() { echo 2; }');
      expect(r.status).toBe(1);
      const [event, ...more] = events(r.calls);
      expect(more).toEqual([]);
      expect(event).toMatchObject({
        metadata: { generateName: `${job.JOB_NAME}-`, namespace: job.JOB_NAMESPACE },
        involvedObject: { apiVersion: 'batch/v1', kind: 'Job', name: job.JOB_NAME, namespace: job.JOB_NAMESPACE },
        type: 'Warning',
        reason: 'RancherAwsJobFailed',
        count: 1,
      });
      expect(event.message).toBe('servers: NOT READY after 20 s: 2 of 3 servers are Ready nodes, 0 voting etcd members, 0 ready API servers');
      expect(event.firstTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    });

    it('quotes, backslashes and control characters stay valid JSON; the message is cut at 1,000 bytes', () => {
      const cert = { GATE: 'certificate', NAMESPACE: 'cattle-system', CERTIFICATE: 'tls-rancher-ingress', DEADLINE_SECONDS: '10' };
      const r = gate({ ...cert, ...job }, `certificate_message() { printf '%s' "x\\\\ \\"q\\"$(printf '\\t')$(printf 'y%.0s' {1..1200})"; }`);
      const [event] = events(r.calls);
      expect(event.message.length).toBe(1000);
      expect(event.message).toContain('\\ "q" y');
    });

    it('a refused Event changes nothing: the gate still fails with its own status, the log says so', () => {
      const r = gate({ ...failing, ...job }, 'nodes() { echo 2; }; event() { echo "Forbidden" >&2; return 1; }');
      expect(r.status).toBe(1);
      expect(r.err).toContain('the failure could not be recorded as an Event');
    });

    it('gives up by the clock too: polls whose kubectl calls hang use the budget up although little was slept', () => {
      // Each poll's calls take 400 s of the clock (a lost API), counted at the sleep (the checks run in subshells);
      // 600 s of budget: after two sleeps (800 s of the clock) it gives up, where the slept time alone allowed 60 polls.
      const r = gate(
        { ...failing, ...job, DEADLINE_SECONDS: '600' },
        'nodes() { echo 2; }; sleep() { POLLS=$((POLLS + 1)); SLEPT=$((SLEPT + $1)); SECONDS=$((SECONDS + 400)); }',
      );
      expect(r.status).toBe(1);
      expect(r.slept).toBe(20);
      expect(events(r.calls)).toHaveLength(1);
    });

    it("nothing is recorded without the downward API (the upgrade Plan's prepare step), nor when the gate passes", () => {
      expect(events(gate(failing, 'nodes() { echo 2; }').calls)).toEqual([]);
      expect(events(gate({ ...failing, ...job }, 'nodes() { echo 3; }; voters() { echo 3; }; apiservers() { echo 3; }').calls)).toEqual([]);
    });
  });

  it('refuses an unknown gate', () => {
    expect(gate({ GATE: 'nope' }, '').status).toBe(2);
  });

  describe('servers', () => {
    const rke2 = { GATE: 'servers', SERVERS: '3', EMBEDDED_ETCD: 'true' };

    it('waits until every server is a Ready node, a voting etcd member and runs a ready API server (RKE2)', () => {
      // Nodes become Ready one per poll; promotion to voter lags one poll behind (a learner first).
      const r = gate(
        rke2,
        'nodes() { echo $((POLLS < 2 ? POLLS + 1 : 3)); }; voters() { echo $POLLS; }; apiservers() { echo $((POLLS < 2 ? POLLS + 1 : 3)); }',
      );
      expect(r.status).toBe(0);
      expect(r.out).toContain('servers: 3 of 3 servers are Ready nodes, 2 voting etcd members, 3 ready API servers');
      expect(r.out).toContain('servers: 3 of 3 servers are Ready nodes, 3 voting etcd members, 3 ready API servers');
      expect(r.out.trim().split('\n').at(-2)).toBe('00:00:00 servers: ready');
      expect(r.slept).toBe(30);
    });

    it('fails once the budget is spent, saying how many servers are ready', () => {
      const r = gate({ ...rke2, DEADLINE_SECONDS: '60' }, 'nodes() { echo 3; }; voters() { echo 2; }; apiservers() { echo 3; }');
      expect(r.status).toBe(1);
      expect(r.slept).toBe(60);
      expect(r.out).toContain('servers: NOT READY after 60 s: 3 of 3 servers are Ready nodes, 2 voting etcd members, 3 ready API servers');
    });

    it('counts only Ready=True nodes of the control plane without embedded etcd (K3s)', () => {
      const r = gate({ ...rke2, EMBEDDED_ETCD: 'false', SERVERS: '2' }, 'nodes() { echo 2; }');
      expect(r.status).toBe(0);
      expect(r.calls).toContain(
        'kubectl get nodes -l node-role.kubernetes.io/control-plane=true -o jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}',
      );
      expect(r.calls).not.toContain('EtcdIsVoter');
      expect(r.calls).not.toContain('component=kube-apiserver');
    });

    describe('a server that never registered (a bootstrap that stopped before installing, such as a refused release file)', () => {
      const hint = unverifiedArtifactHint('rancher-rke-ha-unverified-artifact');
      const twoOfThree =
        'nodes() { echo 2; }; voters() { echo 2; }; apiservers() { echo 2; }; registered() { echo node/server-0; echo node/server-1; }';

      it('the last line and the Event say how many never registered, then where to look', () => {
        const job = { JOB_NAME: 'rancher-aws-servers-ready-0a1b2c3d4e', JOB_NAMESPACE: 'rancher-aws-gates' };
        const r = gate({ ...rke2, ...job, DEADLINE_SECONDS: '60', UNREGISTERED_HINT: hint }, twoOfThree);
        expect(r.status).toBe(1);
        const line = `servers: NOT READY after 60 s: 2 of 3 servers are Ready nodes, 2 voting etcd members, 2 ready API servers; 1 of the 3 servers never registered as a node: ${hint}`;
        expect(r.out.trim().split('\n').at(-2)).toBe(`00:00:00 ${line}`);
        expect(hint).toBe(
          'if a server refused an unverified release file, nothing was installed on it: journalctl -u rancher-aws-bootstrap there has the line ' +
            '"refusing <file> of <version> ...; nothing was installed", /var/lib/rancher/rancher-aws/unverified-artifact holds it, ' +
            'and the alarm rancher-rke-ha-unverified-artifact fired',
        );
        // Whole in the Event (at most 1,000 bytes), quotes and all.
        const event = r.calls
          .split('\n')
          .filter((l) => l.startsWith('{"apiVersion":"v1","kind":"Event"'))
          .map((l) => JSON.parse(l));
        expect(event.map((e) => e.message)).toEqual([line]);
        expect(Buffer.byteLength(line)).toBeLessThan(1000);
        // Counted once, when it gives up; not at every poll.
        expect(r.calls.split('\n').filter((l) => l.endsWith('control-plane=true -o name'))).toHaveLength(1);
      });

      it('K3s: the same, after its count of Ready nodes', () => {
        const r = gate(
          { ...rke2, EMBEDDED_ETCD: 'false', SERVERS: '2', DEADLINE_SECONDS: '20', UNREGISTERED_HINT: hint },
          'nodes() { echo 0; }; registered() { :; }',
        );
        expect(r.out).toContain(
          `servers: NOT READY after 20 s: 0 of 2 servers are Ready nodes; 2 of the 2 servers never registered as a node: ${hint}\n`,
        );
      });

      it('without a hint, only the count', () => {
        const r = gate({ ...rke2, DEADLINE_SECONDS: '20' }, twoOfThree);
        expect(r.out).toContain('2 ready API servers; 1 of the 3 servers never registered as a node\n');
      });

      it('says nothing of it when every server registered (they are there, not Ready), or when the node list fails', () => {
        for (const scenario of ['nodes() { echo 2; }', `${twoOfThree}; registered() { return 1; }`]) {
          const r = gate({ ...rke2, DEADLINE_SECONDS: '20', UNREGISTERED_HINT: hint }, scenario);
          expect(r.status).toBe(1);
          expect(r.out).toMatch(/NOT READY after 20 s: 2 of 3 servers are Ready nodes, [02] voting etcd members, [02] ready API servers\n/);
          expect(r.out).not.toContain('never registered');
        }
      });

      it('only the servers gate counts them', () => {
        const r = gate(
          {
            GATE: 'certificate',
            NAMESPACE: 'cattle-system',
            CERTIFICATE: 'tls-rancher-ingress',
            DEADLINE_SECONDS: '10',
            SERVERS: '3',
            UNREGISTERED_HINT: hint,
          },
          '',
        );
        expect(r.status).toBe(1);
        expect(r.calls).not.toContain('-o name');
        expect(r.out).not.toContain('never registered');
      });
    });

    it('treats an API error as not ready yet and keeps polling', () => {
      const r = gate(rke2, 'nodes() { if [ "$POLLS" -lt 2 ]; then return 1; fi; echo 3; }; apiservers() { echo 3; }; voters() { echo 3; }');
      expect(r.status).toBe(0);
      expect(r.slept).toBe(20);
    });
  });

  describe('admission', () => {
    const nginx = { GATE: 'admission', INGRESS_CLASS: 'nginx', NAMESPACE: 'rancher-aws-gates', WEBHOOK: 'rke2-ingress-nginx-admission' };

    it('waits for the webhook to be registered, then for a dry-run Ingress to be admitted', () => {
      const r = gate(
        nginx,
        'webhook() { [ "$POLLS" -ge 2 ]; }; admit() { if [ "$POLLS" -ge 3 ]; then echo ingress/x; return 0; fi; echo "Error from server (InternalError): failed calling webhook"; return 1; }',
      );
      expect(r.status).toBe(0);
      expect(r.out).toContain('the admission webhook rke2-ingress-nginx-admission is not registered yet');
      expect(r.out).toContain('an Ingress of class nginx is not admitted yet: Error from server (InternalError): failed calling webhook');
      expect(r.slept).toBe(30);
      // The probe is a server-side dry run of an Ingress of the class, in the gates' namespace.
      expect(r.calls).toContain('kubectl create --dry-run=server -o name -f -');
      expect(r.calls).toContain('kind: Ingress');
      expect(r.calls).toContain('  namespace: rancher-aws-gates');
      expect(r.calls).toContain('  ingressClassName: nginx');
    });

    it('never passes before the webhook exists, even though a dry run would (nothing to call yet)', () => {
      const r = gate({ ...nginx, DEADLINE_SECONDS: '30' }, 'admit() { echo ingress/x; }');
      expect(r.status).toBe(1);
      expect(r.out).toContain('NOT READY after 30 s: the admission webhook rke2-ingress-nginx-admission is not registered yet');
      expect(r.calls).not.toContain('--dry-run');
    });

    it('fails with the last admission error once the budget is spent', () => {
      const r = gate({ ...nginx, DEADLINE_SECONDS: '20' }, 'webhook() { return 0; }');
      expect(r.status).toBe(1);
      expect(r.out).toContain(
        'NOT READY after 20 s: an Ingress of class nginx is not admitted yet: Error from server (InternalError): failed calling webhook "validate.nginx.ingress.kubernetes.io"',
      );
    });

    it('with a controller DaemonSet (RKE2 Traefik), waits for a ready pod first', () => {
      const traefik = {
        GATE: 'admission',
        INGRESS_CLASS: 'traefik',
        NAMESPACE: 'rancher-aws-gates',
        CONTROLLER_NAMESPACE: 'kube-system',
        CONTROLLER_KIND: 'daemonset',
        CONTROLLER: 'rke2-traefik',
      };
      const r = gate(traefik, 'available() { [ "$POLLS" -ge 1 ] && echo 1; }; admit() { echo ingress/x; }');
      expect(r.status).toBe(0);
      expect(r.out).toContain('daemonset kube-system/rke2-traefik has no ready pod yet');
      expect(r.calls).toContain('kubectl -n kube-system get daemonset rke2-traefik -o jsonpath={.status.numberReady}');
      expect(r.slept).toBe(10);
    });

    it('with a controller Deployment (K3s Traefik), waits for an available replica first', () => {
      const traefik = {
        GATE: 'admission',
        INGRESS_CLASS: 'traefik',
        NAMESPACE: 'rancher-aws-gates',
        CONTROLLER_NAMESPACE: 'kube-system',
        CONTROLLER_KIND: 'deployment',
        CONTROLLER: 'traefik',
      };
      const r = gate({ ...traefik, DEADLINE_SECONDS: '20' }, 'admit() { echo ingress/x; }');
      expect(r.status).toBe(1);
      expect(r.out).toContain('NOT READY after 20 s: deployment kube-system/traefik has no ready pod yet');
      expect(r.calls).toContain('kubectl -n kube-system get deployment traefik -o jsonpath={.status.availableReplicas}');
    });

    it('without a controller to wait for (an existing cluster), only the dry run decides', () => {
      const r = gate({ GATE: 'admission', INGRESS_CLASS: 'nginx', NAMESPACE: 'rancher-aws-gates' }, 'admit() { echo ingress/x; }');
      expect(r.status).toBe(0);
      expect(r.slept).toBe(0);
    });
  });

  describe('certificate', () => {
    const cert = { GATE: 'certificate', NAMESPACE: 'cattle-system', CERTIFICATE: 'tls-rancher-ingress' };

    it('waits until cert-manager reports the Certificate Ready, by its fully qualified resource name', () => {
      const r = gate(cert, 'certificate() { [ "$POLLS" -ge 2 ] && echo True || echo False; }');
      expect(r.status).toBe(0);
      expect(r.out).toContain('certificate cattle-system/tls-rancher-ingress is not Ready (Issuing certificate as Secret does not exist)');
      expect(r.calls).toContain('kubectl -n cattle-system get certificates.cert-manager.io tls-rancher-ingress');
      expect(r.slept).toBe(20);
    });

    it("fails with cert-manager's own message once the budget is spent", () => {
      const r = gate(
        { ...cert, DEADLINE_SECONDS: '900' },
        'certificate_message() { echo "Waiting on certificate issuance from order cattle-system/tls-rancher-ingress-1: pending"; }',
      );
      expect(r.status).toBe(1);
      expect(r.slept).toBe(900);
      expect(r.out).toContain(
        'NOT READY after 900 s: certificate cattle-system/tls-rancher-ingress is not Ready (Waiting on certificate issuance from order cattle-system/tls-rancher-ingress-1: pending)',
      );
    });

    it('reports a Certificate that does not exist yet as having no status', () => {
      const r = gate({ ...cert, DEADLINE_SECONDS: '10' }, 'certificate() { return 1; }; certificate_message() { return 1; }');
      expect(r.status).toBe(1);
      expect(r.out).toContain('is not Ready (no status yet)');
    });
  });

  describe('upgrade', () => {
    const PLAN = '{"apiVersion":"upgrade.cattle.io/v1","kind":"Plan","metadata":{"name":"server-plan","namespace":"system-upgrade"}}';
    const upgrade = { GATE: 'upgrade', PLAN, PLAN_NAME: 'server-plan', PLAN_NAMESPACE: 'system-upgrade', VERSION: 'v1.36.1+rke2r1', SERVERS: '3' };
    /** The controller is done: the Plan resolved at the version, applying nowhere, every server labelled with its hash. */
    const DONE = [
      'plan_status() { echo "v1.36.1-rke2r1|3f2a|"; }',
      "server_rows() { printf '%s\\n' 'ip-10-0-1-10|||||3f2a' 'ip-10-0-2-10|||||3f2a' 'ip-10-0-3-10|||||3f2a'; }",
    ].join('\n');
    const OLD = 'v1.35.7+rke2r1';
    /** The node table kubectl prints: name, kubelet version, Ready status, unschedulable. */
    const table = (rows: string[]) => `node_table() { printf '%s\\n' ${rows.map((r) => JSON.stringify(r)).join(' ')}; }`;

    it('applies the Plan once the controller registered its CRD, then waits for every node to run the version, Ready and uncordoned', () => {
      // Poll 0: no CRD yet. Poll 1: applied; the servers upgrade one at a time (cordoned, restarted, back).
      const r = gate(
        upgrade,
        [
          DONE,
          'apply() { if [ "$POLLS" -lt 1 ]; then echo "error: no matches for kind "Plan" in version "upgrade.cattle.io/v1""; return 1; fi; echo "plan.upgrade.cattle.io/server-plan created"; }',
          'node_table() { case $POLLS in',
          `  1) printf '%s\n' "ip-10-0-1-10 ${OLD} True true" "ip-10-0-2-10 ${OLD} True" "ip-10-0-3-10 ${OLD} True" ;;`,
          `  2) printf '%s\n' "ip-10-0-1-10 v1.36.1+rke2r1 False true" "ip-10-0-2-10 ${OLD} True" "ip-10-0-3-10 ${OLD} True" ;;`,
          `  3) printf '%s\n' "ip-10-0-1-10 v1.36.1+rke2r1 True" "ip-10-0-2-10 v1.36.1+rke2r1 True true" "ip-10-0-3-10 ${OLD} True" ;;`,
          `  *) printf '%s\n' "ip-10-0-1-10 v1.36.1+rke2r1 True" "ip-10-0-2-10 v1.36.1+rke2r1 True" "ip-10-0-3-10 v1.36.1+rke2r1 True" ;;`,
          'esac; }',
        ].join('\n'),
      );
      expect(r.status).toBe(0);
      expect(r.out).toContain('the upgrade Plan is not accepted yet: error: no matches for kind Plan in version upgrade.cattle.io/v1');
      expect(r.out).toContain(
        `waiting for v1.36.1+rke2r1: node ip-10-0-1-10 runs ${OLD}; node ip-10-0-2-10 runs ${OLD}; node ip-10-0-3-10 runs ${OLD}`,
      );
      expect(r.out).toContain('node ip-10-0-1-10 runs v1.36.1+rke2r1 but is not Ready');
      expect(r.out).toContain('node ip-10-0-2-10 runs v1.36.1+rke2r1 but is still cordoned');
      expect(r.out).toContain('upgrade: all 3 nodes run v1.36.1+rke2r1');
      expect(r.slept).toBe(40);
      // The Plan went to the API server once, as given; nothing else was written.
      expect(r.calls.split('\n').filter((line) => line === 'kubectl apply -f -')).toHaveLength(2);
      expect(r.calls).toContain(PLAN);
    });

    it('fails within its budget naming the node that never came back on the new version', () => {
      const r = gate(
        { ...upgrade, DEADLINE_SECONDS: '120' },
        [
          'apply() { echo configured; }',
          table(['ip-10-0-1-10 v1.36.1+rke2r1 True', `ip-10-0-2-10 ${OLD} False true`, 'ip-10-0-3-10 v1.36.1+rke2r1 True']),
        ].join('\n'),
      );
      expect(r.status).toBe(1);
      expect(r.slept).toBe(120);
      expect(r.out.trim().split('\n').at(-2)).toBe(
        `00:00:00 upgrade: NOT READY after 120 s: waiting for v1.36.1+rke2r1: node ip-10-0-2-10 runs ${OLD}`,
      );
    });

    it('counts a node that left the cluster as missing', () => {
      const r = gate(
        { ...upgrade, DEADLINE_SECONDS: '20' },
        ['apply() { echo unchanged; }', table(['ip-10-0-1-10 v1.36.1+rke2r1 True', 'ip-10-0-3-10 v1.36.1+rke2r1 True'])].join('\n'),
      );
      expect(r.status).toBe(1);
      expect(r.out).toContain('NOT READY after 20 s: waiting for v1.36.1+rke2r1: only 2 of 3 nodes are registered');
    });

    it('rides out API errors (a server restarting behind the load balancer) and keeps polling', () => {
      const r = gate(
        upgrade,
        [
          DONE,
          'apply() { if [ "$POLLS" -lt 2 ]; then echo "Unable to connect to the server: EOF"; return 1; fi; echo configured; }',
          'node_table() { if [ "$POLLS" -lt 4 ]; then echo "Error from server (ServiceUnavailable): etcdserver: leader changed" >&2; return 1; fi',
          "  printf '%s\\n' 'ip-10-0-1-10 v1.36.1+rke2r1 True' 'ip-10-0-2-10 v1.36.1+rke2r1 True' 'ip-10-0-3-10 v1.36.1+rke2r1 True'; }",
        ].join('\n'),
      );
      expect(r.status).toBe(0);
      expect(r.out).toContain('the upgrade Plan is not accepted yet: Unable to connect to the server: EOF');
      expect(r.out).toContain('the API did not answer the node list');
      expect(r.slept).toBe(40);
    });

    it('does not pass on nodes that already run the version until the controller has finished the Plan (resolved, applying nowhere, every server labelled with its hash)', () => {
      const NEW = ['ip-10-0-1-10 v1.36.1+rke2r1 True', 'ip-10-0-2-10 v1.36.1+rke2r1 True', 'ip-10-0-3-10 v1.36.1+rke2r1 True'];
      const r = gate(
        upgrade,
        [
          'apply() { echo unchanged; }',
          table(NEW),
          // Poll 0: not processed yet. 1: resolved, applying on the first server. 2: done applying, one server not
          // labelled yet. 3: the API errs. 4: done.
          'plan_status() { case $POLLS in 0) echo "||" ;; 1) echo "v1.36.1-rke2r1|3f2a|[\\"ip-10-0-1-10\\"]" ;; 3) return 1 ;; *) echo "v1.36.1-rke2r1|3f2a|" ;; esac; }',
          "server_rows() { if [ \"$POLLS\" -lt 3 ]; then printf '%s\\n' 'ip-10-0-1-10|||||3f2a' 'ip-10-0-2-10|||||0b1c' 'ip-10-0-3-10|||||'; else printf '%s\\n' 'ip-10-0-1-10|||||3f2a' 'ip-10-0-2-10|||||3f2a' 'ip-10-0-3-10|||||3f2a'; fi; }",
        ].join('\n'),
      );
      expect(r.status).toBe(0);
      expect(r.out).toContain('the controller has not resolved the Plan at v1.36.1+rke2r1 yet (status: version none, hash none)');
      expect(r.out).toContain('the controller is still applying the Plan on ["ip-10-0-1-10"]');
      expect(r.out).toContain("the controller has not marked ip-10-0-2-10, ip-10-0-3-10 done with the Plan's hash 3f2a");
      expect(r.out).toContain('the API did not answer for the Plan system-upgrade/server-plan');
      expect(r.slept).toBe(40);
      expect(r.calls).toContain('{.metadata.labels.plan\\.upgrade\\.cattle\\.io/server-plan}');
    });

    it('fails at its budget while the controller never finishes the Plan, saying so', () => {
      const NEW = ['ip-10-0-1-10 v1.36.1+rke2r1 True', 'ip-10-0-2-10 v1.36.1+rke2r1 True', 'ip-10-0-3-10 v1.36.1+rke2r1 True'];
      const r = gate(
        { ...upgrade, DEADLINE_SECONDS: '60' },
        ['apply() { echo unchanged; }', table(NEW), 'plan_status() { echo "v1.36.1-rke2r1|3f2a|[\\"ip-10-0-2-10\\"]"; }'].join('\n'),
      );
      expect(r.status).toBe(1);
      expect(r.out.trim().split('\n').at(-2)).toBe(
        '00:00:00 upgrade: NOT READY after 60 s: the controller is still applying the Plan on ["ip-10-0-2-10"]',
      );
    });

    it('gives up within the budget when the Plan is never accepted (no controller), saying so', () => {
      const r = gate({ ...upgrade, DEADLINE_SECONDS: '30' }, '');
      expect(r.status).toBe(1);
      expect(r.out).toContain('NOT READY after 30 s: the upgrade Plan is not accepted yet: error: resource mapping not found');
      expect(r.calls).not.toContain('get nodes');
    });
  });

  describe('prepare (the upgrade Plan holds each server until the others are whole)', () => {
    const NEW = 'v1.36.1+rke2r1';
    const OLD = 'v1.35.7+rke2r1';
    const HASH = '3f2a';
    const prepare = {
      GATE: 'prepare',
      VERSION: NEW,
      SERVERS: '3',
      EMBEDDED_ETCD: 'true',
      SYSTEM_UPGRADE_NODE_NAME: 'ip-10-0-2-10',
      SYSTEM_UPGRADE_PLAN_NAME: 'server-plan',
      SYSTEM_UPGRADE_PLAN_LATEST_HASH: HASH,
    };
    /** name|kubelet|Ready|EtcdIsVoter|unschedulable|hash label, per poll (the last one repeats). */
    const rows = (...polls: string[][]) =>
      [
        'server_rows() { case $POLLS in',
        ...polls.map((lines, i) => `  ${i === polls.length - 1 ? '*' : i}) printf '%s\n' ${lines.map((l) => JSON.stringify(l)).join(' ')} ;;`),
        'esac; }',
      ].join('\n');
    const WHOLE = [`ip-10-0-1-10|${NEW}|True|True||${HASH}`, `ip-10-0-2-10|${OLD}|True|True||`, `ip-10-0-3-10|${OLD}|True|True||`];

    it('waits while the server upgraded before is not back on the version (stale Ready, then not a voter), then lets the upgrade go on', () => {
      const r = gate(
        prepare,
        rows(
          // Just killed: still Ready in the API (the node's status lags), marked done, the old kubelet's version.
          [`ip-10-0-1-10|${OLD}|True|True||${HASH}`, `ip-10-0-2-10|${OLD}|True|True||`, `ip-10-0-3-10|${OLD}|True|True||`],
          [`ip-10-0-1-10|${NEW}|False|True||${HASH}`, `ip-10-0-2-10|${OLD}|True|True||`, `ip-10-0-3-10|${OLD}|True|True||`],
          [`ip-10-0-1-10|${NEW}|True|False||${HASH}`, `ip-10-0-2-10|${OLD}|True|True||`, `ip-10-0-3-10|${OLD}|True|True||`],
          WHOLE,
        ),
      );
      expect(r.status).toBe(0);
      expect(r.out).toContain(`before upgrading ip-10-0-2-10: ip-10-0-1-10 is marked upgraded but runs ${OLD}`);
      expect(r.out).toContain('before upgrading ip-10-0-2-10: ip-10-0-1-10 is not Ready');
      expect(r.out).toContain('before upgrading ip-10-0-2-10: ip-10-0-1-10 is not a voting etcd member');
      expect(r.out).toContain('the 2 other servers are whole; upgrading ip-10-0-2-10');
      expect(r.slept).toBe(30);
      expect(r.calls).toContain('{.metadata.labels.plan\\.upgrade\\.cattle\\.io/server-plan}');
    });

    it('goes on at once when the other servers are whole (this node not Ready itself does not matter)', () => {
      const r = gate(prepare, rows([`ip-10-0-1-10|${OLD}|True|True||`, `ip-10-0-2-10|${OLD}|False|False||`, `ip-10-0-3-10|${OLD}|True|True||`]));
      expect(r.status).toBe(0);
      expect(r.slept).toBe(0);
    });

    it('holds while another server is cordoned or missing, and fails at its bound naming why (the controller retries the Job)', () => {
      const r = gate({ ...prepare, DEADLINE_SECONDS: '60' }, rows([`ip-10-0-1-10|${OLD}|True|True|true|`, `ip-10-0-2-10|${OLD}|True|True||`]));
      expect(r.status).toBe(1);
      expect(r.slept).toBe(60);
      expect(r.out.trim().split('\n').at(-2)).toBe(
        '00:00:00 prepare: NOT READY after 60 s: before upgrading ip-10-0-2-10: ip-10-0-1-10 is cordoned; only 1 of the 2 other servers are registered',
      );
    });

    it('waits while a server restarts to renew its certificates (the restart Lease is held), not for a Lease that expired', () => {
      const iso = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000).toISOString();
      const held = gate({ ...prepare, DEADLINE_SECONDS: '60' }, [rows(WHOLE), `lease() { echo "ip-10-0-3-10|${iso(60)}|1800"; }`].join('\n'));
      expect(held.status).toBe(1);
      expect(held.out).toContain(
        'before upgrading ip-10-0-2-10: ip-10-0-3-10 is restarting to renew its certificates (Lease kube-system/rancher-aws-server-restart)',
      );
      const released = gate(
        prepare,
        [
          rows(WHOLE),
          `lease() { if [ "$POLLS" -lt 2 ]; then echo "ip-10-0-3-10|${iso(60)}|1800"; else echo "Error from server (NotFound): not found"; return 1; fi; }`,
        ].join('\n'),
      );
      expect(released.status).toBe(0);
      expect(released.slept).toBe(20);
      const expired = gate(prepare, [rows(WHOLE), `lease() { echo "ip-10-0-3-10|${iso(3600)}|1800"; }`].join('\n'));
      expect(expired.status).toBe(0);
      expect(expired.slept).toBe(0);
      const unreadable = gate(
        { ...prepare, DEADLINE_SECONDS: '20' },
        [rows(WHOLE), 'lease() { echo "Unable to connect to the server: EOF"; return 1; }'].join('\n'),
      );
      expect(unreadable.status).toBe(1);
      expect(unreadable.out).toContain('could not read the Lease kube-system/rancher-aws-server-restart: Unable to connect to the server: EOF');
    });

    it('waits while a roll holds the restart Lease, unless the roll has this very server out (its address in rancher-ha-aws/out)', () => {
      const iso = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000).toISOString();
      const roll = 'laptop/4242/2026-11-23T08:00:00.000Z';
      // The rows with addresses, dual stack as kubectl's jsonpath prints a Node's two InternalIPs (space separated):
      // this Job's node is ip-10-0-2-10 at 10.0.2.10 and fd00:10:0:2::a.
      const whole = WHOLE.map((row) => `${row}|${row.replace(/^ip-(\d+)-(\d+)-(\d+)-(\d+)\|.*$/, '$1.$2.$3.$4 fd00:10:0:$3::a')}`);
      const during = gate({ ...prepare, DEADLINE_SECONDS: '60' }, [rows(whole), `lease() { echo "${roll}|${iso(60)}|3600"; }`].join('\n'));
      expect(during.status).toBe(1);
      expect(during.out).toContain(
        `before upgrading ip-10-0-2-10: a roll holds the servers' restart Lease (kube-system/rancher-aws-server-restart, ${roll})`,
      );
      const another = gate({ ...prepare, DEADLINE_SECONDS: '60' }, [rows(whole), `lease() { echo "${roll}|${iso(60)}|3600|10.0.1.10"; }`].join('\n'));
      expect(another.status).toBe(1);
      expect(another.out).toContain(`a roll holds the servers' restart Lease (kube-system/rancher-aws-server-restart, ${roll}) with 10.0.1.10 out`);
      // Never free by age while it names another server out (a roll whose machine was lost with a server out).
      const staleOut = gate(
        { ...prepare, DEADLINE_SECONDS: '60' },
        [rows(whole), `lease() { echo "${roll}|${iso(7200)}|3600|10.0.1.10"; }`].join('\n'),
      );
      expect(staleOut.status).toBe(1);
      expect(staleOut.out).toContain('with 10.0.1.10 out');
      // Given back: no holder (and a one-second duration).
      const given = gate(prepare, [rows(whole), `lease() { echo "|${iso(0)}|1|"; }`].join('\n'));
      expect(given.status).toBe(0);
      expect(given.slept).toBe(0);
      const own = gate(prepare, [rows(whole), `lease() { echo "${roll}|${iso(60)}|3600|10.0.2.10"; }`].join('\n'));
      expect(own.status).toBe(0);
      expect(own.slept).toBe(0);
      expect(own.calls).toContain('{.status.addresses[?(@.type=="InternalIP")].address}');
      // The roll's own server out, but another server not whole: still waits.
      const broken = gate(
        { ...prepare, DEADLINE_SECONDS: '60' },
        [rows([whole[0].replace('|True|True|', '|False|True|'), whole[1], whole[2]]), `lease() { echo "${roll}|${iso(60)}|3600|10.0.2.10"; }`].join(
          '\n',
        ),
      );
      expect(broken.status).toBe(1);
      expect(broken.out).toContain('ip-10-0-1-10 is not Ready');
    });

    it('K3s (external datastore): does not ask for etcd voters; an API error is waited out', () => {
      const k3s = { ...prepare, VERSION: 'v1.36.1+k3s1', EMBEDDED_ETCD: 'false' };
      const r = gate(
        k3s,
        [
          'server_rows() { if [ "$POLLS" -lt 1 ]; then echo "Unable to connect to the server: EOF" >&2; return 1; fi',
          "  printf '%s\\n' 'ip-10-0-1-10|v1.36.1+k3s1|True|||3f2a' 'ip-10-0-2-10|v1.35.7+k3s1|True|||' 'ip-10-0-3-10|v1.35.7+k3s1|True|||'; }",
        ].join('\n'),
      );
      expect(r.status).toBe(0);
      expect(r.out).toContain('the API did not answer the node list');
      expect(r.slept).toBe(10);
    });
  });
  describe('admitted (after Rancher answers, with the CIS profile)', () => {
    const admitted = { GATE: 'admitted', ROUNDS: '6' };
    // What the controllers record when Pod Security admission refuses their pods: a FailedCreate Warning on the
    // ReplicaSet, DaemonSet or Job, the API's refusal as the message (rancher/rancher#49649 quotes the ReplicaSet's
    // for the rancher container on a cluster started with RKE2's CIS profile).
    const refusal =
      'ReplicaSet cattle-capi-system/capi-controller-manager-6c9f7d8b5: Error creating: pods "capi-controller-manager-6c9f7d8b5-x2x7q" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "manager" must set securityContext.allowPrivilegeEscalation=false)';

    it('passes after its rounds when no pod is refused, other FailedCreate Events (quota) notwithstanding', () => {
      const r = gate(
        admitted,
        `failed_creates() { echo 'ReplicaSet default/web-1: Error creating: pods "web-1-a" is forbidden: exceeded quota: compute'; }`,
      );
      expect(r.status).toBe(0);
      expect(r.slept).toBe(50);
      expect(r.out).toContain('no pod refused by Pod Security admission in 6 rounds');
    });

    it('fails at once naming every controller refused, as an Event on its Job too, without waiting out its rounds', () => {
      const job = { JOB_NAME: 'rancher-aws-pods-admitted-0a1b2c3d4e', JOB_NAMESPACE: 'rancher-aws-gates' };
      const second =
        'DaemonSet fleet-local/fleet-agent: Error creating: pods "fleet-agent-q" is forbidden: violates PodSecurity "restricted:latest": runAsNonRoot != true';
      const r = gate(
        { ...admitted, ...job },
        `failed_creates() { [ "$POLLS" -ge 2 ] || return 0; printf '%s\\n' '${refusal}' '${second}' '${refusal}'; }`,
      );
      expect(r.status).toBe(1);
      // Three rounds listed (two clean, then the refusals), not six: the gate stops at the first refusal.
      expect(r.calls.split('\n').filter((line) => line.startsWith('kubectl get events'))).toHaveLength(3);
      expect(r.out).toContain(
        `NOT ADMITTED: pods refused by Pod Security admission (exempt their namespace, or fix their security context): ${second};${refusal};`,
      );
      const event = r.calls.split('\n').find((line) => line.startsWith('{"apiVersion":"v1","kind":"Event"'));
      expect(JSON.parse(event!).message).toMatch(
        /^admitted: NOT ADMITTED: pods refused by Pod Security admission .*cattle-capi-system\/capi-controller-manager/,
      );
    });

    it('treats an API error as a round not yet counted', () => {
      const r = gate(
        { ...admitted, ROUNDS: '2' },
        'failed_creates() { [ "$POLLS" -ge 1 ] || { echo "Unable to connect to the server: EOF" >&2; return 1; }; }',
      );
      expect(r.status).toBe(0);
      expect(r.out).toContain('could not list the Events');
      expect(r.slept).toBe(20);
    });
  });
});
