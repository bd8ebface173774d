// The providers every deployment needs in its stack.
export { configureBaseProviders, type BaseProvidersProps } from './providers';
export type { GuardCondition } from './deployment-guard';
export { TerraformData, type TerraformDataConfig } from './terraform-data';
export { metricWith } from './metric';
export type { Metric, MetricOptions, MetricStatistic } from './metric';
// The stack's key as BootParameters makes it and DeploymentAlarms takes it (types only: a key is made by the construct it encrypts for).
export type { IStackKey, ReplicationKeyUse, StackKey, StackKeyProps } from './stack-key';
