import { LocalBackend } from 'cdktf';
import {
  CLUSTER_ACCESS_VARIABLES,
  ExistingClusterAccess,
  type ExistingClusterAccessProps,
} from '../../../lib/existing-cluster/existing-cluster-access';
import { synthConstruct } from '../../helpers/synth';

function synth(props: ExistingClusterAccessProps) {
  return synthConstruct((stack) => {
    new LocalBackend(stack, { path: 'terraform.test.tfstate' });
    new ExistingClusterAccess(stack, 'access', props);
  });
}

const CONNECTION_KEYS = ['config_path', 'config_context', 'host', 'cluster_ca_certificate', 'token', 'client_certificate', 'client_key'];

describe('ExistingClusterAccess with a kubeconfig file', () => {
  const { json, text } = synth({ kubeconfig: { path: '~/.kube/config' } });
  const helm = json.provider!.helm[0].kubernetes;
  const kubernetes = json.provider!.kubernetes[0];

  it('configures Helm and Kubernetes the same way, from variables, expanding ~ on the machine running Terraform', () => {
    expect(helm).toEqual({ config_path: '${pathexpand(var.kubeconfig_path)}', config_context: '${var.kubeconfig_context}' });
    expect(kubernetes).toEqual(helm);
  });

  it('defaults the path to the settings value and the context to null (the current context)', () => {
    expect(json.variable!.kubeconfig_path).toMatchObject({ type: 'string', default: '~/.kube/config', nullable: false });
    expect(json.variable!.kubeconfig_context).toMatchObject({ type: 'string', default: null, nullable: true });
    expect(Object.keys(json.variable!).sort()).toEqual(['kubeconfig_context', 'kubeconfig_path']);
  });

  it('takes a context from the settings as the variable default', () => {
    const withContext = synth({ kubeconfig: { path: 'kubeconfig.yaml', context: 'prod' } }).json;
    expect(withContext.variable!.kubeconfig_context.default).toBe('prod');
    expect(withContext.variable!.kubeconfig_path.default).toBe('kubeconfig.yaml');
  });

  it('writes no absolute path', () => {
    expect(text).not.toMatch(/"(\/root|\/home|\/tmp|\/work|\/Users)\//);
  });

  it('validates the path and the context as the settings file does', () => {
    expect(json.variable!.kubeconfig_path.validation).toEqual([
      {
        condition: '${length(var.kubeconfig_path) > 0 && !can(regex("^~[^/\\\\\\\\]", var.kubeconfig_path))}',
        error_message: 'kubeconfig_path must be a path, ~/... for the home of whoever runs Terraform (~name/... is not expanded).',
      },
    ]);
    expect(json.variable!.kubeconfig_context.validation).toEqual([
      {
        condition: '${var.kubeconfig_context == null ? true : length(var.kubeconfig_context) > 0}',
        error_message: 'kubeconfig_context must be null (the current context) or a context name.',
      },
    ]);
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});

describe('ExistingClusterAccess with variables', () => {
  const { json, text } = synth({ variables: true });
  const helm = json.provider!.helm[0].kubernetes;
  const kubernetes = json.provider!.kubernetes[0];
  const variables = json.variable!;
  const v = CLUSTER_ACCESS_VARIABLES;

  it('configures Helm and Kubernetes the same way from host, CA, token and client certificate variables', () => {
    expect(helm).toEqual({
      host: '${var.kubernetes_host}',
      cluster_ca_certificate: '${var.kubernetes_cluster_ca_certificate}',
      token: '${var.kubernetes_token}',
      client_certificate: '${var.kubernetes_client_certificate}',
      client_key: '${var.kubernetes_client_key}',
    });
    expect(kubernetes).toEqual(helm);
    expect(Object.keys(helm).every((k) => CONNECTION_KEYS.includes(k))).toBe(true);
  });

  it('declares exactly the documented variables', () => {
    expect(Object.keys(variables).sort()).toEqual([v.clientCertificate, v.clientKey, v.clusterCaCertificate, v.host, v.token].sort());
  });

  it('marks the secrets sensitive and gives them no default but null', () => {
    expect(variables.kubernetes_token).toMatchObject({ sensitive: true, nullable: true, default: null });
    expect(variables.kubernetes_client_key).toMatchObject({ sensitive: true, nullable: true, default: null });
    expect(variables.kubernetes_client_certificate).toMatchObject({ nullable: true, default: null });
    expect(variables.kubernetes_client_certificate.sensitive).toBeUndefined();
  });

  it('requires host and CA, with no default', () => {
    for (const name of [v.host, v.clusterCaCertificate]) {
      expect(variables[name]).toMatchObject({ type: 'string', nullable: false });
      expect(variables[name]).not.toHaveProperty('default');
    }
    expect(variables.kubernetes_host.validation[0].condition).toBe('${startswith(var.kubernetes_host, "https://")}');
  });

  it('requires a token or a client certificate with its key, checked across variables', () => {
    expect(variables.kubernetes_token.validation[0].condition).toBe(
      '${var.kubernetes_token != null || (var.kubernetes_client_certificate != null && var.kubernetes_client_key != null)}',
    );
    expect(variables.kubernetes_client_key.validation.map((r: { condition: string }) => r.condition)).toContain(
      '${(var.kubernetes_client_key == null) == (var.kubernetes_client_certificate == null)}',
    );
  });

  it('holds no credential', () => {
    expect(text).not.toMatch(/-----BEGIN [A-Z ]*-----\\n/);
    expect(text).not.toContain('config_path');
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});
