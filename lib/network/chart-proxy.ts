/** The proxy as the Helm charts take it, or undefined when none is configured. */
export interface ChartProxy {
  /** The proxy for HTTP (`proxy.http`); unset when only `https` is given. */
  readonly http?: string;
  /** The proxy for HTTPS: `proxy.https`, or `proxy.http` when that alone is given. */
  readonly https?: string;
  /** One URL for both schemes (the Rancher chart's `proxy`). */
  readonly url: string;
  /** Hosts and networks reached directly (the built-in list and the user's). */
  readonly noProxy: readonly string[];
}
