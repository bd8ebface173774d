import { z } from 'zod';
import { wholeNumber } from './primitives';
import { TIMEOUT_DEFAULTS as D } from './wait-budgets';

/**
 * `timeouts`: the time budget of every wait of a deploy, in minutes. Each gate
 * polls something real and fails with a message naming what did not become
 * ready once its budget is spent; nothing waits longer than its budget. The
 * defaults fit a first deploy in a typical region; raise them for slow image
 * registries or proxies. docs/design-notes.md ("Deploy timeline") shows
 * which of them lie on the critical path.
 */
export const timeoutsSchema = z
  .strictObject({
    /** The Kubernetes API answers /readyz through the load balancer (install and first start of the first server). */
    apiMinutes: wholeNumber(5, 120).default(D.apiMinutes),
    /** Every server is a Ready node (its API server and etcd member included); joins run one after another. */
    serversMinutes: wholeNumber(5, 120).default(D.serversMinutes),
    /** The ingress controller admits Ingresses (its admission webhook serves) or runs (Traefik). */
    ingressMinutes: wholeNumber(2, 60).default(D.ingressMinutes),
    /** The cert-manager Helm release, its startup check included. */
    certManagerMinutes: wholeNumber(2, 60).default(D.certManagerMinutes),
    /** The Rancher Helm release: its pods rolled out. */
    rancherMinutes: wholeNumber(5, 120).default(D.rancherMinutes),
    /** cert-manager issued Rancher's ingress certificate (issuers rancher, ca, acme at the ingress). */
    certificateMinutes: wholeNumber(2, 120).default(D.certificateMinutes),
    /**
     * Each server's in-place Kubernetes upgrade (the upgrade Job's deadline: cordon, new binary, restart, Ready
     * again); the apply waits this many minutes per server for every node to run the new version.
     */
    upgradeMinutes: wholeNumber(5, 60).default(D.upgradeMinutes),
    /** https://<hostname>/ping answers "pong" (docker: includes installing Docker, pulling the image and the first start). */
    pingMinutes: wholeNumber(2, 60).default(D.pingMinutes),
    /**
     * Each wait of the first-login bootstrap (rancher2 provider `timeout`): Rancher's /ping, the admin login, the
     * local cluster becoming active. Every plan waits on the login too when Rancher is slow to answer.
     */
    bootstrapMinutes: wholeNumber(1, 60).default(D.bootstrapMinutes),
  })
  .prefault({});

export type TimeoutSettings = z.output<typeof timeoutsSchema>;
