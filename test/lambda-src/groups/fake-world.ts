import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'crypto';
import {
  AdminAddUserToGroupCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminUserGlobalSignOutCommand,
  GetUserCommand,
  ListUsersCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  type CreateScheduleCommandInput,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { evaluateCondition, applyUpdate, type ExpressionContext } from './fake-expressions';

/**
 * A small, fast, stateful model of the AWS APIs the groups strategy calls — Cognito users and
 * groups, an EventBridge Scheduler schedule group and a DynamoDB table with conditional
 * writes — with injectable faults, a clock that moves only when told to, and a hook that
 * lets a test decide the order in which concurrent calls reach "AWS".
 *
 * Faults are numbered by call: the n-th call the world sees gets the fault planned for n.
 * - `throttle`: the call is refused before it changes anything (TooManyRequests, throttling).
 * - `lostResponse`: the call takes effect, but the caller gets a timeout error.
 * - `killBefore` / `killAfter`: the invocation dies at this call (Lambda timeout, out of
 *   memory), before or after the call took effect: the call never returns.
 */

export type FaultKind = 'throttle' | 'lostResponse' | 'killBefore' | 'killAfter';

export interface FakeUser {
  sub: string;
  enabled: boolean;
  groups: string[];
}

/** The error a service answers with, shaped like the SDK's (name, $fault, $metadata). */
export function awsError(name: string, message: string, status = 400): Error {
  const err = new Error(message) as Error & { $fault: string; $metadata: object };
  err.name = name;
  err.$fault = status >= 500 ? 'server' : 'client';
  err.$metadata = { httpStatusCode: status };
  return err;
}

const THROTTLE: Record<string, () => Error> = {
  cognito: () => awsError('TooManyRequestsException', 'Rate exceeded', 429),
  dynamodb: () => awsError('ProvisionedThroughputExceededException', 'The level of configured provisioned throughput for the table was exceeded.'),
  scheduler: () => awsError('ThrottlingException', 'Rate exceeded', 429),
};

/** A promise that never settles: the invocation that awaits it is dead. */
const dead = <T>(): Promise<T> => new Promise<T>(() => undefined);

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';

const issuers = new Map<string, TokenIssuer>();

export class FakeWorld {
  /** The clock of every handler (Date.now is pointed here by the test). */
  now = Date.UTC(2026, 0, 5, 9, 0, 0);
  readonly users = new Map<string, FakeUser>();
  readonly groups = new Set<string>();
  /** username -> when they were last signed out globally (tokens issued earlier are revoked). */
  readonly signedOutAt = new Map<string, number>();
  readonly schedules = new Map<string, CreateScheduleCommandInput>();
  readonly items = new Map<string, Record<string, AttributeValue>>();
  readonly faults = new Map<number, FaultKind>();
  /** Faults decided by command, for calls the numbered plan leaves alone. */
  faultFor?: (command: string, input: Record<string, any>) => FaultKind | undefined;
  faultsOn = true;
  calls = 0;
  /** Calls that ended an invocation (killBefore/killAfter). */
  kills = 0;
  /** Awaited before every call reaches "AWS": lets a test interleave concurrent invocations. */
  gate?: (label: string) => Promise<void>;
  readonly journal: string[] = [];
  /** Keep the journal (for failure messages); off in property runs, for speed. */
  journaling = true;
  readonly tokens: TokenIssuer;

  constructor(readonly userPoolId: string, readonly scheduleGroup: string, readonly tableName: string) {
    // Generating an RSA key takes long: one issuer per pool for the whole test file.
    const issuer = `https://cognito-idp.${REGION}.amazonaws.com/${userPoolId}`;
    this.tokens = issuers.get(issuer) ?? new TokenIssuer(issuer);
    issuers.set(issuer, this.tokens);
  }

  addUser(username: string, groups: readonly string[], options: { sub?: string; enabled?: boolean } = {}): FakeUser {
    const user = { sub: options.sub ?? randomUUID(), enabled: options.enabled ?? true, groups: [...groups] };
    this.users.set(username, user);
    groups.forEach((g) => this.groups.add(g));
    return user;
  }

  addGroups(...groups: string[]): void {
    groups.forEach((g) => this.groups.add(g));
  }

  groupsOf(username: string): string[] {
    return [...(this.users.get(username)?.groups ?? [])].sort();
  }

  /** An access token of `username` issued now (its live sub unless `sub` is given). */
  accessToken(username: string, sub?: string): string {
    return this.tokens.accessToken({ username, sub: sub ?? this.users.get(username)?.sub ?? randomUUID() }, Math.floor(this.now / 1000));
  }

  /** The schedules whose one-time expression is due at `now`. */
  dueSchedules(): CreateScheduleCommandInput[] {
    return [...this.schedules.values()].filter((s) => atTime(s.ScheduleExpression!) <= this.now);
  }

  /** Runs `apply` as AWS would, with the fault planned for this call. */
  async call<T>(service: string, command: string, detail: string, apply: () => T, input: Record<string, any> = {}): Promise<T> {
    if (this.gate) await this.gate(command);
    const n = this.calls++;
    const fault = this.faultsOn ? this.faults.get(n) ?? this.faultFor?.(command, input) : undefined;
    const note = (outcome: string) => {
      if (this.journaling) this.journal.push(`#${n} ${command}${detail ? ' ' + detail : ''}${outcome}`);
    };
    switch (fault) {
      case 'throttle':
        note(' THROTTLED');
        throw THROTTLE[service]();
      case 'killBefore':
        note(' KILLED before');
        this.kills++;
        return dead();
      case 'killAfter':
        apply();
        note(' KILLED after');
        this.kills++;
        return dead();
      case 'lostResponse':
        apply();
        note(' applied, response lost');
        throw awsError('TimeoutError', 'socket hang up', 500);
      default:
        try {
          const result = apply();
          note('');
          return result;
        } catch (err) {
          note(` -> ${(err as Error).name}`);
          throw err;
        }
    }
  }

  install(stubs: {
    cognito: AwsClientStub<CognitoIdentityProviderClient>;
    scheduler: AwsClientStub<SchedulerClient>;
    dynamodb?: AwsClientStub<DynamoDBClient>;
  }): void {
    this.installCognito(stubs.cognito);
    this.installScheduler(stubs.scheduler);
    if (stubs.dynamodb) this.installDynamoDb(stubs.dynamodb);
  }

  private user(input: { UserPoolId?: string; Username?: string }): FakeUser {
    if (input.UserPoolId !== this.userPoolId) throw awsError('ResourceNotFoundException', 'User pool does not exist.');
    const user = this.users.get(input.Username ?? '');
    if (!user) throw awsError('UserNotFoundException', 'User does not exist.');
    return user;
  }

  private group(name: string | undefined): string {
    if (!name || !this.groups.has(name)) throw awsError('ResourceNotFoundException', 'Group not found.');
    return name;
  }

  private installCognito(mock: AwsClientStub<CognitoIdentityProviderClient>): void {
    const c = (command: string, input: Record<string, any>, detail: string | undefined, apply: () => any) =>
      this.call('cognito', command, detail ?? '', apply, input);
    mock.on(AdminGetUserCommand).callsFake((i) => c('AdminGetUser', i, i.Username, () => {
      const user = this.user(i);
      return {
        Username: i.Username,
        Enabled: user.enabled,
        UserStatus: 'CONFIRMED',
        UserAttributes: [{ Name: 'sub', Value: user.sub }],
      };
    }));
    mock.on(GetUserCommand).callsFake((i) => c('GetUser', i, '', () => {
      const claims = decodeClaims(i.AccessToken ?? '');
      const user = this.users.get(String(claims.username));
      const revoked = (this.signedOutAt.get(String(claims.username)) ?? -Infinity) >= Number(claims.iat) * 1000;
      if (!user || user.sub !== claims.sub || revoked) throw awsError('NotAuthorizedException', 'Access Token has been revoked');
      if (!user.enabled) throw awsError('NotAuthorizedException', 'User is disabled.');
      return { Username: claims.username, UserAttributes: [{ Name: 'sub', Value: user.sub }] };
    }));
    mock.on(AdminListGroupsForUserCommand).callsFake((i) => c('AdminListGroupsForUser', i, i.Username, () => {
      const groups = this.user(i).groups;
      const start = Number(i.NextToken ?? 0);
      const end = start + (i.Limit ?? 60);
      return {
        Groups: groups.slice(start, end).map((GroupName) => ({ GroupName, UserPoolId: this.userPoolId })),
        NextToken: end < groups.length ? String(end) : undefined,
      };
    }));
    mock.on(ListUsersCommand).callsFake((i) => c('ListUsers', i, '', () => {
      const sub = /^sub = "(.*)"$/.exec(i.Filter ?? '')?.[1];
      return { Users: [...this.users.entries()].filter(([, u]) => u.sub === sub).map(([Username]) => ({ Username })) };
    }));
    mock.on(AdminAddUserToGroupCommand).callsFake((i) => c('AdminAddUserToGroup', i, `${i.Username} ${i.GroupName}`, () => {
      const user = this.user(i);
      const group = this.group(i.GroupName);
      if (!user.groups.includes(group)) user.groups.push(group);
      return {};
    }));
    mock.on(AdminRemoveUserFromGroupCommand).callsFake((i) => c('AdminRemoveUserFromGroup', i, `${i.Username} ${i.GroupName}`, () => {
      const user = this.user(i);
      const group = this.group(i.GroupName);
      user.groups = user.groups.filter((g) => g !== group);
      return {};
    }));
    mock.on(AdminUserGlobalSignOutCommand).callsFake((i) => c('AdminUserGlobalSignOut', i, i.Username, () => {
      this.user(i);
      this.signedOutAt.set(i.Username!, this.now);
      return {};
    }));
  }

  private installScheduler(mock: AwsClientStub<SchedulerClient>): void {
    const c = (command: string, input: Record<string, any>, detail: string | undefined, apply: () => any) =>
      this.call('scheduler', command, detail ?? '', apply, input);
    const existing = (i: { GroupName?: string; Name?: string }) => {
      if (i.GroupName !== this.scheduleGroup) throw awsError('ResourceNotFoundException', 'Schedule group not found.', 404);
      const s = this.schedules.get(i.Name!);
      if (!s) throw awsError('ResourceNotFoundException', `Schedule ${i.Name} does not exist.`, 404);
      return s;
    };
    mock.on(CreateScheduleCommand).callsFake((i) => c('CreateSchedule', i, i.Name, () => {
      if (i.GroupName !== this.scheduleGroup) throw awsError('ResourceNotFoundException', 'Schedule group not found.', 404);
      if (this.schedules.has(i.Name!)) throw awsError('ConflictException', `Schedule ${i.Name} already exists.`, 409);
      this.schedules.set(i.Name!, i);
      return { ScheduleArn: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/${i.GroupName}/${i.Name}` };
    }));
    mock.on(GetScheduleCommand).callsFake((i) => c('GetSchedule', i, i.Name, () => {
      const s = existing(i);
      return { ...s, Arn: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/${s.GroupName}/${s.Name}`, State: 'ENABLED' };
    }));
    mock.on(DeleteScheduleCommand).callsFake((i) => c('DeleteSchedule', i, i.Name, () => {
      existing(i);
      this.schedules.delete(i.Name!);
      return {};
    }));
    mock.on(ListSchedulesCommand).callsFake((i) => c('ListSchedules', i, i.NamePrefix, () => {
      const names = [...this.schedules.values()]
        .filter((s) => s.GroupName === i.GroupName && s.Name!.startsWith(i.NamePrefix ?? ''))
        .map((s) => s.Name!)
        .sort();
      const start = Number(i.NextToken ?? 0);
      const end = start + (i.MaxResults ?? 100);
      return {
        Schedules: names.slice(start, end).map((Name) => ({ Name, GroupName: i.GroupName, State: 'ENABLED' })),
        NextToken: end < names.length ? String(end) : undefined,
      };
    }));
  }

  private installDynamoDb(mock: AwsClientStub<DynamoDBClient>): void {
    const c = (command: string, input: Record<string, any>, detail: string | undefined, apply: () => any) =>
      this.call('dynamodb', command, detail ?? '', apply, input);
    const keyOf = (table: string | undefined, key: Record<string, AttributeValue> | undefined): string => {
      if (table !== this.tableName) throw awsError('ResourceNotFoundException', 'Requested resource not found');
      const names = Object.keys(key ?? {});
      if (names.length !== 1 || names[0] !== 'pk' || key!.pk.S === undefined) {
        throw awsError('ValidationException', 'The provided key element does not match the schema');
      }
      return key!.pk.S;
    };
    const check = (item: Record<string, AttributeValue> | undefined, i: ExpressionContext & { ConditionExpression?: string }) => {
      if (i.ConditionExpression && !evaluateCondition(i.ConditionExpression, item, i)) {
        throw awsError('ConditionalCheckFailedException', 'The conditional request failed');
      }
    };
    const copy = (item: Record<string, AttributeValue>) => structuredClone(item);
    mock.on(GetItemCommand).callsFake((i) => c('GetItem', i, i.Key?.pk?.S ?? '', () => {
      const item = this.items.get(keyOf(i.TableName, i.Key));
      return { Item: item && copy(item) };
    }));
    mock.on(PutItemCommand).callsFake((i) => c('PutItem', i, i.Item?.pk?.S ?? '', () => {
      const pk = keyOf(i.TableName, i.Item && { pk: i.Item.pk });
      check(this.items.get(pk), i);
      this.items.set(pk, copy(i.Item!));
      return {};
    }));
    mock.on(UpdateItemCommand).callsFake((i) => c('UpdateItem', i, i.Key?.pk?.S ?? '', () => {
      const pk = keyOf(i.TableName, i.Key);
      const before = this.items.get(pk);
      check(before, i);
      const after = applyUpdate(i.UpdateExpression!, before ? copy(before) : copy(i.Key!), i);
      this.items.set(pk, after);
      return { Attributes: i.ReturnValues === 'ALL_NEW' ? copy(after) : undefined };
    }));
    mock.on(DeleteItemCommand).callsFake((i) => c('DeleteItem', i, i.Key?.pk?.S ?? '', () => {
      const pk = keyOf(i.TableName, i.Key);
      check(this.items.get(pk), i);
      this.items.delete(pk);
      return {};
    }));
    mock.on(ScanCommand).callsFake((i) => c('Scan', i, '', () => {
      if (i.TableName !== this.tableName) throw awsError('ResourceNotFoundException', 'Requested resource not found');
      const keys = [...this.items.keys()].sort();
      const from = i.ExclusiveStartKey?.pk?.S;
      const start = from === undefined ? 0 : keys.findIndex((k) => k > from);
      const page = start < 0 ? [] : keys.slice(start, start + (i.Limit ?? 1000));
      const last = start >= 0 && start + page.length < keys.length ? page[page.length - 1] : undefined;
      const items = page.map((k) => this.items.get(k)!)
        .filter((item) => !i.FilterExpression || evaluateCondition(i.FilterExpression, item, i))
        .map(copy);
      return { Items: items, Count: items.length, LastEvaluatedKey: last === undefined ? undefined : { pk: { S: last } } };
    }));
  }
}

/** The time of a one-time schedule expression `at(yyyy-mm-ddThh:mm:ss)` in UTC. */
export function atTime(expression: string): number {
  const m = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(expression);
  if (!m) throw new Error(`not a one-time schedule expression: ${expression}`);
  return Date.parse(`${m[1]}Z`);
}

function decodeClaims(token: string): Record<string, unknown> {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
  } catch {
    return {};
  }
}

/** Signs Cognito-shaped RS256 access tokens and serves their JWKS. */
export class TokenIssuer {
  readonly kid = 'fake-world-key';
  private readonly privateKey: KeyObject;
  readonly jwks: { keys: Array<Record<string, string>> };

  constructor(readonly issuer: string) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    const jwk = publicKey.export({ format: 'jwk' }) as Record<string, string>;
    this.jwks = { keys: [{ ...jwk, kid: this.kid, alg: 'RS256', use: 'sig' }] };
  }

  accessToken(user: { username: string; sub: string }, iat: number, clientId = '3n4b5urk1ft4fl3mg5e62d9ado'): string {
    const header = { alg: 'RS256', kid: this.kid, typ: 'JWT' };
    const payload = {
      sub: user.sub,
      username: user.username,
      iss: this.issuer,
      client_id: clientId,
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      auth_time: iat,
      iat,
      exp: iat + 3600,
      jti: randomUUID(),
      origin_jti: randomUUID(),
      event_id: randomUUID(),
    };
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsigned = `${b64(header)}.${b64(payload)}`;
    return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), this.privateKey).toString('base64url')}`;
  }
}
