import { AcmCertificate } from '@cdktn/provider-aws/lib/acm-certificate';
import { AcmCertificateValidation } from '@cdktn/provider-aws/lib/acm-certificate-validation';
import { Route53Record } from '@cdktn/provider-aws/lib/route53-record';
import { CertRequest } from '@cdktf/provider-tls/lib/cert-request';
import { LocallySignedCert } from '@cdktf/provider-tls/lib/locally-signed-cert';
import { PrivateKey } from '@cdktf/provider-tls/lib/private-key';
import { TerraformIterator, TerraformLocal, Token } from 'cdktf';
import { Construct } from 'constructs';
import { CERTIFICATE_VARIABLES, type CertificateVariables } from './certificate-variables';
import type { AcmSource } from './tls-plan';
import { type Metric, type MetricOptions, metricWith } from '../common/metric';
import { addCheck } from '../common/private/check';

/** The ACM certificate a load balancer that ends TLS serves. */
export interface LoadBalancerCertificateProps {
  /** Where ACM's certificate comes from: your certificate imported, one your CA signs imported, or ACM's own (DNS validation). */
  readonly source: AcmSource;
  /** Rancher's public name (may be a Terraform token). */
  readonly hostname: string;
  /** Hosted zone for DNS validation; required for source `issue`. */
  readonly zoneId?: string;
  /** The user's material (sources `import` and `sign`). */
  readonly certificates: CertificateVariables;
  /**
   * Name of a `check` block, unique in the stack, that warns on every plan
   * from 60 days before an imported or signed certificate ends (ACM renews
   * the ones it issues itself). @default no check
   */
  readonly expiryCheckName?: string;
}

/** How long before an imported or signed certificate ends every plan warns. */
export const CERTIFICATE_WARNING_HOURS = 1_440;

/** One year, re-signed by Terraform in its last 30 days (source `sign`). */
const SIGNED_VALIDITY_HOURS = 8_760;
const SIGNED_RENEWAL_HOURS = 720;

/**
 * The ACM certificate an ALB serves when TLS ends at the load balancer:
 * imported from the user's certificate (`blank`), signed here from the user's
 * CA (`ca`), or issued by ACM with DNS validation in the hosted zone (`acme`,
 * the AWS counterpart of Let's Encrypt). Imported certificates must name the
 * hostname: checked after import, before any listener uses them.
 */
export class LoadBalancerCertificate extends Construct {
  /** ARN to put on the HTTPS listener; for `issue`, only known once validated. */
  readonly arn: string;
  /** The certificate Terraform signs (source `sign`). */
  private signed?: LocallySignedCert;

  constructor(scope: Construct, id: string, props: LoadBalancerCertificateProps) {
    super(scope, id);
    if (props.source === 'issue') {
      this.arn = this.issue(props);
      return;
    }
    const { body, chain, key } = props.source === 'import' ? this.userCertificate() : this.signFromUserCa(props);
    const certificate = new AcmCertificate(this, 'imported', {
      privateKey: key,
      certificateBody: body,
      certificateChain: chain,
      lifecycle: {
        createBeforeDestroy: true,
        postcondition: [
          {
            condition: `\${anytrue([for name in concat([self.domain_name], tolist(self.subject_alternative_names)) : name == ${hostnameExpression(props.hostname)} || (startswith(name, "*.") && trimprefix(name, "*") == trimprefix(${hostnameExpression(props.hostname)}, split(".", ${hostnameExpression(props.hostname)})[0]))])}`,
            errorMessage:
              'The certificate does not name the Rancher hostname (checked against its domain name and subject alternative names, wildcards included).',
          },
        ],
      },
    });
    this.arn = certificate.arn;
    if (props.expiryCheckName) {
      const renewal =
        props.source === 'sign'
          ? `Terraform signs a new one in an ordinary apply during its last ${SIGNED_RENEWAL_HOURS / 24} days (or at once: terraform apply -replace=${LocallySignedCert.tfResourceType}.${this.signed!.friendlyUniqueId}).`
          : 'Put the renewed certificate (and key) into its Terraform variables and apply: ACM takes the new one in place (create before destroy).';
      addCheck(this, props.expiryCheckName, [
        {
          condition: `\${timecmp(plantimestamp(), timeadd(${certificate.fqn}.not_after, "-${CERTIFICATE_WARNING_HOURS}h")) < 0}`,
          errorMessage: `The load balancer's certificate for Rancher ends at \${${certificate.fqn}.not_after}. ${renewal}`,
        },
      ]);
    }
  }

