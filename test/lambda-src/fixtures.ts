import type {
  AdminGetUserCommandOutput,
  AdminListGroupsForUserCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import type {
  Context,
  PreTokenGenerationTriggerEvent,
  PreTokenGenerationV2TriggerEvent,
} from 'aws-lambda';
import type { ImpersonationConfig } from '../../lambda-src/common/config';
import { CLIENT_METADATA, ENV } from '../../src/private/contract';

/** Realistic identifiers, shared by the handler tests. */
export const REGION = 'eu-west-1';
export const USER_POOL_ID = 'eu-west-1_AbCdEf123';
export const CLIENT_ID = '3n4b5urk1ft4fl3mg5e62d9ado';
export const REQUEST_ID = 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef';
export const ADMIN_GROUP = 'support-impersonators';
export const PROTECTED_GROUP = 'billing-admins';

/** The signed-in support admin, with attribute values that must never reach an audit event. */
export const ADMIN = {
  sub: '11111111-aaaa-4bbb-8ccc-000000000001',
  username: 'alice.support',
  email: 'alice.private@example.com',
  phoneNumber: '+15555550123',
  givenName: 'Alicia-Given-Name',
} as const;

/** The customer an admin asks to impersonate. */
export const TARGET = {
  sub: '22222222-aaaa-4bbb-8ccc-000000000002',
  username: 'bob.customer',
  email: 'bob.private@example.com',
  phoneNumber: '+15555550199',
} as const;

export const REASON = 'Ticket SUP-4711: checkout fails for this customer';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** ClientMetadata of an impersonation request. */
export function impersonationMetadata(
  target: string = TARGET.username,
  reason: string = REASON,
): Record<string, string> {
  return { [CLIENT_METADATA.TARGET]: target, [CLIENT_METADATA.REASON]: reason };
}

interface EventOptions {
  readonly triggerSource?: string;
  /** Groups of the signed-in user; the admin group by default. */
  readonly groups?: string[] | undefined;
  /** ClientMetadata; `undefined` leaves the key out of the request, as Cognito does without any. */
  readonly clientMetadata?: Record<string, unknown> | undefined;
  readonly userName?: string;
  readonly sub?: string;
}

function userAttributes(sub: string): Record<string, string> {
  return {
    'sub': sub,
    'email': ADMIN.email,
    'email_verified': 'true',
    'phone_number': ADMIN.phoneNumber,
    'phone_number_verified': 'false',
    'given_name': ADMIN.givenName,
    'cognito:user_status': 'CONFIRMED',
  };
}

function request(options: EventOptions) {
  const groups = 'groups' in options ? options.groups : [ADMIN_GROUP];
  return {
    userAttributes: userAttributes(options.sub ?? ADMIN.sub),
    groupConfiguration: {
      groupsToOverride: groups,
      iamRolesToOverride: [],
      preferredRole: undefined,
    },
    ...('clientMetadata' in options && options.clientMetadata === undefined
      ? {}
      : { clientMetadata: (options.clientMetadata ?? impersonationMetadata()) as Record<string, string> }),
  };
}

function common(options: EventOptions) {
  return {
    region: REGION,
    userPoolId: USER_POOL_ID,
    userName: options.userName ?? ADMIN.username,
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: CLIENT_ID },
  };
}

/**
 * A V2 Pre Token Generation event (trigger event version "2"), as Cognito sends it:
 * an impersonation request by the admin unless options say otherwise.
 */
export function v2Event(
  options: EventOptions = {},
  response?: PreTokenGenerationV2TriggerEvent['response'],
): PreTokenGenerationV2TriggerEvent {
  return {
    version: '2',
    triggerSource: (options.triggerSource ?? 'TokenGeneration_Authentication') as PreTokenGenerationV2TriggerEvent['triggerSource'],
    ...common(options),
    request: {
      ...request(options),
      scopes: ['openid', 'email', 'aws.cognito.signin.user.admin'],
    },
    // Cognito sends `null` when no earlier processing set any override.
    response: response ?? { claimsAndScopeOverrideDetails: null as unknown as PreTokenGenerationV2TriggerEvent['response']['claimsAndScopeOverrideDetails'] },
  };
}

