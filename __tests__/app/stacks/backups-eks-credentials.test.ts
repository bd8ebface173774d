import type { SettingsInput } from '../../../app/config/settings-schema';
import { chartValueProblems } from '../../helpers/rancher-backup-schemas';
import { dataSources, resources, type TerraformJson } from '../../helpers/synth';
import { synthSettings, K8S_HA_STACK, RKE_HA_STACK } from '../../helpers/variants';

const PROXY = { http: 'http://proxy.internal:3128' };

/** The operator's namespace and service account (the chart names it after itself), as the trust must name them. */
const NAMESPACE = 'cattle-resources-system';
const SERVICE_ACCOUNT = 'rancher-backup';

const only = (json: TerraformJson, type: string, part: string, data = false): [string, any] => {
  const found = Object.entries(data ? dataSources(json, type) : resources(json, type)).filter(([name]) => name.startsWith(`rancher-backups_${part}`));
  expect(found).toHaveLength(1);
  return found[0];
};
const statementsOf = (json: TerraformJson, policy: string): any[] => {
  const name = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(policy)![1];
  return dataSources(json, 'aws_iam_policy_document')[name].statement;
};
/** The operator chart's values: the one yamlencode'd object, its Terraform references read as strings. */
const operatorValues = (json: TerraformJson): Record<string, any> => {
  const [, release] = only(json, 'helm_release', 'release');
  const hcl = /^\$\{yamlencode\((.*)\)\}$/s.exec(release.values[0])![1];
  return JSON.parse(
    hcl.replace(/("(?:[^"\\]|\\.)*") = /g, '$1: ').replace(/(: )([a-z][a-z0-9_]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_.[\]]+)(?=[,}])/g, '$1"$2"'),
  );
};

const eks = (credentials: 'irsa' | 'pod-identity', extra: SettingsInput = {}): SettingsInput => ({
  ...extra,
  backups: { credentials },
  k8sHa: { eks: { clusterName: 'prod-eks' } },
});

