// Data only, no imports: the operations CLI loads it too (the acceptance run's downstream instance takes SSM
// commands with the same actions as the servers).

/**
 * What the SSM agent needs for Session Manager (a shell instead of SSH):
 * registering the instance and opening the session channels, and the message
 * channel the agent polls for commands. None of these actions takes a resource
 * narrower than `*`. This replaces `AmazonSSMManagedInstanceCore`, which also
 * grants `ssm:GetParameter(s)` on every parameter in the account, documents,
 * associations, inventory and patching, none of which these nodes use.
 */
export const SESSION_MANAGER_ACTIONS = [
  'ssm:UpdateInstanceInformation',
  'ssmmessages:CreateControlChannel',
  'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel',
  'ssmmessages:OpenDataChannel',
] as const;
export const AGENT_MESSAGE_ACTIONS = [
  'ec2messages:AcknowledgeMessage',
  'ec2messages:DeleteMessage',
  'ec2messages:FailMessage',
  'ec2messages:GetEndpoint',
  'ec2messages:GetMessages',
  'ec2messages:SendReply',
] as const;
