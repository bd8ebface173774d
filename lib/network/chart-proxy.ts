/** The proxy as the Helm charts take it, or undefined when none is configured. */
export interface ChartProxy {
  readonly http?: string;
  readonly https?: string;
  /** One URL for both schemes (the Rancher chart's `proxy`). */
  readonly url: string;
  readonly noProxy: readonly string[];
}