describe.each([
  ['irsa', eks('irsa')],
  ['pod-identity', eks('pod-identity', { proxy: PROXY })],
] as const)('k8s-ha backups.credentials %s', (mechanism, input) => {
  const { json } = synthSettings(K8S_HA_STACK, input);
  const [roleName, role] = only(json, 'aws_iam_role', 'service-account-role');
  const [clusterName, cluster] = only(json, 'aws_eks_cluster', 'service-account-role_cluster', true);

  it('creates no IAM user, no access key and no credential Secret', () => {
    expect(resources(json, 'aws_iam_user')).toEqual({});
    expect(resources(json, 'aws_iam_access_key')).toEqual({});
    expect(resources(json, 'aws_iam_user_policy')).toEqual({});
    const secrets = Object.values(resources(json, 'kubernetes_secret_v1')).map((s) => JSON.stringify(s.data ?? {}));
    expect(secrets.filter((data) => data.includes('accessKey') || data.includes('secretKey'))).toEqual([]);
  });

  it("reads the named EKS cluster and trusts only the operator's service account on it", () => {
    expect(cluster.name).toBe('prod-eks');
    const trust = statementsOf(json, role.assume_role_policy);
    expect(trust).toHaveLength(1);
    const conditions = Object.fromEntries(trust[0].condition.map((c: any) => [c.variable, [c.test, c.values]]));
    if (mechanism === 'irsa') {
      const [providerName, provider] = only(json, 'aws_iam_openid_connect_provider', 'service-account-role', true);
      const issuer = `data.aws_eks_cluster.${clusterName}.identity[0].oidc[0].issuer`;
      expect(provider.url).toBe(`\${${issuer}}`);
      expect(trust[0].actions).toEqual(['sts:AssumeRoleWithWebIdentity']);
      expect(trust[0].principals).toEqual([{ type: 'Federated', identifiers: [`\${data.aws_iam_openid_connect_provider.${providerName}.arn}`] }]);
      const claim = (name: string) => `\${replace(${issuer}, "https://", "")}:${name}`;
      expect(conditions).toEqual({
        [claim('sub')]: ['StringEquals', [`system:serviceaccount:${NAMESPACE}:${SERVICE_ACCOUNT}`]],
        [claim('aud')]: ['StringEquals', ['sts.amazonaws.com']],
      });
      expect(resources(json, 'aws_eks_pod_identity_association')).toEqual({});
    } else {
      expect(trust[0].actions).toEqual(['sts:AssumeRole', 'sts:TagSession']);
      expect(trust[0].principals).toEqual([{ type: 'Service', identifiers: ['pods.eks.amazonaws.com'] }]);
      expect(conditions).toEqual({
        'aws:RequestTag/eks-cluster-arn': ['StringEquals', [`\${data.aws_eks_cluster.${clusterName}.arn}`]],
        'aws:RequestTag/kubernetes-namespace': ['StringEquals', [NAMESPACE]],
        'aws:RequestTag/kubernetes-service-account': ['StringEquals', [SERVICE_ACCOUNT]],
      });
      const [, association] = only(json, 'aws_eks_pod_identity_association', 'service-account-role');
      expect(association).toEqual(
        expect.objectContaining({
          cluster_name: `\${data.aws_eks_cluster.${clusterName}.name}`,
          namespace: NAMESPACE,
          service_account: SERVICE_ACCOUNT,
          role_arn: `\${aws_iam_role.${roleName}.arn}`,
        }),
      );
    }
  });

  it("grants the role the writer's rights and nothing more: the bucket listed, objects under the backups' folder", () => {
    const [, policy] = only(json, 'aws_iam_role_policy', 'service-account-role');
    expect(policy.role).toBe(`\${aws_iam_role.${roleName}.id}`);
    const [bucketName] = only(json, 'aws_s3_bucket', 'bucket');
    const bucketArn = expect.stringMatching(new RegExp(`^arn:\\$\\{[^}]+\\}:s3:::\\$\\{aws_s3_bucket\\.${bucketName}\\.id\\}$`));
    const objects = expect.stringMatching(new RegExp(`^arn:\\$\\{[^}]+\\}:s3:::\\$\\{aws_s3_bucket\\.${bucketName}\\.id\\}/rancher/\\*$`));
    expect(statementsOf(json, policy.policy)).toEqual([
      { sid: 'ListBackups', actions: ['s3:ListBucket', 's3:GetBucketLocation'], resources: [bucketArn] },
      { sid: 'WriteBackups', actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject', 's3:AbortMultipartUpload'], resources: [objects] },
    ]);
    expect(role.max_session_duration).toBe(3600);
  });

  it('gives the operator no credential Secret to read, so it asks EKS (minio-go v7.0.87 IAM provider)', () => {
    const backupJobs = Object.entries(resources(json, 'helm_release')).filter(([name]) => name.startsWith('rancher-backups_jobs_'));
    expect(backupJobs.length).toBeGreaterThan(0);
    for (const [, job] of backupJobs) expect(JSON.stringify(job.values)).not.toContain('credentialSecretName');
    expect(JSON.stringify(operatorValues(json).s3)).not.toContain('credentialSecret');
  });

  it("annotates the operator's service account with the role (irsa) and its pods with the mechanism, in values the chart takes", () => {
    const values = operatorValues(json);
    expect(chartValueProblems(values)).toEqual([]);
    expect(values.extraAnnotations).toEqual({ 'rancher-ha-aws/backup-credentials': mechanism });
    if (mechanism === 'irsa')
      expect(values.serviceAccount).toEqual({ annotations: { 'eks.amazonaws.com/role-arn': `aws_iam_role.${roleName}.arn` } });
    else expect(values.serviceAccount).toBeUndefined();
  });

  it('installs the operator after its role can be used: the grants, and with pod-identity the association', () => {
    const [, release] = only(json, 'helm_release', 'release');
    expect(release.depends_on).toContain(`aws_iam_role_policy.${only(json, 'aws_iam_role_policy', 'service-account-role')[0]}`);
    if (mechanism === 'pod-identity') {
      expect(release.depends_on).toContain(
        `aws_eks_pod_identity_association.${only(json, 'aws_eks_pod_identity_association', 'service-account-role')[0]}`,
      );
      // The agent's link-local address bypasses the proxy (Go's proxy settings would send it there).
      expect(operatorValues(json).noProxy.split(',')).toContain('169.254.170.23');
    }
  });
});

describe('backups.credentials irsa and pod-identity elsewhere', () => {
  it('k8s-ha keeps the writer key by default (servers means accessKey there): the key stays for clusters not on EKS', () => {
    const { json } = synthSettings(K8S_HA_STACK, {});
    expect(Object.keys(resources(json, 'aws_iam_access_key'))).toHaveLength(1);
    expect(resources(json, 'aws_eks_pod_identity_association')).toEqual({});
    expect(Object.keys(dataSources(json, 'aws_eks_cluster'))).toEqual([]);
  });

  it('rke-ha built from a settings file that chose one for k8s-ha writes with the servers (no key there either)', () => {
    const { json } = synthSettings(RKE_HA_STACK, eks('irsa'));
    expect(resources(json, 'aws_iam_access_key')).toEqual({});
    expect(resources(json, 'aws_iam_user')).toEqual({});
    expect(dataSources(json, 'aws_eks_cluster')).toEqual({});
    expect(Object.keys(resources(json, 'kubernetes_env')).filter((n) => n.startsWith('rancher-backups_operator-credentials'))).toHaveLength(1);
  });
});
