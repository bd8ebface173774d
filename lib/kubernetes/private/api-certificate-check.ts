import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { endsWithin, reportedEnds } from '../../common/reported-ends';
import { escapeTemplate } from '../../common/terraform-template';
import { CERT_RENEW_WITHIN_DAYS } from './server-units';
import { addCheck } from '../../common/private/check';

/**
 * Days before the end of the API's serving certificate from which every plan warns. The servers renew their
 * certificates CERT_RENEW_WITHIN_DAYS (80) ahead (cert-renewal.sh, `RENEW_WITHIN_DAYS`): a certificate this close to its end means the
 * renewal did not run on that server (no timer on a server older than it, a stuck marker, a timer that never fires).
 */
export const API_CERTIFICATE_WARNING_DAYS = 60;

/**
 * Where, under the deployment's parameter path, each server reports when its API serving certificate ends: one
 * String parameter per server named by its address (`<path>/api-certificate-end/<address>`), RFC 3339. cert-renewal.sh
 * (`publish_certificate_end`) writes it at every run; the node role may put only below this path.
 */
export const API_CERTIFICATE_END_PATH = 'api-certificate-end';

/** The value of a server's parameter until its renewal timer first reports (2 h after its boot): not a date, skipped. */
export { NOT_REPORTED } from '../../common/reported-ends';

export interface ApiCertificateCheckProps {
  /** The deployment's parameter path (BootParameters.prefix), e.g. `/rancher/prod`. */
  readonly parameterPath: string;
  /**
   * The servers, each by its construct name and the address it runs with (the instance's `private_ip`: the address
   * its user data names as NODE_IP, which it keeps until it is replaced).
   */
  readonly servers: readonly { readonly name: string; readonly address: string }[];
  /** The `check` block's name (stackLevelName). */
  readonly checkName: string;
  /** The renewal's systemd unit on the servers, named in the warning. */
  readonly renewalUnit: string;
}

/**
 * A `check` that warns on every plan from API_CERTIFICATE_WARNING_DAYS before the end of any server's API serving
 * certificate, as the servers report it in SSM: the second line behind the servers' renewal timer (nothing else in
 * Terraform sees a server certificate age).
 *
 * Nothing here reads the API: the reports are SSM parameters read at plan time (`reportedEnds`).
 */
export function apiCertificateCheck(scope: Construct, props: ApiCertificateCheckProps): void {
  const path = `${props.parameterPath}/${API_CERTIFICATE_END_PATH}`;
  const reported = reportedEnds(new Construct(scope, 'api-certificate-end'), {
    path,
    reporters: props.servers.map((server) => ({
      id: server.name,
      key: server.address,
      description: `When the API serving certificate of ${server.name} ends, as its certificate renewal reports it (RFC 3339)`,
    })),
  });
  const near = (end: string) => endsWithin(end, API_CERTIFICATE_WARNING_DAYS);
  addCheck(scope, props.checkName, [
    {
      condition: `\${alltrue([for name, end in ${reported} : !(${near('end')})])}`,
      errorMessage:
        `The Kubernetes API's serving certificate ends less than ${API_CERTIFICATE_WARNING_DAYS} days from now on \${join(", ", [for name, end in ${reported} : "\${basename(name)} (\${end})" if ${near('end')}])} ` +
        `(server addresses, as the servers report it under ${escapeTemplate(path)}), although the servers renew theirs ${CERT_RENEW_WITHIN_DAYS} days ahead: its renewal did not run. ` +
        `On that server (aws ssm start-session): systemctl status ${props.renewalUnit}.timer and journalctl -u ${props.renewalUnit}; ` +
        `a server without that timer (created before it existed) is renewed by a roll (npm run roll -- ${escapeTemplate(TerraformStack.of(scope).node.id)} --server <name>) or an in-place upgrade; ` +
        'docs/day-2.md, "Lifetimes".',
    },
  ]);
}
