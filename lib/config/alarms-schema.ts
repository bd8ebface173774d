import { z } from 'zod';
import { email } from './primitives';

/**
 * `alarms`: CloudWatch alarms on what AWS already measures (rke-ha: the
 * load balancer's targets, the servers' status checks, Rancher's `/ping`
 * through its name, the etcd snapshots' and Rancher backups' freshness, an
 * ACM certificate's expiry; docker: the host's status checks, `/ping`, the
 * ACM certificate; k8s-ha: `/ping` through its record and the Rancher
 * backups' freshness, not the cluster, its nodes or its load balancer),
 * notifying an SNS topic of the stack's (docs/day-2.md, "Alarms").
 */
export const alarmsSchema = z
  .strictObject({
    /** Create the topic and the alarms: rke-ha, docker and k8s-ha (about $1-5 a month, docs/cost.md). */
    enabled: z.boolean().default(true),
    /** An e-mail address subscribed to the topic (AWS sends a confirmation first). Unset: subscribe yourself. */
    email: email.optional(),
  })
  .prefault({});
