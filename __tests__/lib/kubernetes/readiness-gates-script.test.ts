import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runValidator } from '../../helpers/validators';

const SCRIPT_PATH = join(__dirname, '../../../lib/kubernetes/readiness-gates.sh');
const SCRIPT = readFileSync(SCRIPT_PATH, 'utf8');

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
    'date() { echo 00:00:00; }',
    'trues() { local i; for ((i = 0; i < $1; i++)); do echo True; done; echo False; }',
    // Defaults: nothing ready, the API answers.
    'nodes() { echo 0; }; apiservers() { echo 0; }; voters() { echo 0; }; webhook() { return 1; }; available() { echo ""; }',
    'admit() { echo "Error from server (InternalError): failed calling webhook \\"validate.nginx.ingress.kubernetes.io\\""; return 1; }',
    'certificate() { echo False; }; certificate_message() { echo "Issuing certificate as Secret does not exist"; }',
    scenario,
    'kubectl() {',
    '  echo "kubectl $*" >>"$CALLS"',
    '  case "$*" in',
    '    "get nodes -l node-role.kubernetes.io/control-plane=true "*"type==\\"Ready\\""*) trues "$(nodes)" ;;',
    '    "get nodes -l node-role.kubernetes.io/etcd=true "*"type==\\"EtcdIsVoter\\""*) trues "$(voters)" ;;',
    '    "get pods -n kube-system -l component=kube-apiserver "*"type==\\"Ready\\""*) trues "$(apiservers)" ;;',
    '    "get validatingwebhookconfiguration "*) webhook ;;',
    '    *" get daemonset "*"numberReady}") available ;;',
    '    *" get deployment "*"availableReplicas}") available ;;',
    '    "create --dry-run=server -o name -f -") cat >>"$CALLS"; admit ;;',
    '    *"certificates.cert-manager.io"*"].status}") certificate ;;',
    '    *"certificates.cert-manager.io"*"].message}") certificate_message ;;',
    '    *) echo "unexpected kubectl $*" >&2; return 99 ;;',
    '  esac',
    '}',
    `. ${JSON.stringify(SCRIPT_PATH)}`,
  ].join('\n');
  const calls = `/tmp/gate-calls-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const result = spawnSync('bash', ['-c', `${script}\nstatus=$?\necho "SLEPT=$SLEPT"\nexit $status`], {
    env: { PATH: process.env.PATH ?? '', CALLS: calls, DEADLINE_SECONDS: '600', ...env },
    encoding: 'utf8',
  });
  const recorded = existsSync(calls) ? readFileSync(calls, 'utf8') : '';
  rmSync(calls, { force: true });
  return { status: result.status, out: result.stdout, err: result.stderr, calls: recorded, slept: Number(/SLEPT=(\d+)/.exec(result.stdout)?.[1]) };
}

describe('readiness-gates.sh', () => {
  it('passes shellcheck', () => {
    expect(runValidator('shellcheck', ['--severity=style'], SCRIPT, 'readiness-gates.sh')).toEqual({ status: 0, output: '' });
  });

  it('refuses an unknown gate', () => {
    expect(gate({ GATE: 'nope' }, '').status).toBe(2);
  });

  describe('servers', () => {
    const rke2 = { GATE: 'servers', SERVERS: '3', EMBEDDED_ETCD: 'true' };

    it('waits until every server is a Ready node, a voting etcd member and runs a ready API server (RKE2)', () => {
      // Nodes become Ready one per poll; promotion to voter lags one poll behind (a learner first).
      const r = gate(rke2, 'nodes() { echo $((POLLS < 2 ? POLLS + 1 : 3)); }; voters() { echo $POLLS; }; apiservers() { echo $((POLLS < 2 ? POLLS + 1 : 3)); }');
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
      expect(r.calls).toContain('kubectl get nodes -l node-role.kubernetes.io/control-plane=true -o jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}');
      expect(r.calls).not.toContain('EtcdIsVoter');
      expect(r.calls).not.toContain('component=kube-apiserver');
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
      const r = gate(nginx, 'webhook() { [ "$POLLS" -ge 2 ]; }; admit() { if [ "$POLLS" -ge 3 ]; then echo ingress/x; return 0; fi; echo "Error from server (InternalError): failed calling webhook"; return 1; }');
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
      expect(r.out).toContain('NOT READY after 20 s: an Ingress of class nginx is not admitted yet: Error from server (InternalError): failed calling webhook "validate.nginx.ingress.kubernetes.io"');
    });

    it('with a controller DaemonSet (RKE2 Traefik), waits for a ready pod first', () => {
      const traefik = { GATE: 'admission', INGRESS_CLASS: 'traefik', NAMESPACE: 'rancher-aws-gates', CONTROLLER_NAMESPACE: 'kube-system', CONTROLLER_KIND: 'daemonset', CONTROLLER: 'rke2-traefik' };
      const r = gate(traefik, 'available() { [ "$POLLS" -ge 1 ] && echo 1; }; admit() { echo ingress/x; }');
      expect(r.status).toBe(0);
      expect(r.out).toContain('daemonset kube-system/rke2-traefik has no ready pod yet');
      expect(r.calls).toContain('kubectl -n kube-system get daemonset rke2-traefik -o jsonpath={.status.numberReady}');
      expect(r.slept).toBe(10);
    });

    it('with a controller Deployment (K3s Traefik), waits for an available replica first', () => {
      const traefik = { GATE: 'admission', INGRESS_CLASS: 'traefik', NAMESPACE: 'rancher-aws-gates', CONTROLLER_NAMESPACE: 'kube-system', CONTROLLER_KIND: 'deployment', CONTROLLER: 'traefik' };
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

    it('fails with cert-manager\'s own message once the budget is spent', () => {
      const r = gate({ ...cert, DEADLINE_SECONDS: '900' }, 'certificate_message() { echo "Waiting on certificate issuance from order cattle-system/tls-rancher-ingress-1: pending"; }');
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
});
