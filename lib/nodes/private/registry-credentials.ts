import type { DataAwsIamPolicyDocumentStatement } from '@cdktn/provider-aws/lib/data-aws-iam-policy-document';
import { literal } from '../../common/terraform-template';
import { credentialStore } from '../../config/registry-credentials';
import type { RegistryCredentialsSettings } from '../../config/sections';

/** The stack's own partition, DNS suffix, region and account (Terraform references), for a store named without an ARN. */
export interface StackContext {
  readonly partition: string;
  readonly dnsSuffix: string;
  readonly region: string;
  readonly account: string;
}

/**
 * What the servers need to read the private registry's login: the read on that one parameter or secret, and
 * `kms:Decrypt` only as SSM or Secrets Manager asks for it (`kms:ViaService`) and only for that parameter or secret
 * (the encryption context each service sends KMS names it: `PARAMETER_ARN`, `SecretARN`), whichever key encrypts it
 * (an AWS managed key needs no grant; a customer managed key does, when its key policy delegates to IAM).
 */
export function registryCredentialStatements(
  settings: Readonly<RegistryCredentialsSettings>,
  stack: StackContext,
): DataAwsIamPolicyDocumentStatement[] {
  const store = credentialStore(settings);
  const partition = store.partition ?? stack.partition;
  const region = store.region ?? stack.region;
  const account = store.account ?? stack.account;
  // From the settings: escaped, whatever the schema let through.
  const name = literal(store.name);
  const ssm = store.store === 'ssm';
  // A secret named without its ARN: Secrets Manager appends "-" and six characters to the name.
  const resource = ssm
    ? `arn:${partition}:ssm:${region}:${account}:parameter/${name}`
    : `arn:${partition}:secretsmanager:${region}:${account}:secret:${name}${store.account === undefined ? '-??????' : ''}`;
  return [
    { sid: 'RegistryCredentials', actions: [ssm ? 'ssm:GetParameter' : 'secretsmanager:GetSecretValue'], resources: [resource] },
    {
      sid: 'RegistryCredentialsKey',
      actions: ['kms:Decrypt'],
      resources: [`arn:${partition}:kms:${region}:${account}:key/*`],
      condition: [
        { test: 'StringEquals', variable: 'kms:ViaService', values: [`${ssm ? 'ssm' : 'secretsmanager'}.${region}.${stack.dnsSuffix}`] },
        ssm
          ? { test: 'StringEquals', variable: 'kms:EncryptionContext:PARAMETER_ARN', values: [resource] }
          : { test: 'StringLike', variable: 'kms:EncryptionContext:SecretARN', values: [resource] },
      ],
    },
  ];
}
