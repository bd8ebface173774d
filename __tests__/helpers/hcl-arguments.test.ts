import { hclArguments } from './hcl-arguments';

describe('hclArguments', () => {
  it('reads each argument of providers, resources and data sources as a block or an attribute, skipping values, heredocs and meta-arguments', () => {
    const text = [
      'terraform {',
      '  required_providers {',
      '    aws = {',
      '      source = "hashicorp/aws"',
      '    }',
      '  }',
      '}',
      '',
      'provider "aws" {',
      '  alias  = "a"',
      '  region = "eu-west-1"',
      '',
      '  default_tags {',
      '    tags = {',
      '      Name = "x"',
      '    }',
      '  }',
      '}',
      '',
      '# stack/record',
      'resource "aws_route53_record" "r" {',
      '  count = 1',
      '  alias = {',
      '    name = "$${aws_lb.lb.dns_name}"',
      '  }',
      '  user_data = <<EOT',
      'alias {',
      '}',
      'EOT',
      '',
      '  lifecycle {',
      '    ignore_changes = [ami]',
      '  }',
      '}',
      '',
      'data "http" "ping" {',
      '  retry {}',
      '}',
      '',
    ].join('\n');
    expect(hclArguments(text)).toEqual([
      { path: 'provider/aws/region', form: 'attribute' },
      { path: 'provider/aws/default_tags', form: 'block' },
      { path: 'provider/aws/default_tags/tags', form: 'attribute' },
      { path: 'resource/aws_route53_record/alias', form: 'attribute' },
      { path: 'resource/aws_route53_record/user_data', form: 'attribute' },
      { path: 'data/http/retry', form: 'block' },
    ]);
  });

  it('refuses text it cannot read instead of skipping it', () => {
    expect(() => hclArguments('resource "a" "b" {\n  x: 1\n}\n')).toThrow('not an argument, block or closing brace');
    expect(() => hclArguments('resource "a" "b" {\n  x = [\n')).toThrow('ends inside a block or value');
  });
});
