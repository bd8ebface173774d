import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { DataTlsCertificate } from '@cdktf/provider-tls/lib/data-tls-certificate';
import { type ITerraformDependable } from 'cdktf';
import { annotationPaths, RANCHER_SECRET_ANNOTATIONS } from '../kubernetes/cluster-writes';
import { Construct } from 'constructs';
import type { CertificateVariables } from '../tls/certificate-variables';
import { CA_ISSUER_SECRET, INGRESS_SECRET, PRIVATE_CA_SECRET, type TlsPlan } from '../tls/tls-plan';
import { addCheck } from '../common/private/check';

/** The TLS choice, the user's material, and the namespace the Secrets go in. */
export interface RancherTlsSecretsProps {
  /** What the TLS choice needs (`TlsPlan`): which Secrets are made. */
  readonly plan: TlsPlan;
  /** Declared with (at least) the plan's `material`. */
  readonly certificates: CertificateVariables;
  /** Namespace name as a reference (RancherNamespace.name), so the secrets wait for it. */
  readonly namespace: string;
  /**
   * Name of a `check` block, unique in the stack, that warns on every plan
   * from 60 days before the user's certificate or CA in these secrets ends.
   * @default no check
   */
  readonly expiryCheckName?: string;
}

/** How long before a certificate of the user's ends every plan warns. */
export const USER_CERTIFICATE_WARNING_HOURS = 1_440;

/**
 * The secrets the Rancher chart reads for a TLS choice, created from the
 * user's sensitive variables before the chart is installed: the ingress
 * certificate (`tls-rancher-ingress`), the private CA bundle (`tls-ca`,
 * key `cacerts.pem`) and the CA keypair of the cert-manager CA issuer.
 * Their values are in Terraform state as secret data, never in the
 * synthesized files.
 */
export class RancherTlsSecrets extends Construct {
  /** Everything the Rancher release must wait for; empty when the choice needs no secret. */
  readonly resources: ITerraformDependable[] = [];

  constructor(scope: Construct, id: string, props: RancherTlsSecretsProps) {
    super(scope, id);
    const { plan, certificates } = props;
    const secret = (secretId: string, name: string, type: string, data: Record<string, string>) => {
      this.resources.push(
        new SecretV1(this, secretId, {
          metadata: { name, namespace: props.namespace },
          type,
          data,
          // Rancher stamps every secret of cattle-system with its project once the namespace joins one.
          lifecycle: { ignoreChanges: annotationPaths(RANCHER_SECRET_ANNOTATIONS) },
        }),
      );
    };

    if (plan.ingressSecret) {
      secret('ingress', INGRESS_SECRET, 'kubernetes.io/tls', {
        'tls.crt': certificates.get('certificate'),
        'tls.key': certificates.get('privateKey'),
      });
    }
    if (plan.privateCa) {
      secret('private-ca', PRIVATE_CA_SECRET, 'Opaque', { 'cacerts.pem': certificates.get('caCertificate') });
    }
    if (plan.caIssuer) {
      secret('ca-issuer', CA_ISSUER_SECRET, 'kubernetes.io/tls', {
        'tls.crt': certificates.get('caCertificate'),
        'tls.key': certificates.get('caPrivateKey'),
      });
    }

    // The user's certificate and CA end when the user's do: read their (first) certificate's end on every plan.
    const watched = [
      ...(plan.ingressSecret
        ? [{ id: 'certificate-end', what: 'Your ingress certificate (tls_certificate_pem)', pem: certificates.get('certificate') }]
        : []),
      ...(plan.privateCa || plan.caIssuer
        ? [{ id: 'ca-certificate-end', what: 'Your CA certificate (tls_ca_certificate_pem)', pem: certificates.get('caCertificate') }]
        : []),
    ];
    if (props.expiryCheckName && watched.length > 0) {
      addCheck(
        this,
        props.expiryCheckName,
        watched.map((w) => {
          const read = new DataTlsCertificate(this, w.id, { content: w.pem });
          const end = `${read.fqn}.certificates[0].not_after`;
          return {
            condition: `\${timecmp(plantimestamp(), timeadd(${end}, "-${USER_CERTIFICATE_WARNING_HOURS}h")) < 0}`,
            errorMessage: `${w.what} ends at \${${end}}. Put the renewed one into its variable and apply: the secret is updated in place (docs/day-2.md, "Lifetimes").`,
          };
        }),
      );
    }
  }
}
