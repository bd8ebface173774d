/** Where the Rancher chart and its TLS secrets live. */
export const RANCHER_NAMESPACE = 'cattle-system';
