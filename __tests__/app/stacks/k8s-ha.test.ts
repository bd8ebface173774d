import type { SettingsInput } from '../../../app/config/settings-schema';
import { DEFAULT_VERSIONS, RANCHER_KUBERNETES_RANGE, rancherLine } from '../../../lib/config/versions';
import { blockDifference, dataSources, resources, type TerraformJson } from '../../helpers/synth';
import { gates as gateReleases } from '../../helpers/gates';
import { synthSettings, K8S_HA_STACK } from '../../helpers/variants';
import { PEM_BLOCK, secretLiterals } from '../../helpers/secrets';

function synth(input: SettingsInput | Record<string, unknown> = {}) {
  return synthSettings(K8S_HA_STACK, input);
}

const byPrefix = (entries: Record<string, any>, prefix: string): [string, any] => {
  const found = Object.entries(entries).filter(([name]) => name.startsWith(prefix));
  if (found.length !== 1) throw new Error(`expected one ${prefix}*, found ${found.length}`);
  return found[0];
};
const release = (json: TerraformJson, chart: string) => Object.entries(resources(json, 'helm_release')).find(([, r]) => r.chart === chart);
const address = (kind: 'data' | 'resource', type: string, name: string) => (kind === 'data' ? `data.${type}.${name}` : `${type}.${name}`);

