import { version } from '../../package.json';

/**
 * This tool's name and version, as the package says: in the user agent of every AWS and Kubernetes call, so a
 * CloudTrail event or an audit log line names what made it. The bundle carries the value (esbuild inlines the one
 * field imported), so an installed binary reports its own version wherever it runs.
 */
export const TOOL = { name: 'rancher-ha-aws', version } as const;
