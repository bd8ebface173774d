import { terraformJsonToHcl, type HclSchema } from '../../../lib/synth/hcl';

/** A provider schema given as the paths that are blocks. */
const schema = (...blocks: string[]): HclSchema => ({ isBlock: (path) => blocks.includes(path.join('/')) });

describe('terraformJsonToHcl', () => {
  it('writes resources with nested blocks from the schema, maps and nested attributes as object values', () => {
    const hcl = terraformJsonToHcl(
      {
        resource: {
          aws_lb_listener: {
            http: {
              '//': { metadata: { path: 'stack/lb/http', uniqueId: 'http' } },
              default_action: [{ redirect: { port: '443', protocol: 'HTTPS' }, type: 'redirect' }],
              port: 80,
              tags: { Name: 'x', 'rancher-aws:deployment': 'd' },
            },
          },
          helm_release: { r: { set: [{ name: 'a', value: '${var.v}' }], name: 'r' } },
        },
      },
      schema('resource/aws_lb_listener/default_action', 'resource/aws_lb_listener/default_action/redirect'),
    );
    expect(hcl).toBe(
      [
        '# stack/lb/http',
        'resource "aws_lb_listener" "http" {',
        '  port = 80',
        '  tags = {',
        '    Name                     = "x"',
        '    "rancher-aws:deployment" = "d"',
        '  }',
        '',
        '  default_action {',
        '    type = "redirect"',
        '',
        '    redirect {',
        '      port     = "443"',
        '      protocol = "HTTPS"',
        '    }',
        '  }',
        '}',
        '',
        'resource "helm_release" "r" {',
        '  set = [',
        '    {',
        '      name  = "a"',
        '      value = var.v',
        '    },',
        '  ]',
        '  name = "r"',
        '}',
        '',
      ].join('\n'),
    );
  });

  it("writes Terraform's own blocks: lifecycle conditions as blocks, references bare, meta-arguments in their places", () => {
    const hcl = terraformJsonToHcl(
      {
        data: {
          http: {
            ping: {
              depends_on: ['helm_release.r'],
              count: '${var.n}',
              lifecycle: { postcondition: [{ condition: '${self.status_code == 200}', error_message: 'Got ${self.status_code}.' }] },
              url: 'https://${var.h}/ping',
            },
          },
        },
        resource: { aws_instance: { i: { ami: 'ami-1', lifecycle: { ignore_changes: ['ami', 'user_data'], create_before_destroy: true } } } },
        removed: [{ from: 'helm_release.old', lifecycle: { destroy: false } }],
      },
      schema(),
    );
    expect(hcl).toContain(
      [
        'data "http" "ping" {',
        '  count      = var.n',
        '  url        = "https://${var.h}/ping"',
        '  depends_on = [helm_release.r]',
        '',
        '  lifecycle {',
        '    postcondition {',
        '      condition     = self.status_code == 200',
        '      error_message = "Got ${self.status_code}."',
        '    }',
        '  }',
        '}',
      ].join('\n'),
    );
    expect(hcl).toContain('  lifecycle {\n    ignore_changes        = [ami, user_data]\n    create_before_destroy = true\n  }');
    expect(hcl).toContain('removed {\n  from = helm_release.old\n\n  lifecycle {\n    destroy = false\n  }\n}');
  });

  it('writes variables with a type expression, literal defaults and descriptions, and validation blocks', () => {
    const hcl = terraformJsonToHcl(
      {
        variable: {
          path: {
            type: 'list(string)',
            default: ['~/${HOME}'],
            description: 'Uses %{literally}',
            nullable: false,
            validation: [{ condition: '${length(var.path) > 0}', error_message: 'path is empty.' }],
          },
        },
      },
      schema(),
    );
    expect(hcl).toBe(
      [
        'variable "path" {',
        '  type        = list(string)',
        '  default     = ["~/$${HOME}"]',
        '  description = "Uses %%{literally}"',
        '  nullable    = false',
        '',
        '  validation {',
        '    condition     = length(var.path) > 0',
        '    error_message = "path is empty."',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('writes the terraform block literally, with the version floor, providers and backend', () => {
    const hcl = terraformJsonToHcl(
      {
        terraform: {
          backend: { s3: { bucket: 'b', use_lockfile: true } },
          required_providers: { aws: { source: 'aws', version: '6.25.0' } },
          required_version: '>= 1.10',
        },
      },
      schema(),
    );
    expect(hcl).toBe(
      [
        'terraform {',
        '  required_version = ">= 1.10"',
        '',
        '  backend "s3" {',
        '    bucket       = "b"',
        '    use_lockfile = true',
        '  }',
        '',
        '  required_providers {',
        '    aws = {',
        '      source  = "aws"',
        '      version = "6.25.0"',
        '    }',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('writes a multi-line string ending in a newline as a heredoc, aligned with its neighbours, its content untouched', () => {
    const hcl = terraformJsonToHcl({ resource: { aws_instance: { i: { user_data: '#!/bin/sh\necho "${var.x}" \\\n', ami: 'a' } } } }, schema());
    expect(hcl).toBe(
      ['resource "aws_instance" "i" {', '  user_data = <<EOT', '#!/bin/sh', 'echo "${var.x}" \\', 'EOT', '  ami       = "a"', '}', ''].join('\n'),
    );
  });

  it("writes a resource's alias by its schema (aws_route53_record's is a block of references), only a provider's alias literally", () => {
    const hcl = terraformJsonToHcl(
      {
        provider: { aws: [{ alias: 'x${y}', region: 'eu-west-1' }] },
        resource: {
          aws_route53_record: {
            r: { alias: { name: '${aws_lb.lb.dns_name}', zone_id: '${aws_lb.lb.zone_id}', evaluate_target_health: true }, name: 'n' },
          },
        },
      },
      schema('resource/aws_route53_record/alias'),
    );
    expect(hcl).toContain('provider "aws" {\n  alias  = "x$${y}"\n  region = "eu-west-1"\n}');
    expect(hcl).toContain(
      [
        'resource "aws_route53_record" "r" {',
        '  name = "n"',
        '',
        '  alias {',
        '    name                   = aws_lb.lb.dns_name',
        '    zone_id                = aws_lb.lb.zone_id',
        '    evaluate_target_health = true',
        '  }',
        '}',
      ].join('\n'),
    );
  });

  it('writes a check block with its scoped data source before its assertions', () => {
    const hcl = terraformJsonToHcl(
      {
        check: {
          api: {
            assert: [
              { condition: '${data.tls_certificate.c.certificates[0].not_after != ""}', error_message: 'ends at ${data.tls_certificate.c.id}' },
            ],
            data: { tls_certificate: { c: { url: 'tls://${aws_lb.a.dns_name}:6443', verify_chain: false } } },
          },
        },
      },
      schema(),
    );
    expect(hcl).toBe(
      [
        'check "api" {',
        '  data "tls_certificate" "c" {',
        '    url          = "tls://${aws_lb.a.dns_name}:6443"',
        '    verify_chain = false',
        '  }',
        '',
        '  assert {',
        '    condition     = data.tls_certificate.c.certificates[0].not_after != ""',
        '    error_message = "ends at ${data.tls_certificate.c.id}"',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('refuses what it does not know how to write, instead of writing something else', () => {
    expect(() => terraformJsonToHcl({ module: { m: { source: './m' } } }, schema())).toThrow('not supported by the HCL output: module');
    expect(() => terraformJsonToHcl({ resource: { t: { n: { dynamic: { ingress: {} } } } } }, schema())).toThrow('"dynamic" is not supported');
    expect(() => terraformJsonToHcl({ resource: { t: { n: { b: '${var.x}' } } } }, schema('resource/t/b'))).toThrow(
      'resource.t.b: a block must be an object',
    );
    expect(() => terraformJsonToHcl({ locals: { l: '${var.a +\n  var.b}' } }, schema())).toThrow('an expression on several lines is not supported');
  });
});