/** No PEM body, private key or absolute path of this machine anywhere in the file. */
function expectPortableAndSecretFree(text: string, json: TerraformJson) {
  expect(text).not.toMatch(/-----BEGIN [A-Z ]+-----\\n[A-Za-z0-9+/=]/);
  expect(secretLiterals(json)).toEqual([]);
  expect(text).not.toContain(process.cwd());
  expect(text).not.toMatch(/"(\/root|\/home|\/tmp|\/work|\/Users)\//);
}

describe('k8s-ha stack with no k8sHa settings (kubeconfig ~/.kube/config)', () => {
  const { json, text } = synth();
  const helmReleases = resources(json, 'helm_release');
  const [certManagerName, certManager] = release(json, 'cert-manager')!;
  const [rancherName, rancher] = release(json, 'rancher')!;
  const [versionName, version] = Object.entries(dataSources(json, 'kubernetes_server_version'))[0];
  const [ingressClassName] = byPrefix(dataSources(json, 'kubernetes_resources'), 'preflight_ingress-class');
  const [secretName, secret] = Object.entries(dataSources(json, 'kubernetes_secret_v1'))[0];
  const [pingName, ping] = byPrefix(dataSources(json, 'http'), 'rancher-readiness_ping');

  it("creates in AWS the record, the backups' bucket and writer and the alarms, and in the cluster the Rancher namespace, the releases and the readiness gates", () => {
    expect(Object.keys(json.resource).sort()).toEqual([
      // The alarms (alarms.enabled, the default; __tests__/app/stacks/k8s-ha-alarms.test.ts): the backups' freshness
      // (EventBridge rule, its queue target, the bucket's notification), /ping (a Route53 health check), the topic and its key.
      'aws_cloudwatch_event_rule',
      'aws_cloudwatch_event_target',
      'aws_cloudwatch_metric_alarm',
      // Rancher's backups (__tests__/app/stacks/backups.test.ts): the operator's writer and its bucket.
      'aws_iam_access_key',
      'aws_iam_user',
      'aws_iam_user_policy',
      'aws_kms_key',
      'aws_route53_health_check',
      'aws_route53_record',
      'aws_s3_bucket',
      'aws_s3_bucket_lifecycle_configuration',
      'aws_s3_bucket_notification',
      'aws_s3_bucket_ownership_controls',
      'aws_s3_bucket_policy',
      'aws_s3_bucket_public_access_block',
      'aws_s3_bucket_server_side_encryption_configuration',
      'aws_s3_bucket_versioning',
      // The record beside the backups that a migration's preflight reads (docs/backups.md, "Preflight").
      'aws_s3_object',
      'aws_sns_topic',
      'aws_sns_topic_policy',
      'aws_sqs_queue',
      'aws_sqs_queue_policy',
      'helm_release',
      'kubernetes_cluster_role_binding_v1',
      'kubernetes_cluster_role_v1',
      // The chart versions the apply installed, which the next plan reads (docs/upgrade.md, "Upgrading").
      'kubernetes_config_map_v1',
      'kubernetes_namespace_v1',
      'kubernetes_role_binding_v1',
      'kubernetes_role_v1',
      // The backup operator's credentials and encryption configuration.
      'kubernetes_secret_v1',
      'kubernetes_service_account_v1',
      'rancher2_bootstrap',
      // The backups' encryption key and the suffix of the operator's secrets.
      'random_bytes',
      'random_id',
      'random_password',
      // The CA of Rancher's the first login trusts, pinned (FirstLogin pinCaCert); the time of the backups' record.
      'terraform_data',
    ]);
    // cert-manager, Rancher, the backup operator's two charts, the readiness gates (each a release of the gate chart), and
    // the first and recurring Backups (each a Job of the gate chart too: lib/rancher/backup-object-jobs.ts).
    expect(Object.keys(helmReleases)).toHaveLength(4 + Object.keys(gateReleases(json)).length + 2);
    expect(Object.keys(helmReleases).filter((name) => name.startsWith('rancher-backups_jobs_')).length).toBe(2);
    // The cluster's ingress controller is not ours to know: the gate only asks for an Ingress of its class to be admitted.
    const gates = Object.values(gateReleases(json)).map((g) => [
      g.id,
      g.job.spec.template.spec.containers[0].env.filter(
        (e: { name: string }) => !['HOME', 'DEADLINE_SECONDS', 'JOB_NAME', 'JOB_NAMESPACE'].includes(e.name),
      ),
    ]);
    expect(gates.sort()).toEqual([
      [
        'rancher-aws-certificate-ready',
        [
          { name: 'GATE', value: 'certificate' },
          { name: 'NAMESPACE', value: 'cattle-system' },
          { name: 'CERTIFICATE', value: 'tls-rancher-ingress' },
          // Replaced, so run again, when a chart version changes.
          { name: 'RERUN_ON', value: `${DEFAULT_VERSIONS.certManager} ${DEFAULT_VERSIONS.rancher}` },
        ],
      ],
      [
        'rancher-aws-ingress-ready',
        [
          { name: 'GATE', value: 'admission' },
          { name: 'INGRESS_CLASS', value: 'traefik' },
          { name: 'NAMESPACE', value: 'rancher-aws-gates' },
        ],
      ],
    ]);
  });

  it('configures Helm and Kubernetes identically from the kubeconfig variables', () => {
    const expected = { config_path: '${pathexpand(var.kubeconfig_path)}', config_context: '${var.kubeconfig_context}' };
    expect(json.provider!.helm[0].kubernetes).toEqual(expected);
    expect(json.provider!.kubernetes[0]).toEqual(expected);
    expect(json.variable!.kubeconfig_path.default).toBe('~/.kube/config');
    expect(json.variable!.kubeconfig_context.default).toBeNull();
    expect(json.variable).not.toHaveProperty('kubernetes_token');
  });

  it('checks the Kubernetes version against the Rancher chart range at plan time', () => {
    const range = RANCHER_KUBERNETES_RANGE[rancherLine(DEFAULT_VERSIONS.rancher)!];
    const [check] = version.lifecycle.postcondition;
    expect(check.condition).toContain(`>= ${range.min} && `);
    expect(check.condition).toContain(`< ${range.maxExclusive}}`);
    expect(version.depends_on).toBeUndefined();
  });

  it('orders preflight → cert-manager → Rancher → readiness', () => {
    expect(certManager.depends_on).toEqual([
      address('data', 'kubernetes_server_version', versionName),
      address('data', 'kubernetes_resources', ingressClassName),
    ]);
    // After cert-manager, the ingress admission gate, and the DNS record (whichever of the three kinds exists): ACME
    // and the certificate wait resolve the name.
    const gate = (name: string) => address('resource', 'helm_release', gateReleases(json)[`rancher-aws-${name}`].address);
    expect([...rancher.depends_on].sort()).toEqual(
      [
        address('resource', 'helm_release', certManagerName),
        gate('ingress-ready'),
        ...Object.keys(resources(json, 'aws_route53_record')).map((n) => address('resource', 'aws_route53_record', n)),
      ].sort(),
    );
    expect(secret.depends_on).toEqual(expect.arrayContaining([address('resource', 'helm_release', rancherName), gate('certificate-ready')]));
    expect(ping.ca_cert_pem).toContain(`data.kubernetes_secret_v1.${secretName}.data`);
  });

  it('installs cert-manager and Rancher with the pinned versions, through the rancher/ constructs', () => {
    expect(certManager).toMatchObject({
      repository: 'https://charts.jetstack.io',
      version: DEFAULT_VERSIONS.certManager,
      namespace: 'cert-manager',
      set: [{ name: 'crds.enabled', value: 'true' }],
      wait: true,
    });
    expect(rancher).toMatchObject({
      repository: 'https://releases.rancher.com/server-charts/stable',
      version: DEFAULT_VERSIONS.rancher,
      create_namespace: false,
    });
    const [namespaceName, namespace] = Object.entries(resources(json, 'kubernetes_namespace_v1')).find(
      ([name]) => !name.startsWith('rancher-backups_'),
    )!;
    expect(namespace.metadata).toEqual({ name: 'cattle-system' });
    expect(rancher.namespace).toBe(`\${kubernetes_namespace_v1.${namespaceName}.metadata[0].name}`);
    expect(rancher.set_sensitive).toEqual([
      { name: 'bootstrapPassword', value: expect.stringMatching(/^\$\{random_password\.rancher_bootstrap-password_[^}]+\.result\}$/) },
    ]);
    // The ingress class a running deployment keeps (k8s-ha-ingress-class.tools.test.ts evaluates it), then the chart
    // upgrade rules (one Rancher minor at a time, never down): tests/lib/kubernetes/upgrade-rules.test.ts; last, the
    // release is not left pending by Helm (pending-release.tools.test.ts plans it).
    expect(rancher.lifecycle.precondition.map((p: { error_message: string }) => p.error_message)).toEqual([
      expect.stringContaining('ingress.className is unset: its default is "traefik" for new deployments'),
      expect.stringContaining('Rancher is not downgraded'),
      expect.stringContaining('Rancher is upgraded one minor at a time'),
      expect.stringContaining('The Helm release "rancher" in namespace cattle-system is '),
    ]);
  });

  it("gives the chart the hostname variable, the replicas, the cluster's ingress class (Traefik's by default) and the shared TLS choice", () => {
    expect(rancher.values).toHaveLength(1);
    expect(rancher.values[0]).toMatch(
      /^\$\{yamlencode\(\{"hostname" = var\.rancher_hostname, "replicas" = 3, "ingress" = \{"ingressClassName" = "traefik", "includeDefaultExtraAnnotations" = false, "extraAnnotations" = \{"nginx\.ingress\.kubernetes\.io\/proxy-connect-timeout" = "30", /,
    );
    expect(rancher.values[0]).not.toContain('helm.sh/hook');
    const custom = synth({ rancher: { replicas: 2 }, k8sHa: { ingress: { className: 'nginx' } } }).json;
    expect(release(custom, 'rancher')![1].values[0]).toContain('"replicas" = 2, "ingress" = {"ingressClassName" = "nginx"');
    expect(byPrefix(dataSources(custom, 'kubernetes_resources'), 'preflight_ingress-class')[1].field_selector).toBe('metadata.name=nginx');
  });

  it("discovers the ingress load balancer from Traefik's Service (its chart's release traefik) unless ingress_target is set", () => {
    const [serviceName, service] = Object.entries(dataSources(json, 'kubernetes_service_v1'))[0];
    expect(service.metadata).toEqual({ namespace: 'traefik', name: 'traefik' });
    // Any other class named in the settings keeps ingress-nginx's Service as its default, as before Traefik was.
    expect(Object.values(dataSources(synth({ k8sHa: { ingress: { className: 'nginx' } } }).json, 'kubernetes_service_v1'))[0].metadata).toEqual({
      namespace: 'ingress-nginx',
      name: 'ingress-nginx-controller',
    });
    expect(service.count).toBe('${var.ingress_target == null ? 1 : 0}');
    expect(service.depends_on).toBeUndefined(); // read at plan time, so the record counts are known then
    expect(json.variable!.ingress_target.default).toBeNull();
    const address = Object.entries(json.locals!).find(([name]) => name.startsWith('ingress_address'))![1];
    expect(address).toContain(`data.kubernetes_service_v1.${serviceName}[0].status[0].load_balancer[0].ingress[0].hostname`);
  });

  it('creates one of an alias, an A or a CNAME record for the Rancher hostname, chosen at plan time', () => {
    const records = resources(json, 'aws_route53_record');
    expect(Object.keys(records)).toHaveLength(3);
    const types = Object.values(records).map((r) => [r.type, String(r.count).match(/== "(\w+)"/)![1]]);
    expect(types.sort()).toEqual([
      ['A', 'A'],
      ['A', 'alias'],
      ['CNAME', 'CNAME'],
    ]);
    for (const record of Object.values(records)) expect(record.name).toBe('${var.rancher_hostname}');
    const [, alias] = byPrefix(records, 'dns_alias');
    expect(alias.alias.zone_id).toMatch(
      /^\$\{one\(concat\(data\.aws_lb_hosted_zone_id\.[^[]+\[\*\]\.id, data\.aws_elb_hosted_zone_id\.[^[]+\[\*\]\.id\)\)\}$/,
    );
    const [, zone] = Object.entries(dataSources(json, 'aws_route53_zone'))[0];
    expect(zone).toMatchObject({ name: '${var.route53_zone_name}', private_zone: false });
  });

  it('waits for https://<hostname>/ping after the release and whichever record exists', () => {
    expect(ping.url).toBe('https://${var.rancher_hostname}/ping');
    const recordAddresses = Object.keys(resources(json, 'aws_route53_record')).map((n) => address('resource', 'aws_route53_record', n));
    expect(secret.depends_on).toEqual(expect.arrayContaining(recordAddresses));
  });

  it('outputs the URL from the probe, the password as sensitive, and the DNS target and record type', () => {
    const out = json.output!;
    expect(Object.keys(out).sort()).toEqual([
      'alarm_topic',
      'dns_record_type',
      'dns_target',
      'rancher_admin_password',
      'rancher_admin_token',
      'rancher_backup_bucket',
      'rancher_backup_encryption_config',
      'rancher_bootstrap_password',
      'rancher_url',
    ]);
    expect(out.rancher_url.value).toBe(`\${trimsuffix(data.http.${pingName}.url, "/ping")}`);
    expect(out.rancher_bootstrap_password.sensitive).toBe(true);
    expect(out.dns_target.value).toMatch(/^\$\{local\.dns_target_[0-9A-F]+\}$/);
    expect(out.dns_record_type.value).toMatch(/^\$\{local\.dns_record-type_[0-9A-F]+\}$/);
  });

  it('is a portable root module: explicit relative backend, no absolute path, no credential', () => {
    expect(json.terraform.backend).toEqual({ local: { path: '../../../terraform.k8s-ha.tfstate' } });
    expectPortableAndSecretFree(text, json);
    expect(json.removed).toBeUndefined();
  });

  it('uses the S3 backend with its own key when configured', () => {
    const s3 = synth({ backend: { type: 's3', bucket: 'acme-tf-state' } }).json;
    expect(s3.terraform.backend.s3).toMatchObject({ key: 'rancher/k8s-ha.tfstate', encrypt: true, use_lockfile: true });
  });

  it('matches the reviewed synthesized Terraform', () => {
    expect(json).toMatchSnapshot();
  });
});

describe('k8s-ha stack with variable-based access, cert-manager already installed and a given DNS target', () => {
  const input = {
    hostname: 'rancher.acme.io',
    hostedZone: 'acme.io',
    k8sHa: {
      access: { variables: true },
      certManager: { install: false },
      ingress: { service: { namespace: 'kube-system', name: 'traefik' } },
      dns: { target: 'k8s-ingress-0123456789abcdef.elb.eu-west-1.amazonaws.com' },
    },
  };
  const { json, text } = synth(input);
  const [rancherName, rancher] = release(json, 'rancher')!;
  const lookups = dataSources(json, 'kubernetes_resources');

  it('configures Helm and Kubernetes identically from the access variables, secrets sensitive', () => {
    const expected = {
      host: '${var.kubernetes_host}',
      cluster_ca_certificate: '${var.kubernetes_cluster_ca_certificate}',
      token: '${var.kubernetes_token}',
      client_certificate: '${var.kubernetes_client_certificate}',
      client_key: '${var.kubernetes_client_key}',
    };
    expect(json.provider!.helm[0].kubernetes).toEqual(expected);
    expect(json.provider!.kubernetes[0]).toEqual(expected);
    expect(json.variable!.kubernetes_token.sensitive).toBe(true);
    expect(json.variable!.kubernetes_client_key.sensitive).toBe(true);
    expect(json.variable).not.toHaveProperty('kubeconfig_path');
  });

  it('holds no credential and no absolute path', () => {
    expectPortableAndSecretFree(text, json);
    for (const name of ['kubernetes_host', 'kubernetes_cluster_ca_certificate']) expect(json.variable![name]).not.toHaveProperty('default');
    for (const name of ['kubernetes_token', 'kubernetes_client_certificate', 'kubernetes_client_key'])
      expect(json.variable![name].default).toBeNull();
  });

  it('installs no cert-manager, checks that one is there, and Rancher waits on the preflight instead', () => {
    expect(release(json, 'cert-manager')).toBeUndefined();
    const [crdName, crd] = byPrefix(lookups, 'preflight_cert-manager');
    expect(crd.field_selector).toBe('metadata.name=issuers.cert-manager.io');
    expect(rancher.depends_on).toEqual(
      expect.arrayContaining([address('data', 'kubernetes_resources', crdName), expect.stringMatching(/^data\.kubernetes_server_version\./)]),
    );
    expect(rancher.depends_on.filter((d: string) => !d.startsWith('aws_route53_record.'))).toHaveLength(4);
    expect(rancherName).toMatch(/^rancher_release_/);
  });

  it('forgets, never uninstalls, a cert-manager this stack installed before the setting was turned off', () => {
    const installed = release(synth({ ...input, k8sHa: { ...input.k8sHa, certManager: { install: true } } }).json, 'cert-manager')![0];
    expect(json.removed).toEqual([{ from: `helm_release.${installed}`, lifecycle: { destroy: false } }]);
  });

  it('takes the DNS target as the ingress_target default, so the Service lookup has no instance', () => {
    expect(json.variable!.ingress_target.default).toBe('k8s-ingress-0123456789abcdef.elb.eu-west-1.amazonaws.com');
    const [, service] = Object.entries(dataSources(json, 'kubernetes_service_v1'))[0];
    expect(service.metadata).toEqual({ namespace: 'kube-system', name: 'traefik' });
  });

  it('keeps the hostname and zone as variable defaults', () => {
    expect(json.variable!.rancher_hostname.default).toBe('rancher.acme.io');
    expect(json.variable!.route53_zone_name.default).toBe('acme.io');
  });

  it('matches the reviewed synthesized Terraform: what differs from the default, block by block (one whole-stack snapshot per stack, above)', () => {
    expect(blockDifference(synth().json, json)).toMatchSnapshot();
  });
});

describe('k8s-ha stack and settings other stacks share', () => {
  it('passes a kubeconfig context through as the variable default', () => {
    const { json } = synth({ k8sHa: { access: { kubeconfig: { path: '~/.kube/prod', context: 'prod-admin' } } } });
    expect(json.variable!.kubeconfig_path.default).toBe('~/.kube/prod');
    expect(json.variable!.kubeconfig_context.default).toBe('prod-admin');
  });

  it('uses the Kubernetes range of the configured Rancher line', () => {
    const { json } = synth({ versions: { rancher: '2.15.0', rke2: 'v1.35.7+rke2r1' } });
    const [, version] = Object.entries(dataSources(json, 'kubernetes_server_version'))[0];
    expect(version.lifecycle.postcondition[0].condition).toContain('>= 34 && ');
    expect(version.lifecycle.postcondition[0].condition).toContain('< 37}');
  });
});

describe('k8s-ha stack: the shared TLS choices', () => {
  const tlsSynth = (tls: NonNullable<NonNullable<SettingsInput['rancher']>['tls']>, k8sHa: SettingsInput['k8sHa'] = {}) =>
    synth({ rancher: { tls }, k8sHa }).json;
  // The TLS secrets; the backup operator's (rancher-backups_*) are checked in __tests__/app/stacks/backups.test.ts.
  const tlsSecretEntries = (json: TerraformJson) =>
    Object.entries(resources(json, 'kubernetes_secret_v1')).filter(([name]) => !name.startsWith('rancher-backups_'));
  const secretNames = (json: TerraformJson) =>
    tlsSecretEntries(json)
      .map(([, s]) => s.metadata.name)
      .sort();
  const tlsVariables = (json: TerraformJson) =>
    Object.keys(json.variable ?? {})
      .filter((v) => v.startsWith('tls_'))
      .sort();
  const ping = (json: TerraformJson) => Object.values(dataSources(json, 'http')).find((d) => String(d.url).endsWith('/ping'));

  it('ingress + blank: the user certificate becomes tls-rancher-ingress, verified against public roots', () => {
    const json = tlsSynth({ issuer: 'blank' });
    expect(secretNames(json)).toEqual(['tls-rancher-ingress']);
    expect(tlsVariables(json)).toEqual(['tls_certificate_pem', 'tls_private_key_pem']);
    expect(release(json, 'rancher')![1].values[0]).toContain('"source" = "secret"');
    expect(ping(json).ca_cert_pem).toBeUndefined();
  });

  it('ingress + ca: cert-manager CA issuer from the user CA, tls-ca, probe trusts that CA', () => {
    const json = tlsSynth({ issuer: 'ca' });
    expect(secretNames(json)).toEqual(['rancher-ca-issuer-keypair', 'tls-ca']);
    expect(release(json, 'rancher')![1].values[0]).toContain('"kind" = "Issuer"');
    expect(ping(json).ca_cert_pem).toBe('${var.tls_ca_certificate_pem}');
  });

  it("external: the cluster owner's balancer ends TLS, so only tls=external and a private CA bundle are set here", () => {
    const json = tlsSynth({ mode: 'external', issuer: 'ca' });
    expect(tlsVariables(json)).toEqual(['tls_ca_certificate_pem']);
    expect(secretNames(json)).toEqual(['tls-ca']);
    const values = release(json, 'rancher')![1].values[0];
    expect(values).toContain('"tls" = "external"');
    expect(values).not.toContain('HelmChartConfig');
    expect(Object.keys(resources(json, 'aws_acm_certificate'))).toEqual([]);
    expect(Object.keys(resources(json, 'aws_lb'))).toEqual([]);
  });

  it('orders Rancher after every TLS secret', () => {
    const json = tlsSynth({ issuer: 'ca' });
    const deps = release(json, 'rancher')![1].depends_on;
    for (const [name] of tlsSecretEntries(json)) expect(deps).toContain(`kubernetes_secret_v1.${name}`);
  });

  it('re-encryption needs ingress-nginx: synthesizes (shared settings) but fails the plan with another class', () => {
    const json = tlsSynth({ mode: 'rancher' }, { ingress: { className: 'traefik' } });
    const lookup = `data.kubernetes_resources.${Object.keys(dataSources(json, 'kubernetes_resources')).find((n) => n.startsWith('preflight_ingress-class'))}`;
    const preconditions = release(json, 'rancher')![1].lifecycle.precondition;
    expect(preconditions[0]).toEqual({
      condition: `\${anytrue([for c in try(${lookup}.objects, []) : try(c.spec.controller, "") == "k8s.io/ingress-nginx"])}`,
      error_message: expect.stringContaining('IngressClass "traefik"'),
    });
    // Then the ingress class rules (two with a class named) and the chart upgrade rules, which every k8s-ha Rancher
    // release has, and the pending-release rule. Re-encryption's default class is nginx, so no re-encryption rule; one
    // class rule (the default).
    expect(preconditions).toHaveLength(6);
    expect(release(tlsSynth({ mode: 'rancher' }), 'rancher')![1].lifecycle.precondition).toHaveLength(4);
  });

  it('holds no certificate or key literal for any choice', () => {
    for (const tls of [{ issuer: 'blank' }, { issuer: 'ca' }, { mode: 'external', issuer: 'blank', privateCA: true }] as const) {
      const { text } = synthSettings(K8S_HA_STACK, { rancher: { tls } });
      expect(text).not.toMatch(PEM_BLOCK);
    }
  });
});

describe('k8s-ha stack: proxy and air gap', () => {
  const { json } = synth({
    proxy: { http: 'http://proxy.internal:3128' },
    airGap: {
      systemDefaultRegistry: 'registry.internal:5000',
      useBundledSystemChart: true,
      rancherChartRepository: 'https://charts.internal/rancher',
    },
  });

  it("gives Rancher and cert-manager the proxy, bypassing private ranges and Rancher's own name", () => {
    const rancher = release(json, 'rancher')![1];
    expect(rancher.values[0]).toContain('"proxy" = "http://proxy.internal:3128"');
    expect(rancher.values[0]).toMatch(/"noProxy" = "[^"]*10\.0\.0\.0\/8,172\.16\.0\.0\/12,192\.168\.0\.0\/16,\$\{var\.rancher_hostname\}"/);
    expect(release(json, 'cert-manager')![1].values[0]).toContain('"https_proxy" = "http://proxy.internal:3128"');
  });

  it('installs Rancher from the mirrored chart repository with the private registry', () => {
    const rancher = release(json, 'rancher')![1];
    expect(rancher.repository).toBe('https://charts.internal/rancher');
    expect(rancher.values[0]).toContain('"systemDefaultRegistry" = "registry.internal:5000"');
    expect(rancher.values[0]).toContain('"useBundledSystemChart" = true');
  });
});

describe('k8s-ha stack: no admin port of its own', () => {
  it('declares no admin_cidrs variable and looks up no deployer address', () => {
    const { json } = synth();
    expect(json.variable).not.toHaveProperty('admin_cidrs');
    expect(dataSources(json, 'http')).not.toHaveProperty('deployer_ip');
    expect(json.locals ?? {}).not.toHaveProperty('admin_cidrs_effective');
  });
});

describe('k8s-ha stack: a running deployment moved from ingress-nginx to Traefik (one apply)', () => {
  const before = synth({ k8sHa: { ingress: { className: 'nginx' } } }).json;
  const after = synth({ k8sHa: { ingress: { className: 'traefik' } } }).json;
  const changed = blockDifference(before, after).blocks as Record<string, any>;

  it("changes exactly the class Rancher's ingress asks for, the checks of it, and the Service the record follows", () => {
    // Nothing is created or destroyed; the record itself follows its target (local.dns_target) without a change of its own.
    expect(Object.values(changed)).not.toContain(null);
    expect(
      Object.keys(changed)
        .map((address) => address.replace(/_[0-9A-F]{8}$/, ''))
        .sort(),
    ).toEqual([
      'data.kubernetes_resources.preflight_ingress-class',
      'data.kubernetes_service_v1.ingress_service',
      'resource.helm_release.rancher_release',
      'resource.helm_release.readiness-gates_ingress-ready',
      'variable.ingress_target',
    ]);
    const at = (prefix: string) => Object.entries(changed).find(([address]) => address.startsWith(prefix))![1];
    expect(at('data.kubernetes_resources.preflight_ingress-class').field_selector).toBe('metadata.name=traefik');
    expect(at('data.kubernetes_service_v1.ingress_service').metadata).toEqual({ namespace: 'traefik', name: 'traefik' });
    expect(at('resource.helm_release.rancher_release').values[0]).toContain('"ingressClassName" = "traefik"');
    // The move's own rules ride on the release they guard (k8s-ha-ingress-class.tools.test.ts evaluates them).
    expect(at('resource.helm_release.rancher_release').lifecycle.precondition.map((p: { error_message: string }) => p.error_message)).toEqual([
      expect.stringContaining('On a running deployment the class moves only from one ingress-nginx serves'),
      expect.stringContaining('which needs Rancher 2.14.0 or later running'),
      expect.stringContaining('Rancher is not downgraded'),
      expect.stringContaining('Rancher is upgraded one minor at a time'),
      expect.stringContaining('The Helm release "rancher" in namespace cattle-system is '),
    ]);
  });

  it('orders the record (to the new controller) before the Rancher release (its ingress to the new class): the window between is unreachable', () => {
    const rancher = at(after, 'helm_release', 'rancher_release');
    expect(rancher.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_route53_record\.dns_/)]));
  });
});

function at(json: TerraformJson, type: string, prefix: string) {
  return Object.entries(resources(json, type)).find(([name]) => name.startsWith(prefix))![1];
}
