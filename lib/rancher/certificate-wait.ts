import { INGRESS_SECRET } from '../tls/tls-plan';
import { RANCHER_NAMESPACE } from './namespace';

/**
 * The image Rancher's own chart uses for its hooks (chart 2.14.4,
 * `postDelete.image`): kubectl and bash, and already mirrored by an air-gapped
 * install.
 */
export const SHELL_IMAGE = { repository: 'rancher/shell', tag: 'v0.7.1' } as const;

const NAME = 'rancher-certificate-wait';
const TIMEOUT_SECONDS = 900;

/** A Helm hook: created after install/upgrade, replaced on the next run, deleted once it succeeded. */
function hook(weight: number): Record<string, string> {
  return {
    'helm.sh/hook': 'post-install,post-upgrade',
    'helm.sh/hook-weight': String(weight),
    'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
  };
}

/**
 * Manifests for the Rancher chart's `extraObjects`: a post-install hook Job
 * that waits until cert-manager reports `tls-rancher-ingress` Ready. Helm
 * waits for hooks, so the release only completes once the ingress serves
 * the real certificate; the deploy's final probe, which cannot retry a
 * certificate error, then never meets the ingress's placeholder.
 */
export function certificateWaitObjects(registry?: string): Record<string, unknown>[] {
  const image = `${registry ? `${registry}/` : ''}${SHELL_IMAGE.repository}:${SHELL_IMAGE.tag}`;
  const metadata = (weight: number) => ({ name: NAME, namespace: RANCHER_NAMESPACE, annotations: hook(weight) });
  const script = [
    `until kubectl -n ${RANCHER_NAMESPACE} get certificate ${INGRESS_SECRET} >/dev/null 2>&1; do sleep 5; done`,
    `kubectl -n ${RANCHER_NAMESPACE} wait --for=condition=Ready certificate/${INGRESS_SECRET} --timeout=${TIMEOUT_SECONDS}s`,
  ].join('\n');
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadata(-5) },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: metadata(-5),
      rules: [{ apiGroups: ['cert-manager.io'], resources: ['certificates'], verbs: ['get', 'list', 'watch'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: metadata(-5),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: NAME },
      subjects: [{ kind: 'ServiceAccount', name: NAME, namespace: RANCHER_NAMESPACE }],
    },
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: metadata(0),
      spec: {
        backoffLimit: 3,
        activeDeadlineSeconds: TIMEOUT_SECONDS + 60,
        template: {
          spec: {
            serviceAccountName: NAME,
            restartPolicy: 'Never',
            securityContext: { runAsNonRoot: true, runAsUser: 1000 },
            containers: [
              {
                name: 'wait',
                image,
                command: ['bash', '-ec', script],
                // kubectl keeps a discovery cache under $HOME.
                env: [{ name: 'HOME', value: '/tmp' }],
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              },
            ],
          },
        },
      },
    },
  ];
}
