import { z } from 'zod';
import { backendSchema } from './backend-schema';
import { deploymentFields } from '../../lib/config/deployment-schema';
import { rulesOver } from '../../lib/config/rules-over';
import { dockerSchema, k8sHaSchema, rkeHaSchema } from './section-schemas';
import { settingsRules } from './settings-rules';
import { standbySettingsSchema } from '../../lib/config/standby-schema';
import { tagsSchema } from './tags-schema';

export { SECURITY_GROUP_INBOUND_RULES } from '../../lib/config/deployment-rules';

/**
 * The settings file schema: the deployment schema's fields (deployment-schema.ts,
 * which the constructs check their props with too), the constructs' rules over its sections and the rules
 * that span them (settings-rules.ts), and the file's own sections: tags, the state backend, and the three stacks'
 * sections. Every field has a documented default so that an
 * empty (or missing) file synthesizes; values only a real deploy can know
 * (hostname, hosted zone) stay unset and become required Terraform variables.
 *
 * Keep `rancher.example.yaml` and the settings table of docs/settings-file.md in step: a test
 * fails when a field here is missing from either. Each stack's section is its
 * construct's own fields (lib/config/<stack>-schema.ts) under the section's name (section-schemas.ts).
 */

const { name, region, hostname, hostedZone, dns, adminCidrs, ...sections } = deploymentFields;

/** The file's fields, before its rules. */
export const settingsFields = z.strictObject({
  name,
  region,
  hostname,
  hostedZone,
  dns,
  adminCidrs,
  /** Extra tags on every AWS resource. */
  tags: tagsSchema,
  backend: backendSchema,
  ...sections,
  /** A cold standby's data in a second region (rke-ha, k8s-ha; docs/standby.md). */
  standby: standbySettingsSchema,
  rkeHa: rkeHaSchema,
  k8sHa: k8sHaSchema,
  docker: dockerSchema,
});

export const settingsSchema = rulesOver(settingsFields, settingsRules);

export type Settings = z.output<typeof settingsSchema>;
export type SettingsInput = z.input<typeof settingsSchema>;
export type BackendSettings = Settings['backend'];
