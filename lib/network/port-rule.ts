/** One inbound or outbound port range of a security group rule, with the reason it is open. */
export interface PortRule {
  readonly protocol: 'tcp' | 'udp';
  readonly from: number;
  readonly to: number;
  readonly description: string;
}
