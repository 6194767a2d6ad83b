/**
 * Issue 14, item 3: volume limits through the BUNDLED broker with real signed tokens. An admin
 * who fires many starts at once gets no more than the limit, whichever strategy; what is
 * refused issues no token and borrows no group.
 */
import { brokerClientStubs, customChallengeBroker, groupsBrokerWorld } from './kit/broker';
import { AuditLog, freshContainer, withEnv, type BundledHandler } from './kit/bundles';
import { POOL_ID, PoolSigningKey } from './kit/tokens';
import { AUDIT_EVENT, BROKER_ERROR, DENIAL_REASON, ENV } from '../../src/private/contract';
import { lambdaContext } from '../lambda-src/fixtures/common';
import { USERS, setGroupsEnv } from '../lambda-src/fixtures/groups';
import { FakeWorld } from '../lambda-src/fixtures/groups-world';

const ADMIN_GROUP = 'support-impersonators';
const STATE_TABLE = 'S-ImpersonationBrokerState-1A2B';
const POOL_KEY = new PoolSigningKey();
const stubs = brokerClientStubs();
/** A client stub that is never called (the world serves only DynamoDB here). */
const unused = { send: { callsFake: () => undefined } } as any;

let audit: AuditLog;
let restoreEnv: () => void = () => undefined;

beforeEach(() => {
  audit = new AuditLog();
});
afterEach(() => {
  restoreEnv();
  jest.restoreAllMocks();
});

const outcomes = (responses: Array<Record<string, any>>) => responses.map((r) => r.error?.code ?? 'granted').sort();

test('customChallenge: ten concurrent starts by one admin with a limit of 3 per hour issue exactly three sets of tokens', async () => {
  const built = customChallengeBroker(stubs, POOL_KEY, ADMIN_GROUP, {
    extra: { [ENV.BROKER_STATE_TABLE]: STATE_TABLE, [ENV.MAX_STARTS_PER_ADMIN_PER_HOUR]: '3' },
  });
  restoreEnv = built.restoreEnv;
  const { pool, broker } = built;
  const table = new FakeWorld(POOL_ID, 'unused', 'unused');
  table.stateTableName = STATE_TABLE;
  table.install({ cognito: unused, scheduler: unused, dynamodb: stubs.dynamodb });

  const token = pool.signIn('alice');
  const responses = await Promise.all(Array.from({ length: 10 }, () =>
    broker({ action: 'start', accessToken: token, target: 'bob', reason: 'SUP-14 limits' }, lambdaContext())));

  expect(outcomes(responses)).toEqual([...Array(7).fill(BROKER_ERROR.LIMIT_EXCEEDED), 'granted', 'granted', 'granted'].sort());
  expect(responses.filter((r) => r.accessToken)).toHaveLength(3);
  expect(pool.calls.filter((c) => c === 'AdminInitiateAuth')).toHaveLength(3);
  const events = audit.events();
  expect(events.filter((e) => e.event === AUDIT_EVENT.GRANTED)).toHaveLength(3);
  expect(events.filter((e) => e.denialReason === DENIAL_REASON.ADMIN_LIMIT_REACHED)).toHaveLength(7);
  expect(events).toHaveLength(10);
});

describe('groups', () => {
  let world: FakeWorld;
  let broker: BundledHandler;

  beforeEach(() => {
    const restoreGroups = setGroupsEnv();
    const restoreLimits = withEnv({ [ENV.BROKER_STATE_TABLE]: STATE_TABLE, [ENV.MAX_STARTS_PER_TARGET_PER_DAY]: '1' });
    restoreEnv = () => {
      restoreLimits();
      restoreGroups();
    };
    world = groupsBrokerWorld(stubs);
    world.stateTableName = STATE_TABLE;
    broker = freshContainer('broker');
  });

  test('two admins racing to impersonate the same customer with a limit of 1 per day: one session, one set of borrowed groups', async () => {
    const [alice, dave] = [USERS.alice.username, USERS.dave.username];
    const responses = await Promise.all([alice, dave].map((admin) =>
      broker({ action: 'start', accessToken: world.accessToken(admin), target: USERS.bob.username, reason: 'SUP-14' }, lambdaContext())));
    expect(outcomes(responses)).toEqual([BROKER_ERROR.LIMIT_EXCEEDED, 'granted'].sort());
    expect(world.items.size).toBe(1);
    const [winner, loser] = responses[0].sessionId ? [alice, dave] : [dave, alice];
    expect(world.groupsOf(loser)).toEqual([...Object.values(USERS).find((u) => u.username === loser)!.groups].sort());
    expect(world.groupsOf(winner).length).toBeGreaterThan(Object.values(USERS).find((u) => u.username === winner)!.groups.length);
    expect(audit.events().map((e) => e.denialReason ?? e.event).sort()).toEqual([AUDIT_EVENT.GRANTED, DENIAL_REASON.TARGET_LIMIT_REACHED].sort());
  });
});
