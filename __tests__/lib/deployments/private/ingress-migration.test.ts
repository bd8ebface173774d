import type { TerraformData } from '../../../../lib/common/terraform-data';
import { ingressMigrationConditions } from '../../../../lib/deployments/private/ingress-migration';
import { INGRESS_MIGRATION_STEPS } from '../../../../lib/config/rke-ha-schema';

describe("the move off ingress-nginx speaks RancherOnRke's props", () => {
  // A server's record stands in by the one attribute the conditions read.
  const server = { plannedInput: 'terraform_data.server-0.input' } as unknown as TerraformData;

  it.each(INGRESS_MIGRATION_STEPS)('step %s: every refusal names ingressMigration, none a settings-file section', (step) => {
    const conditions = ingressMigrationConditions({
      step,
      recordedController: 'terraform_data.controller.output',
      rancherRunning: 'terraform_data.rancher.output',
      servers: [server],
      listeners: step === 'done' ? [{ port: 80, forwardsNow: 'a', sideGroupArn: 'b' }] : [],
    });
    expect(conditions.length).toBeGreaterThan(2);
    for (const { errorMessage } of conditions) {
      expect(errorMessage).toMatch(/\bingressMigration\b/);
      expect(errorMessage).not.toMatch(/\brkeHa\./);
    }
  });
});
