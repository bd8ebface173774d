export * from './alarm-outputs';
export * from './alarm-topic';
export * from './deployment-alarms';
export * from './notifying-alarm';
export * from './object-freshness';
export * from './schedule-window';
export * from './us-east-1-provider';
