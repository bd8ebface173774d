// A Kubernetes call's failures, apart from the client (errors.ts makes them from client-node's errors): the CLI's
// failure report (cli/shared/io/failure.ts) tells them apart without loading @kubernetes/client-node.

/** The API server's answer to a refused call: apimachinery's Status (its HTTP code, reason and message). */
export interface KubeStatus {
  readonly code: number;
  /** `NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, `Forbidden`, `InternalError`... (apimachinery's StatusReason) */
  readonly reason: string;
  /** The apiserver's own words (an admission webhook's denial is in them). */
  readonly message: string;
}

/** The API server refused the call: its Status, in its words. */
export class KubeRefused extends Error {
  constructor(
    readonly what: string,
    readonly status: KubeStatus,
  ) {
    super(`${what}: the API server refused it (${status.code} ${status.reason}): ${status.message}`);
  }
}

/** No connection to the API server could be made: nothing was sent, so nothing was changed. */
export class KubeUnreachable extends Error {
  constructor(
    readonly what: string,
    readonly server: string,
    cause: string,
  ) {
    super(
      `${what}: the API server ${server} could not be reached (${cause}); nothing was sent. Is the cluster up, and the kubeconfig's server right?`,
    );
  }
}

/**
 * The request was sent and no answer came (the timeout, or the connection dropped): a write may have been applied
 * all the same. Never retried blindly: the caller reads the object again and judges by what it finds (a Lease's
 * holder and renewTime, a resourceVersion moved on).
 */
export class KubeUnanswered extends Error {
  constructor(
    readonly what: string,
    readonly server: string,
    readonly mayHaveApplied: boolean,
    cause: string,
  ) {
    super(
      `${what}: no answer from ${server} (${cause}).${mayHaveApplied ? ' The write may have been applied: read the object again before writing it.' : ''}`,
    );
  }
}