/** A V1 Pre Token Generation event (trigger event version "1"). */
export function v1Event(
  options: EventOptions = {},
  response?: PreTokenGenerationTriggerEvent['response'],
): PreTokenGenerationTriggerEvent {
  return {
    version: '1',
    triggerSource: (options.triggerSource ?? 'TokenGeneration_HostedAuth') as PreTokenGenerationTriggerEvent['triggerSource'],
    ...common(options),
    request: request(options),
    response: response ?? { claimsOverrideDetails: null as unknown as PreTokenGenerationTriggerEvent['response']['claimsOverrideDetails'] },
  };
}

/** A Lambda context; only awsRequestId matters to the handler. */
export function lambdaContext(awsRequestId: string = REQUEST_ID): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'TestStack-ImpersonationPreTokenGeneration',
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:123456789012:function:TestStack-ImpersonationPreTokenGeneration`,
    memoryLimitInMB: '256',
    awsRequestId,
    logGroupName: '/aws/lambda/TestStack-ImpersonationPreTokenGeneration',
    logStreamName: '2026/01/01/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 5000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** AdminGetUser's answer for a user. */
export function adminGetUserOutput(options: {
  username?: string;
  sub?: string;
  enabled?: boolean;
} = {}): AdminGetUserCommandOutput {
  return {
    $metadata: { httpStatusCode: 200 },
    Username: options.username ?? TARGET.username,
    Enabled: 'enabled' in options ? options.enabled : true,
    UserStatus: 'CONFIRMED',
    UserAttributes: [
      { Name: 'sub', Value: options.sub ?? TARGET.sub },
      { Name: 'email', Value: TARGET.email },
      { Name: 'phone_number', Value: TARGET.phoneNumber },
    ],
  };
}

/** One page of AdminListGroupsForUser. */
export function groupsPage(groups: string[], nextToken?: string): AdminListGroupsForUserCommandOutput {
  return {
    $metadata: { httpStatusCode: 200 },
    Groups: groups.map((GroupName) => ({ GroupName, UserPoolId: USER_POOL_ID, Precedence: 1 })),
    NextToken: nextToken,
  };
}

/** An ImpersonationConfig for unit tests. */
export function testConfig(overrides: Partial<ImpersonationConfig> = {}): ImpersonationConfig {
  return {
    adminGroupName: ADMIN_GROUP,
    protectedGroupNames: new Set([ADMIN_GROUP, PROTECTED_GROUP]),
    requireReason: true,
    maxReasonLength: 256,
    claimName: 'impersonating',
    ...overrides,
  };
}

/**
 * Sets the handler's environment variables (`undefined` deletes one) and returns a
 * function that puts back what was there before.
 */
export function setImpersonationEnv(values: Partial<Record<keyof typeof ENV, string | undefined>>): () => void {
  const names = Object.values(ENV);
  const saved = new Map(names.map((name) => [name, process.env[name]]));
  for (const name of names) delete process.env[name];
  for (const [key, value] of Object.entries(values)) {
    const name = ENV[key as keyof typeof ENV];
    if (value !== undefined) process.env[name] = value;
  }
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) {
        delete process.env[name];
      } else {
        process.env[name] = value;
      }
    }
  };
}

/** The environment the construct sets by default. */
export const DEFAULT_ENV = {
  ADMIN_GROUP: ADMIN_GROUP,
  PROTECTED_GROUPS: JSON.stringify([ADMIN_GROUP, PROTECTED_GROUP]),
} as const;

/** True for a timestamp in the exact format of Date#toISOString. */
export function isIsoTime(value: unknown): boolean {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString() === value;
}
