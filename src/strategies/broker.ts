/**
 * What every broker calls to know who asks (the admin, checked live) and whom (the target,
 * by username or sub). Each strategy adds the actions of its own way of impersonating.
 */
export const BROKER_LOOKUP_ACTIONS: readonly string[] = [
  'cognito-idp:AdminGetUser',
  'cognito-idp:AdminListGroupsForUser',
  'cognito-idp:ListUsers',
];
