/** One inbound or outbound port range of a security group rule, with the reason it is open. */
export interface PortRule {
  /** The IP protocol. */
  readonly protocol: 'tcp' | 'udp';
  /** The range's first port. */
  readonly from: number;
  /** The range's last port (`from` for one port). */
  readonly to: number;
  /** Why the range is open, as the rule's description in EC2. */
  readonly description: string;
}
