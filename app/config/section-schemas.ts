import { z } from 'zod';
import { DOCKER_FIELDS, dockerRules } from '../../lib/config/docker-schema';
import { K8S_HA_FIELDS } from '../../lib/config/k8s-ha-schema';
import { RKE_HA_FIELDS, rkeHaRules } from '../../lib/config/rke-ha-schema';

/*
 * The settings file's three stack sections: each construct's own fields, nested under the section a construct takes
 * flat (lib/config/deployment-schema.ts), with the rules within those fields naming them as the file does
 * (`rkeHa.nodeCount`). An absent or empty section is all defaults.
 */

/** The `rkeHa` section: RancherOnRke's own props. */
export const rkeHaSchema = z
  .strictObject(RKE_HA_FIELDS)
  .superRefine(
    rkeHaRules((field) => `rkeHa.${field}`),
    { when: () => true },
  )
  .prefault({});

/** The `k8sHa` section: RancherOnExistingCluster's own props. */
export const k8sHaSchema = z.strictObject(K8S_HA_FIELDS).prefault({});

/** The `docker` section: RancherOnDocker's own props. */
export const dockerSchema = z
  .strictObject(DOCKER_FIELDS)
  .superRefine(
    dockerRules((field) => `docker.${field}`),
    { when: () => true },
  )
  .prefault({});
