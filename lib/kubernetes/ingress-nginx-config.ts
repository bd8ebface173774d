/**
 * RKE2's way to change its packaged ingress-nginx: a HelmChartConfig for the
 * `rke2-ingress-nginx` chart. Trusting X-Forwarded-* is needed when TLS ends
 * at an ALB, so Rancher sees the original scheme and client address.
 */
export function forwardedHeadersChartConfig(): Record<string, unknown> {
  return {
    apiVersion: 'helm.cattle.io/v1',
    kind: 'HelmChartConfig',
    metadata: { name: 'rke2-ingress-nginx', namespace: 'kube-system' },
    spec: { valuesContent: "controller:\n  config:\n    use-forwarded-headers: 'true'\n" },
  };
}
