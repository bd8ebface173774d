import type { KubeClient } from './client';
import { kubeFailure } from './errors';

/** An action on a resource, as `kubectl auth can-i VERB RESOURCE` names it; no namespace: every namespace. */
export interface AccessAsked {
  readonly verb: string;
  /** A resource's plural, or `*`. */
  readonly resource: string;
  /** Its API group ('' the core group; `*` every group). */
  readonly group?: string;
  readonly namespace?: string;
}

/** Whether the kubeconfig's user may do it, and the authorizer's reason when it says. */
export interface AccessAnswer {
  readonly allowed: boolean;
  readonly reason?: string;
}

/**
 * Asks the API server whether the kubeconfig's own user may do `asked`: a SelfSubjectAccessReview, which is what
 * `kubectl auth can-i` sends (kubernetes/kubectl v0.35.7 `pkg/cmd/auth/cani.go`: the verb, the resource as given when
 * it is `*`, the namespace empty with `--all-namespaces`), read from its status.allowed.
 */
export async function selfAccess(client: KubeClient, asked: AccessAsked): Promise<AccessAnswer> {
  const what = `Asking whether the kubeconfig's user may ${asked.verb} ${asked.resource}`;
  try {
    const review = await client.authorization.createSelfSubjectAccessReview({
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: {
          resourceAttributes: {
            verb: asked.verb,
            resource: asked.resource,
            ...(asked.group !== undefined ? { group: asked.group } : {}),
            ...(asked.namespace !== undefined ? { namespace: asked.namespace } : {}),
          },
        },
      },
    });
    const status = review.status;
    return { allowed: status?.allowed === true, ...(status?.reason ? { reason: status.reason } : {}) };
  } catch (error) {
    throw kubeFailure(error, what, client.server, false);
  }
}
