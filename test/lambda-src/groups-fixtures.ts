import {
  AdminAddUserToGroupCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminUserGlobalSignOutCommand,
  ListUsersCommand,
  ResourceNotFoundException as CognitoResourceNotFound,
  TooManyRequestsException,
  UserNotFoundException,
  type AdminAddUserToGroupCommandInput,
  type AdminGetUserCommandInput,
  type AdminListGroupsForUserCommandInput,
  type AdminRemoveUserFromGroupCommandInput,
  type AdminUserGlobalSignOutCommandInput,
  type CognitoIdentityProviderClient,
  type ListUsersCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  ResourceNotFoundException as SchedulerResourceNotFound,
  type CreateScheduleCommandInput,
  type DeleteScheduleCommandInput,
  type GetScheduleCommandInput,
  type ListSchedulesCommandInput,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { ADMIN, ADMIN_GROUP, DEFAULT_ENV, REGION, TARGET, USER_POOL_ID } from './fixtures';
import { STRATEGY } from '../../src/private/contract';

/**
 * Fixtures of the groups strategy's handler tests: small stateful fakes of the Cognito
 * user pool (users and their groups) and of the EventBridge Scheduler schedule group, so
 * that tests assert what a user's groups and the schedules ARE after a request, not only
 * which calls were made. Both write to one journal, in call order.
 */

export const ACCOUNT = '123456789012';
export const SCHEDULE_GROUP = 'TestStackImpersonation0C63F577-sessions';
export const END_SESSION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:TestStack-ImpersonationEndSessionFunction-AbC123`;
export const SCHEDULER_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/TestStack-ImpersonationSchedulerRole-XyZ789`;

/** The environment of the groups broker, as the construct sets it. */
export const GROUPS_ENV = {
  ...DEFAULT_ENV,
  STRATEGY: STRATEGY.GROUPS,
  USER_POOL_ID: USER_POOL_ID,
  SCHEDULE_GROUP: SCHEDULE_GROUP,
  END_SESSION_FUNCTION_ARN: END_SESSION_ARN,
  SCHEDULER_ROLE_ARN: SCHEDULER_ROLE_ARN,
  DEFAULT_DURATION_MINUTES: '15',
  MAX_DURATION_MINUTES: '60',
} as const;

/** The environment of EndSession. */
export const END_SESSION_ENV = {
  ...DEFAULT_ENV,
  STRATEGY: STRATEGY.GROUPS,
  USER_POOL_ID: USER_POOL_ID,
  SCHEDULE_GROUP: SCHEDULE_GROUP,
} as const;

/** The admin's own groups besides the admin group: one of them the target has too. */
export const ADMIN_OWN_GROUPS = [ADMIN_GROUP, 'support-staff'];
/** The target's groups: what the admin lacks is what a session adds. */
export const TARGET_GROUPS = ['customers', 'support-staff', 'beta-testers'];
export const ADDED_GROUPS = ['customers', 'beta-testers'];

/** Another customer, with other groups. */
export const CAROL = { sub: '33333333-aaaa-4bbb-8ccc-000000000003', username: 'carol.customer', groups: ['customers', 'enterprise-plan'] } as const;
/** Another support admin. */
export const DAVE = { sub: '44444444-aaaa-4bbb-8ccc-000000000004', username: 'dave.support', groups: [ADMIN_GROUP] } as const;

interface FakeUser {
  sub: string;
  enabled: boolean;
  groups: string[];
}

/** Throws this error for a matching call instead of running it (`apply: true`: after running it). */
export interface Failure {
  readonly command: string;
  readonly when?: (input: Record<string, any>) => boolean;
  readonly error?: Error;
  readonly apply?: boolean;
  /** How many times; forever by default. */
  times?: number;
}

export function throttled(): Error {
  return new TooManyRequestsException({ message: 'Rate exceeded (internal detail)', $metadata: { httpStatusCode: 429 } });
}

/** A user pool with users and groups, as far as the groups strategy uses Cognito. */
export class FakePool {
  readonly users = new Map<string, FakeUser>();
  readonly groups = new Set<string>();
  readonly signOuts: string[] = [];
  readonly failures: Failure[] = [];

  constructor(readonly journal: string[]) {}

  addUser(username: string, sub: string, groups: readonly string[], enabled = true): this {
    this.users.set(username, { sub, enabled, groups: [...groups] });
    groups.forEach((g) => this.groups.add(g));
    return this;
  }

  groupsOf(username: string): string[] {
    return [...this.users.get(username)!.groups];
  }

  fail(failure: Failure): this {
    this.failures.push(failure);
    return this;
  }

  install(mock: AwsClientStub<CognitoIdentityProviderClient>): void {
    mock.on(AdminGetUserCommand).callsFake((i: AdminGetUserCommandInput) => this.run('AdminGetUser', i, () => {
      const user = this.user(i);
      return {
        Username: i.Username,
        Enabled: user.enabled,
        UserStatus: 'CONFIRMED',
        UserAttributes: [{ Name: 'sub', Value: user.sub }, { Name: 'email', Value: `${i.Username}@example.com` }],
      };
    }));
    mock.on(AdminListGroupsForUserCommand).callsFake((i: AdminListGroupsForUserCommandInput) => this.run('AdminListGroupsForUser', i, () => {
      const groups = this.user(i).groups;
      const start = Number(i.NextToken ?? 0);
      const end = start + (i.Limit ?? 60);
      return {
        Groups: groups.slice(start, end).map((GroupName) => ({ GroupName, UserPoolId: USER_POOL_ID })),
        NextToken: end < groups.length ? String(end) : undefined,
      };
    }));
    mock.on(ListUsersCommand).callsFake((i: ListUsersCommandInput) => this.run('ListUsers', i, () => {
      const sub = /^sub = "(.*)"$/.exec(i.Filter ?? '')?.[1];
      return { Users: [...this.users.entries()].filter(([, u]) => u.sub === sub).map(([Username]) => ({ Username })) };
    }));
    mock.on(AdminAddUserToGroupCommand).callsFake((i: AdminAddUserToGroupCommandInput) => this.run('AdminAddUserToGroup', i, () => {
      const user = this.user(i);
      if (!this.groups.has(i.GroupName!)) throw new CognitoResourceNotFound({ message: 'Group not found.', $metadata: {} });
      if (!user.groups.includes(i.GroupName!)) user.groups.push(i.GroupName!);
      return {};
    }));
    mock.on(AdminRemoveUserFromGroupCommand).callsFake((i: AdminRemoveUserFromGroupCommandInput) => this.run('AdminRemoveUserFromGroup', i, () => {
      const user = this.user(i);
      if (!this.groups.has(i.GroupName!)) throw new CognitoResourceNotFound({ message: 'Group not found.', $metadata: {} });
      user.groups = user.groups.filter((g) => g !== i.GroupName);
      return {};
    }));
    mock.on(AdminUserGlobalSignOutCommand).callsFake((i: AdminUserGlobalSignOutCommandInput) => this.run('AdminUserGlobalSignOut', i, () => {
      this.user(i);
      this.signOuts.push(i.Username!);
      return {};
    }));
  }

  private user(input: { UserPoolId?: string; Username?: string }): FakeUser {
    const user = input.UserPoolId === USER_POOL_ID ? this.users.get(input.Username!) : undefined;
    if (!user) throw new UserNotFoundException({ message: 'User does not exist.', $metadata: {} });
    return user;
  }

  private run<T>(command: string, input: Record<string, any>, apply: () => T): T {
    return runWithFailures(this.failures, this.journal, command, input, apply);
  }
}

function runWithFailures<T>(failures: Failure[], journal: string[], command: string, input: Record<string, any>, apply: () => T): T {
  const failure = failures.find((f) => f.command === command && (f.times ?? 1) > 0 && (f.when?.(input) ?? true));
  const detail = input.GroupName && input.Username ? ` ${input.Username} ${input.GroupName}` : input.Name ? ` ${input.Name}` : input.Username ? ` ${input.Username}` : '';
  if (failure) {
    if (failure.times !== undefined) failure.times--;
    if (failure.apply) apply();
    journal.push(`${command}${detail} FAILED`);
    throw failure.error ?? throttled();
  }
  let result: T;
  try {
    result = apply();
  } catch (err) {
    journal.push(`${command}${detail} -> ${(err as Error).name}`);
    throw err;
  }
  journal.push(`${command}${detail}`);
  return result;
}

/** One schedule group of EventBridge Scheduler, as far as sessions use it. */
export class FakeScheduler {
  readonly schedules = new Map<string, CreateScheduleCommandInput>();
  readonly failures: Failure[] = [];

  constructor(readonly journal: string[], readonly groupName: string = SCHEDULE_GROUP) {}

  fail(failure: Failure): this {
    this.failures.push(failure);
    return this;
  }

  /** The session a schedule holds, parsed. */
  sessionIn(name: string): Record<string, any> {
    return JSON.parse(this.schedules.get(name)!.Target!.Input!);
  }

  install(mock: AwsClientStub<SchedulerClient>): void {
    mock.on(CreateScheduleCommand).callsFake((i: CreateScheduleCommandInput) => this.run('CreateSchedule', i, () => {
      this.checkGroup(i.GroupName);
      if (this.schedules.has(i.Name!)) throw new ConflictException({ message: 'Schedule already exists.', Message: 'Schedule already exists.', $metadata: {} });
      this.schedules.set(i.Name!, i);
      return { ScheduleArn: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/${i.GroupName}/${i.Name}` };
    }));
    mock.on(GetScheduleCommand).callsFake((i: GetScheduleCommandInput) => this.run('GetSchedule', i, () => {
      const s = this.existing(i);
      return {
        Arn: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/${s.GroupName}/${s.Name}`,
        GroupName: s.GroupName,
        Name: s.Name,
        ScheduleExpression: s.ScheduleExpression,
        ScheduleExpressionTimezone: s.ScheduleExpressionTimezone,
        FlexibleTimeWindow: s.FlexibleTimeWindow,
        ActionAfterCompletion: s.ActionAfterCompletion,
        State: 'ENABLED',
        Target: s.Target,
      };
    }));
    mock.on(DeleteScheduleCommand).callsFake((i: DeleteScheduleCommandInput) => this.run('DeleteSchedule', i, () => {
      this.existing(i);
      this.schedules.delete(i.Name!);
      return {};
    }));
    mock.on(ListSchedulesCommand).callsFake((i: ListSchedulesCommandInput) => this.run('ListSchedules', i, () => {
      const names = [...this.schedules.values()]
        .filter((s) => (i.GroupName === undefined || s.GroupName === i.GroupName) && s.Name!.startsWith(i.NamePrefix ?? ''))
        .map((s) => s.Name!)
        .sort();
      const start = Number(i.NextToken ?? 0);
      const end = start + (i.MaxResults ?? 100);
      return {
        Schedules: names.slice(start, end).map((Name) => ({ Name, GroupName: this.schedules.get(Name)!.GroupName, State: 'ENABLED' })),
        NextToken: end < names.length ? String(end) : undefined,
      };
    }));
  }

  private checkGroup(group: string | undefined): void {
    if (group !== this.groupName) throw new SchedulerResourceNotFound({ message: 'Schedule group not found.', Message: 'Schedule group not found.', $metadata: {} });
  }

  private existing(i: { GroupName?: string; Name?: string }): CreateScheduleCommandInput {
    this.checkGroup(i.GroupName);
    const s = this.schedules.get(i.Name!);
    if (!s) throw new SchedulerResourceNotFound({ message: `Schedule ${i.Name} does not exist.`, Message: `Schedule ${i.Name} does not exist.`, $metadata: {} });
    return s;
  }

  private run<T>(command: string, input: Record<string, any>, apply: () => T): T {
    return runWithFailures(this.failures, this.journal, command, input, apply);
  }
}

/** A pool with the admin, another admin, the target and another customer. */
export function standardPool(journal: string[]): FakePool {
  return new FakePool(journal)
    .addUser(ADMIN.username, ADMIN.sub, ADMIN_OWN_GROUPS)
    .addUser(DAVE.username, DAVE.sub, DAVE.groups)
    .addUser(TARGET.username, TARGET.sub, TARGET_GROUPS)
    .addUser(CAROL.username, CAROL.sub, CAROL.groups);
}
