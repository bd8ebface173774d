import { z } from 'zod';
import { DOCKER_FIELDS, dockerRules } from '../../lib/config/docker-schema';
import { K8S_HA_FIELDS } from '../../lib/config/k8s-ha-schema';
import { RKE_HA_FIELDS, rkeHaRules } from '../../lib/config/rke-ha-schema';
import { rulesOver } from '../../lib/config/rules-over';

/*
 * The settings file's three stack sections: each construct's own fields, nested under the section a construct takes
 * flat (lib/config/deployment-schema.ts), with the rules within those fields naming them as the file does
 * (`rkeHa.nodeCount`). An absent or empty section is all defaults.
 */

/** The `rkeHa` section: RancherOnRke's own props. */
export const rkeHaSchema = rulesOver(
  z.strictObject(RKE_HA_FIELDS),
  rkeHaRules((field) => `rkeHa.${field}`),
).prefault({});

/** The `k8sHa` section: RancherOnExistingCluster's own props. */
export const k8sHaSchema = z.strictObject(K8S_HA_FIELDS).prefault({});

/** The `docker` section: RancherOnDocker's own props. */
export const dockerSchema = rulesOver(
  z.strictObject(DOCKER_FIELDS),
  dockerRules((field) => `docker.${field}`),
).prefault({});
