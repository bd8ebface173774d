/** Tag every AWS resource of a deployment carries (the AWS provider's default_tags): `<name>-<stack>`. */
export const DEPLOYMENT_TAG = 'rancher-aws:deployment';
