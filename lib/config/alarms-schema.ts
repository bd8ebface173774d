import { z } from 'zod';
import { email } from './primitives';

/**
 * `alarms`: CloudWatch alarms on what AWS already measures (rke-ha: the
 * load balancer's targets, the servers' status checks, Rancher's `/ping`
 * through its name, the etcd snapshots' freshness, an ACM certificate's
 * expiry; docker: the host's status checks, `/ping`, the ACM certificate),
 * notifying an SNS topic of the stack's (docs/day-2.md, "Alarms"). k8s-ha
 * has none.
 */
export const alarmsSchema = z
  .strictObject({
    /** Create the topic and the alarms (about $2-4 a month, docs/cost.md). */
    enabled: z.boolean().default(true),
    /** An e-mail address subscribed to the topic (AWS sends a confirmation first). Unset: subscribe yourself. */
    email: email.optional(),
  })
  .prefault({});