  /** Leaf and chain split out of the one PEM bundle the user gives. */
  /** Days until the certificate ends (ACM's once-a-day metric; the least of the day). */
  metricDaysToExpiry(options: MetricOptions = {}): Metric {
    return metricWith(
      {
        namespace: 'AWS/CertificateManager',
        metricName: 'DaysToExpiry',
        dimensions: { CertificateArn: this.arn },
        statistic: 'Minimum',
        period: 86_400,
      },
      options,
    );
  }

  private userCertificate(): { body: string; chain: string; key: string } {
    const bundle = `var.${CERTIFICATE_VARIABLES.certificate}`;
    const blocks = new TerraformLocal(
      this,
      'certificate_blocks',
      `\${regexall("(?s)-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", ${bundle})}`,
    );
    const blocksRef = blocks.fqn;
    return {
      body: `\${${blocksRef}[0]}`,
      chain: `\${length(${blocksRef}) > 1 ? join("\\n", slice(${blocksRef}, 1, length(${blocksRef}))) : null}`,
      key: `\${var.${CERTIFICATE_VARIABLES.privateKey}}`,
    };
  }

  private signFromUserCa(props: LoadBalancerCertificateProps): { body: string; chain: string; key: string } {
    const key = new PrivateKey(this, 'key', { algorithm: 'ECDSA', ecdsaCurve: 'P256' });
    const request = new CertRequest(this, 'csr', {
      privateKeyPem: key.privateKeyPem,
      subject: [{ commonName: props.hostname }],
      dnsNames: [props.hostname],
    });
    const signed = (this.signed = new LocallySignedCert(this, 'cert', {
      certRequestPem: request.certRequestPem,
      caCertPem: props.certificates.get('caCertificate'),
      caPrivateKeyPem: props.certificates.get('caPrivateKey'),
      validityPeriodHours: SIGNED_VALIDITY_HOURS,
      earlyRenewalHours: SIGNED_RENEWAL_HOURS,
      allowedUses: ['digital_signature', 'key_encipherment', 'server_auth'],
    }));
    return { body: signed.certPem, chain: props.certificates.get('caCertificate'), key: key.privateKeyPem };
  }

  private issue(props: LoadBalancerCertificateProps): string {
    if (props.zoneId === undefined)
      throw new Error(`LoadBalancerCertificate ${this.node.path}: source "issue" validates through DNS and needs zoneId`);
    const certificate = new AcmCertificate(this, 'issued', {
      domainName: props.hostname,
      validationMethod: 'DNS',
      lifecycle: { createBeforeDestroy: true },
    });
    const options = TerraformIterator.fromComplexList(certificate.domainValidationOptions, 'domain_name');
    const records = new Route53Record(this, 'validation-record', {
      forEach: options,
      zoneId: props.zoneId,
      name: options.getString('resource_record_name'),
      type: options.getString('resource_record_type'),
      records: [options.getString('resource_record_value')],
      ttl: 60,
      allowOverwrite: true,
    });
    const validation = new AcmCertificateValidation(this, 'validation', {
      certificateArn: certificate.arn,
      validationRecordFqdns: Token.asList(TerraformIterator.fromResources(records).pluckProperty('fqdn')),
    });
    return validation.certificateArn;
  }
}

/** A hostname inside a Terraform expression: a reference as is, a literal quoted. */
function hostnameExpression(hostname: string): string {
  return Token.isUnresolved(hostname) ? `${hostname}` : JSON.stringify(hostname);
}
