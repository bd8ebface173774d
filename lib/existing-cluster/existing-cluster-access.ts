import { hclString } from '../common/terraform-template';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { withFullSource } from '../common/provider-source';
import { Fn, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';

/** Names of the Terraform variables that carry cluster access, part of the stack's interface. */
export const CLUSTER_ACCESS_VARIABLES = {
  kubeconfigPath: 'kubeconfig_path',
  kubeconfigContext: 'kubeconfig_context',
  host: 'kubernetes_host',
  clusterCaCertificate: 'kubernetes_cluster_ca_certificate',
  token: 'kubernetes_token',
  clientCertificate: 'kubernetes_client_certificate',
  clientKey: 'kubernetes_client_key',
} as const;

/**
 * How Terraform reaches a cluster it did not create:
 * - `kubeconfig`: a file on the machine running Terraform (`~` is expanded
 *   there), optionally one of its contexts; exec plugins (EKS, GKE) work.
 * - `variables`: API server URL, CA and credentials as Terraform variables,
 *   for pipelines that hold them as secrets.
 */
export type ExistingClusterAccessProps =
  | {
      /** A kubeconfig file on the machine running Terraform. */
      readonly kubeconfig: {
        /** The file's path (`~` expanded there). */
        readonly path: string;
        /** One of its contexts. @default the file's current context */
        readonly context?: string;
      };
    }
  | {
      /** API server URL, CA and credentials as Terraform variables. */
      readonly variables: true;
    };

const V = CLUSTER_ACCESS_VARIABLES;

/** The connection settings the Helm (`kubernetes` attribute) and Kubernetes providers share; Terraform expressions. */
export interface ClusterConnection {
  /** The kubeconfig file (`kubeconfig` access). */
  readonly configPath?: string;
  /** The kubeconfig context (`kubeconfig` access). */
  readonly configContext?: string;
  /** The API server's URL (`variables` access). */
  readonly host?: string;
  /** The cluster CA, PEM (`variables` access). */
  readonly clusterCaCertificate?: string;
  /** A bearer token, when the variables give one. */
  readonly token?: string;
  /** A client certificate, PEM, when the variables give one. */
  readonly clientCertificate?: string;
  /** The client certificate's key, PEM. */
  readonly clientKey?: string;
}

/**
 * Helm and Kubernetes providers configured the same way for an existing
 * cluster. The settings only choose the method; every value is a Terraform
 * variable (defaults from the settings for the kubeconfig), so a pipeline can
 * point the same synthesized module at another cluster. Secrets (token, client
 * key) are sensitive variables without defaults: never in the synthesized files.
 */
export class ExistingClusterAccess extends Construct {
  /** The provider configuration, the same for the Helm and Kubernetes providers. */
  readonly connection: ClusterConnection;

  constructor(scope: Construct, id: string, props: ExistingClusterAccessProps) {
    super(scope, id);
    this.connection = 'kubeconfig' in props ? this.kubeconfig(props.kubeconfig) : this.variables();
    withFullSource(new HelmProvider(this, 'helm', { kubernetes: { ...this.connection } }));
    withFullSource(new KubernetesProvider(this, 'kubernetes', { ...this.connection }));
  }

  private variable(key: keyof typeof V, config: ConstructorParameters<typeof TerraformVariable>[2]): TerraformVariable {
    const variable = new TerraformVariable(this, key, config);
    variable.overrideLogicalId(V[key]);
    return variable;
  }

  /** A variable with no value unless set; `null` is what the providers take as "not given". */
  private optional(key: keyof typeof V, config: ConstructorParameters<typeof TerraformVariable>[2]): TerraformVariable {
    const variable = this.variable(key, { ...config, nullable: true });
    // cdktf cannot synthesize `default: null` (it fails in toTerraform); the override writes it.
    variable.addOverride('default', null);
    return variable;
  }

  private kubeconfig(file: { readonly path: string; readonly context?: string }): ClusterConnection {
    const pathRef = `var.${V.kubeconfigPath}`;
    const contextRef = `var.${V.kubeconfigContext}`;
    // The settings' rules on these values. Not their refusal of absolute paths: that keeps one machine's path out
    // of the synthesized default, and `-var kubeconfig_path=/abs/path` at plan time is the documented way to use one.
    const path = this.variable('kubeconfigPath', {
      type: 'string',
      description: 'Kubeconfig file on the machine running Terraform (~ is expanded there)',
      default: file.path,
      nullable: false,
      validation: [
        {
          condition: `\${length(${pathRef}) > 0 && !can(regex(${hclString('^~[^/\\\\]')}, ${pathRef}))}`,
          errorMessage: `${V.kubeconfigPath} must be a path, ~/... for the home of whoever runs Terraform (~name/... is not expanded).`,
        },
      ],
    });
    const contextConfig = {
      type: 'string',
      description: 'Context of the kubeconfig file to use; null: its current-context',
      validation: [
        {
          condition: `\${${contextRef} == null ? true : length(${contextRef}) > 0}`,
          errorMessage: `${V.kubeconfigContext} must be null (the current context) or a context name.`,
        },
      ],
    };
    const context = file.context
      ? this.variable('kubeconfigContext', { ...contextConfig, default: file.context, nullable: true })
      : this.optional('kubeconfigContext', contextConfig);
    return { configPath: Fn.pathexpand(path.stringValue), configContext: context.stringValue };
  }

  private variables(): ClusterConnection {
    const ref = (key: keyof typeof V) => `var.${V[key]}`;
    const host = this.variable('host', {
      type: 'string',
      description: 'Kubernetes API server URL, e.g. https://api.example.com:6443',
      nullable: false,
      validation: [{ condition: `\${startswith(${ref('host')}, "https://")}`, errorMessage: `${V.host} must be an https:// URL.` }],
    });
    const ca = this.variable('clusterCaCertificate', {
      type: 'string',
      description: "PEM certificate of the CA that signed the API server's certificate",
      nullable: false,
      validation: [
        {
          condition: `\${strcontains(${ref('clusterCaCertificate')}, "-----BEGIN CERTIFICATE-----")}`,
          errorMessage: `${V.clusterCaCertificate} must be PEM text containing a CERTIFICATE block.`,
        },
      ],
    });
    const token = this.optional('token', {
      type: 'string',
      sensitive: true,
      description: `Bearer token (e.g. a service account's); or set ${V.clientCertificate} and ${V.clientKey}`,
      validation: [
        {
          condition: `\${${ref('token')} != null || (${ref('clientCertificate')} != null && ${ref('clientKey')} != null)}`,
          errorMessage: `Set ${V.token}, or ${V.clientCertificate} together with ${V.clientKey}.`,
        },
      ],
    });
    const certificate = this.optional('clientCertificate', {
      type: 'string',
      description: `PEM client certificate (with ${V.clientKey}); a certificate is not secret`,
      validation: [
        {
          condition: `\${${ref('clientCertificate')} == null || can(regex("-----BEGIN CERTIFICATE-----", ${ref('clientCertificate')}))}`,
          errorMessage: `${V.clientCertificate} must be PEM text containing a CERTIFICATE block.`,
        },
      ],
    });
    const key = this.optional('clientKey', {
      type: 'string',
      sensitive: true,
      description: `PEM private key of ${V.clientCertificate}`,
      validation: [
        {
          condition: `\${${ref('clientKey')} == null || can(regex("-----BEGIN [A-Z ]*PRIVATE KEY-----", ${ref('clientKey')}))}`,
          errorMessage: `${V.clientKey} must be PEM text containing a PRIVATE KEY block.`,
        },
        {
          condition: `\${(${ref('clientKey')} == null) == (${ref('clientCertificate')} == null)}`,
          errorMessage: `${V.clientCertificate} and ${V.clientKey} go together: set both or neither.`,
        },
      ],
    });
    return {
      host: host.stringValue,
      clusterCaCertificate: ca.stringValue,
      token: token.stringValue,
      clientCertificate: certificate.stringValue,
      clientKey: key.stringValue,
    };
  }
}
