import { Construct } from 'constructs';
import { endsWithin, reportedEnds } from '../../common/reported-ends';
import { escapeTemplate } from '../../common/terraform-template';
import { addCheck } from '../../common/private/check';

/** Days before the end of the container's K3s certificates from which every plan warns: their last 30. */
export const K3S_CERTIFICATE_WARNING_DAYS = 30;
/** Days before their end from which the host restarts the container to renew them (k3s-cert-renewal.sh). */
export const K3S_RENEW_WITHIN_DAYS = 60;
/**
 * Where, under the deployment's parameter path, the host reports when the earliest of the container's K3s leaf
 * certificates ends: `<path>/k3s-certificate-end/rancher` (the container's name), RFC 3339, at every run of its
 * renewal timer; the node role may put only below this path.
 */
export const K3S_CERTIFICATE_END_PATH = 'k3s-certificate-end';
/** The host's renewal unit (service and timer). */
export const K3S_RENEWAL_UNIT = 'rancher-aws-k3s-cert-renewal';

export interface K3sCertificateCheckProps {
  /** The deployment's parameter path (BootParameters.prefix). */
  readonly parameterPath: string;
  /** The `check` block's name (stackLevelName). */
  readonly checkName: string;
}

/**
 * A `check` that warns on every plan in the last K3S_CERTIFICATE_WARNING_DAYS of the K3s certificates inside the
 * rancher container, as the host reports them: the host renews them from K3S_RENEW_WITHIN_DAYS, so a warning means
 * its renewal did not run or did not work. Read at plan time from SSM (`reportedEnds`): an unchanged deployment
 * plans no change.
 */
export function k3sCertificateCheck(scope: Construct, props: K3sCertificateCheckProps): void {
  const path = `${props.parameterPath}/${K3S_CERTIFICATE_END_PATH}`;
  const reported = reportedEnds(new Construct(scope, K3S_CERTIFICATE_END_PATH), {
    path,
    reporters: [
      {
        id: 'rancher',
        key: 'rancher',
        description: "When the earliest of the rancher container's K3s certificates ends, as the host reports it (RFC 3339)",
      },
    ],
  });
  const near = (end: string) => endsWithin(end, K3S_CERTIFICATE_WARNING_DAYS);
  addCheck(scope, props.checkName, [
    {
      condition: `\${alltrue([for name, end in ${reported} : !(${near('end')})])}`,
      errorMessage:
        `The K3s certificates inside the rancher container end less than ${K3S_CERTIFICATE_WARNING_DAYS} days from now (\${join(", ", [for name, end in ${reported} : end if ${near('end')}])}, as the host reports it under ${escapeTemplate(path)}), ` +
        `although the host restarts the container to renew them ${K3S_RENEW_WITHIN_DAYS} days ahead: the renewal did not run or did not work. ` +
        `On the host (aws ssm start-session --target <instance_id>): journalctl -u ${K3S_RENEWAL_UNIT} says why; docs/day-2.md, "Docker stack lifetimes".`,
    },
  ]);
}
