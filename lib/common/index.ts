// The providers every deployment needs in its stack.
export { configureBaseProviders, type BaseProvidersProps } from './providers';
export type { GuardCondition } from './deployment-guard';
export { TerraformData, type TerraformDataConfig } from './terraform-data';
export { metricWith } from './metric';
export type { Metric, MetricOptions, MetricStatistic } from './metric';
