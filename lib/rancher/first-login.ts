import { Op, Token, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { TerraformData } from '../common/terraform-data';
import { forgetWhenRemoved } from '../existing-cluster/private/forget-when-removed';
import { Rancher2Bootstrap } from './rancher2-bootstrap';
import { Rancher2BootstrapProvider } from './rancher2-provider';
import { addCheck } from '../common/private/check';

/** Construct id of the bootstrap resource inside FirstLogin: its address, also when it is forgotten. */
const BOOTSTRAP_ID = 'bootstrap';

/** The first login's switch, Rancher's name and password, and how it is reached. */
export interface FirstLoginProps {
  /** Run the bootstrap. `false`: none, and one an earlier apply made is forgotten (never undone). */
  readonly enabled: boolean;
  /** Rancher's public name; may be a Terraform reference. */
  readonly hostname: string;
  /**
   * The generated bootstrap password: the first login's password and the one
   * `admin` keeps. Being both, a bootstrap dropped from state (a failed login
   * on refresh forgets it) is created again with the same login.
   */
  readonly password: string;
  /** The CA the readiness probe verified Rancher's certificate against; unset: the system roots. */
  readonly caCertPem?: string;
  /**
   * `caCertPem` is read from the cluster, a read Terraform defers to apply
   * (unknown in the plan) whenever one of its dependencies changes: a Rancher
   * upgrade. The provider would then refresh the bootstrap trusting nothing,
   * fail the login and forget it (a new token and server-url on the next
   * apply). So it is pinned at the first login (`trusted-ca`, its later
   * changes ignored); should Rancher's CA ever change, replace that resource.
   * @default false
   */
  readonly pinCaCert?: boolean;
  /** The `/ping` readiness probe: Rancher answers on its name with a trusted certificate. */
  readonly ping: ITerraformDependable;
  /** Budget of each of the provider's waits. */
  readonly minutes: number;
  /** Alias of the provider, unique in the stack (`stackLevelName`). */
  readonly providerAlias: string;
  /** Name of the `check` block that warns when `server-url` is not the hostname, unique in the stack. */
  readonly checkName: string;
}

/**
 * The first login of `admin`, in the graph after `/ping`: the password (the
 * generated bootstrap password, kept), `server-url` = `https://<hostname>`,
 * `ui-default-landing` = the Rancher UI, and an admin API token. Through the
 * rancher2 provider in bootstrap mode, verifying Rancher's certificate.
 *
 * The provider is declared even when the bootstrap is off: Terraform needs the
 * provider configuration that made an object in state to forget it (the
 * `removed` block), and it is never configured when nothing uses it.
 */
export class FirstLogin extends Construct {
  /** The rancher2 provider in bootstrap mode, aliased (`providerAlias`). */
  readonly provider: Rancher2BootstrapProvider;
  /** The `rancher2_bootstrap` resource; unset when off. */
  readonly bootstrap?: Rancher2Bootstrap;
  /** The admin API token (sensitive); unset when off. */
  readonly adminToken?: string;
  /** The password the bootstrap set for `admin` (sensitive), known once it ran; unset when off. */
  readonly adminPassword?: string;

  constructor(scope: Construct, id: string, props: FirstLoginProps) {
    super(scope, id);
    const url = `https://${props.hostname}`;
    const caCerts =
      props.enabled && props.pinCaCert && props.caCertPem !== undefined
        ? // Its input, not its output: a terraform_data's output is unknown in the plan that creates it.
          new TerraformData(this, 'trusted-ca', { input: props.caCertPem, lifecycle: { ignoreChanges: ['input'] } }).plannedInput
        : props.caCertPem;
    this.provider = new Rancher2BootstrapProvider(this, 'rancher2', {
      alias: props.providerAlias,
      apiUrl: url,
      caCerts,
      timeout: `${props.minutes * 60}s`,
    });
    if (!props.enabled) {
      forgetWhenRemoved(this, Rancher2Bootstrap.tfResourceType, [BOOTSTRAP_ID]);
      return;
    }

    const bootstrap = new Rancher2Bootstrap(this, BOOTSTRAP_ID, {
      provider: this.provider,
      initialPassword: props.password,
      password: props.password,
      // The provider's default is the legacy UI; Rancher's own default is this one.
      uiDefaultLanding: 'vue',
      dependsOn: [props.ping],
    });
    this.bootstrap = bootstrap;
    this.adminToken = bootstrap.token;
    this.adminPassword = bootstrap.currentPassword;

    // server-url is written at creation only: a later hostname, or a change made in Rancher, leaves it. Warn.
    addCheck(this, props.checkName, [
      {
        // An expression of cdktf's: the hostname may itself be a reference, inside the string.
        condition: Token.asString(Op.eq(bootstrap.url, url)),
        errorMessage: `Rancher's server-url is "\${${bootstrap.fqn}.url}", not "${url}": downstream clusters and links use it. See docs/day-2.md, "Day 2" (server-url).`,
      },
    ]);
  }
}
