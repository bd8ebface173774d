import { Fn } from 'cdktf';
import type { ClusterAccess } from '../cluster-access';

/** A kubeconfig document (a Terraform expression) for the admin client certificate. */
export function kubeconfig(clusterName: string, access: ClusterAccess): string {
  return Fn.yamlencode({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: clusterName, cluster: { server: access.host, 'certificate-authority-data': Fn.base64encode(access.clusterCaCertificate) } }],
    users: [
      {
        name: `${clusterName}-admin`,
        user: {
          'client-certificate-data': Fn.base64encode(access.clientCertificate),
          'client-key-data': Fn.base64encode(access.clientKey),
        },
      },
    ],
    contexts: [{ name: clusterName, context: { cluster: clusterName, user: `${clusterName}-admin` } }],
    'current-context': clusterName,
  });
}
