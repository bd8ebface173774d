import { TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';

/** Names of the Terraform variables that carry user certificate material, shared by every stack. */
export const CERTIFICATE_VARIABLES = {
  certificate: 'tls_certificate_pem',
  privateKey: 'tls_private_key_pem',
  caCertificate: 'tls_ca_certificate_pem',
  caPrivateKey: 'tls_ca_private_key_pem',
} as const;

/** A piece of user certificate material, each a sensitive Terraform variable of its own. @useDeclaredType */
export type CertificateMaterial = keyof typeof CERTIFICATE_VARIABLES;

const DESCRIPTIONS: Record<CertificateMaterial, string> = {
  certificate: 'PEM certificate for the Rancher hostname, leaf first, followed by any intermediates',
  privateKey: 'PEM private key of tls_certificate_pem',
  caCertificate: 'PEM certificate of the CA that issues (or signed) the Rancher certificate',
  caPrivateKey: 'PEM private key of tls_ca_certificate_pem (the ca issuer signs with it)',
};

const PEM_CHECK: Record<CertificateMaterial, string> = {
  certificate: 'CERTIFICATE',
  privateKey: 'PRIVATE KEY',
  caCertificate: 'CERTIFICATE',
  caPrivateKey: 'PRIVATE KEY',
};

/**
 * User-supplied certificate material as sensitive Terraform variables with no
 * default: it never appears in synthesized files, and a plan without it stops
 * with Terraform's own "no value for required variable". Only the variables a
 * TLS choice needs are declared.
 */
export class CertificateVariables extends Construct {
  private readonly values = new Map<CertificateMaterial, string>();

  constructor(scope: Construct, id: string, needed: readonly CertificateMaterial[]) {
    super(scope, id);
    for (const material of needed) {
      const name = CERTIFICATE_VARIABLES[material];
      const variable = new TerraformVariable(this, material, {
        type: 'string',
        sensitive: true,
        nullable: false,
        description: DESCRIPTIONS[material],
        validation: [
          {
            condition: `\${strcontains(var.${name}, "-----BEGIN") && strcontains(var.${name}, "${PEM_CHECK[material]}-----")}`,
            errorMessage: `${name} must be PEM text containing a ${PEM_CHECK[material]} block.`,
          },
          // As the settings refuse a key in rancher.tls.certificateFile.
          ...(material === 'certificate'
            ? [
                {
                  condition: `\${!strcontains(var.${name}, "PRIVATE KEY-----")}`,
                  errorMessage: `${name} must hold only certificates; give the key as ${CERTIFICATE_VARIABLES.privateKey}.`,
                },
              ]
            : []),
        ],
      });
      variable.overrideLogicalId(name);
      this.values.set(material, variable.stringValue);
    }
  }

  /** The variable's value; throws when the material was not requested. */
  get(material: CertificateMaterial): string {
    const value = this.values.get(material);
    if (value === undefined) throw new Error(`certificate material "${material}" was not declared`);
    return value;
  }

  /** Whether this material was requested (a variable of it declared). */
  has(material: CertificateMaterial): boolean {
    return this.values.has(material);
  }
}
