import { unexpectedChanges } from '../../../cli/roll/plan-check';
import type { SavedPlan } from '../../../cli/shared/terraform';

// The shape of `terraform show -json <plan file>` (format 1.2): resource_changes, and the configuration with the
// references of every expression, nested blocks as lists of expression maps.
const SERVER = 'aws_instance.server-0_instance_4FD5C88A';
const plan = (changes: [string, string[], ('managed' | 'data')?][]) => ({
  resource_changes: changes.map(([address, actions, mode]) => ({ address, mode: mode ?? 'managed', change: { actions } })),
  configuration: {
    root_module: {
      resources: [
        {
          address: SERVER,
          expressions: { ami: { references: ['terraform_data.ami_recorded-image_1', 'terraform_data.ami_recorded-image_1.output'] } },
        },
        {
          address: 'aws_lb_target_group_attachment.load-balancer_server-0-443_B7A36766',
          expressions: { target_id: { references: [`${SERVER}.id`, SERVER] } },
        },
        {
          address: 'terraform_data.server-0_user-data-record_B8A3FF65',
          expressions: { triggers_replace: [{ id: { references: [`${SERVER}.id`] } }] },
        },
        {
          address: 'aws_lb_target_group_attachment.load-balancer_server-1-443_1',
          expressions: { target_id: { references: ['aws_instance.server-1_instance_2E9E3769.id'] } },
        },
      ],
    },
  },
});

describe('unexpectedChanges', () => {
  it('accepts the replacement, what refers to the server (nested blocks too), data reads and no-ops', () => {
    expect(
      unexpectedChanges(
        plan([
          [SERVER, ['delete', 'create']],
          ['aws_lb_target_group_attachment.load-balancer_server-0-443_B7A36766', ['delete', 'create']],
          ['terraform_data.server-0_user-data-record_B8A3FF65', ['update']],
          ['aws_lb_target_group_attachment.load-balancer_server-1-443_1', ['no-op']],
          ['data.http.api-readiness_readyz', ['read'], 'data'],
        ]),
        [SERVER],
      ),
    ).toEqual([]);
  });

  it('names every other change: another server, an upgrade record, what the server itself refers to', () => {
    expect(
      unexpectedChanges(
        plan([
          [SERVER, ['delete', 'create']],
          ['aws_lb_target_group_attachment.load-balancer_server-1-443_1', ['delete', 'create']],
          ['kubernetes_config_map_v1.kubernetes-upgrade_target_config-map_1', ['update']],
          ['terraform_data.ami_recorded-image_1', ['delete', 'create']],
        ]),
        [SERVER],
      ),
    ).toEqual([
      'aws_lb_target_group_attachment.load-balancer_server-1-443_1 (delete, create)',
      'kubernetes_config_map_v1.kubernetes-upgrade_target_config-map_1 (update)',
      'terraform_data.ami_recorded-image_1 (delete, create)',
    ]);
    // A prefix of another address is not a reference to it.
    expect(unexpectedChanges(plan([['aws_instance.server-0_instance_4FD5C88A0', ['create']]]), [SERVER])).toEqual([
      'aws_instance.server-0_instance_4FD5C88A0 (create)',
    ]);
  });

  it('reads a plan as Terraform writes it: constant values beside references, an attachment naming its target group too', () => {
    const SERVER_1 = 'aws_instance.server-1_instance_2E9E3769';
    const real: SavedPlan = {
      resource_changes: [
        { address: SERVER, mode: 'managed', change: { actions: ['delete', 'create'] } },
        { address: 'aws_lb_target_group_attachment.load-balancer_server-0-443_B7A36766', mode: 'managed', change: { actions: ['delete', 'create'] } },
        { address: 'aws_lb_target_group_attachment.load-balancer_server-1-443_1', mode: 'managed', change: { actions: ['delete', 'create'] } },
      ],
      configuration: {
        root_module: {
          resources: [
            // A constant is a string (`constant_value`), never walked into.
            { address: SERVER, expressions: { instance_type: { constant_value: 'm6i.xlarge' }, tags: { constant_value: { Name: 'server-0' } } } },
            {
              // An attachment refers to its target group and to its server: it follows the server it names.
              address: 'aws_lb_target_group_attachment.load-balancer_server-0-443_B7A36766',
              expressions: {
                port: { constant_value: 443 },
                target_group_arn: { references: ['aws_lb_target_group.load-balancer_tg-443_1.arn', 'aws_lb_target_group.load-balancer_tg-443_1'] },
                target_id: { references: [`${SERVER}.id`, SERVER] },
              },
            },
            {
              address: 'aws_lb_target_group_attachment.load-balancer_server-1-443_1',
              expressions: { target_id: { references: [`${SERVER_1}.id`, SERVER_1] } },
            },
          ],
        },
      },
    };
    expect(unexpectedChanges(real, [SERVER])).toEqual(['aws_lb_target_group_attachment.load-balancer_server-1-443_1 (delete, create)']);
    // Two servers replaced in one plan (the roll's --new-image record and a server): what follows either is accepted.
    expect(unexpectedChanges(real, [SERVER, SERVER_1])).toEqual([]);
  });
});
