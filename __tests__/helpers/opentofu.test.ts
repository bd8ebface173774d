import { functionCalls, hclFeatures, jsonFeatures, OPENTOFU_FEATURES, OPENTOFU_VERSION, outsideOpenTofu } from './opentofu';

describe('the OpenTofu language check', () => {
  it('names the OpenTofu release it checks against, and no feature of a later one', () => {
    expect(OPENTOFU_VERSION).toBe('1.10');
    expect(outsideOpenTofu(Object.keys(OPENTOFU_FEATURES))).toEqual([]);
  });

  it("refuses Terraform's features OpenTofu does not have, and anything not on the list", () => {
    const json = {
      terraform: { required_version: '>= 1.10', backend: { s3: { bucket: 'b', key: 'k', region: 'eu-west-1', use_lockfile: true } } },
      ephemeral: { aws_secretsmanager_secret_version: { token: { secret_id: 'x' } } },
      action: { aws_lambda_invoke: { go: {} } },
      import: [{ for_each: '${toset(["a"])}', to: 'aws_s3_bucket.b[each.key]', id: '${each.key}' }],
      resource: {
        aws_db_instance: { db: { password_wo: '${var.p}', password_wo_version: 1 } },
        terraform_data: { t: { input: '${templatestring(local.t, {})}' } },
      },
      output: { o: { value: '${provider::aws::arn_parse(var.arn)}', ephemeral: true } },
    };
    expect(outsideOpenTofu(jsonFeatures(json))).toEqual([
      'block action',
      'block ephemeral',
      'block import',
      'function templatestring',
      'import for_each',
      'import id',
      'import to',
      'output ephemeral',
      'provider function provider::aws::arn_parse',
      'resource write-only argument',
    ]);
  });

  it('reads functions in interpolations and directives only, not in literal text or escapes', () => {
    const calls = functionCalls({
      a: 'echo $(date) ; f() { :; }; $${not_a_call(1)} %%{ if nope(2) }',
      b: '${join(",", [for s in var.x : "${upper(s)}-${format("%s", s)}"])}',
      c: '%{ if length(var.y) > 0 }yes%{ endif }',
      d: '${jsonencode({ "k(v)" = lower("A") })}',
      variable: { type: 'list(string)', description: 'see max(1)' },
    });
    expect([...calls].sort()).toEqual(['format', 'join', 'jsonencode', 'length', 'lower', 'upper']);
  });

  it("reads an HCL module's blocks and Terraform's own arguments, skipping heredocs and multi-line values", () => {
    const hcl = [
      'terraform {',
      '  required_version = ">= 1.10"',
      '  backend "s3" {',
      '    use_lockfile = true',
      '  }',
      '}',
      'resource "aws_instance" "a" {',
      '  user_data = <<EOT',
      'removed {',
      'EOT',
      '  tags = {',
      '    count = 1',
      '  }',
      '  ebs_block_device {',
      '    lifecycle = "x"',
      '  }',
      '  lifecycle {',
      '    ignore_changes = [ami]',
      '    precondition {',
      '      condition     = true',
      '      error_message = "x"',
      '    }',
      '  }',
      '}',
      'ephemeral "random_password" "p" {',
      '}',
      'removed {',
      '  from = aws_instance.b',
      '  lifecycle {',
      '    destroy = false',
      '  }',
      '}',
    ].join('\n');
    expect([...hclFeatures(hcl)].sort()).toEqual([
      'backend s3',
      'backend s3 use_lockfile',
      'block ephemeral',
      'block removed',
      'block resource',
      'block terraform',
      'removed from',
      'removed lifecycle',
      'removed lifecycle destroy',
      'resource lifecycle',
      'resource lifecycle ignore_changes',
      'resource lifecycle precondition',
      'terraform required_version',
    ]);
    expect(outsideOpenTofu(hclFeatures(hcl))).toEqual(['block ephemeral']);
  });
});
