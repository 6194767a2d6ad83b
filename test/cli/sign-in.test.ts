import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { FakeAws, type FakeUser } from './fake-aws';
import { brokerAnswer, run, sentRequest, modeOf } from './fixtures';

const ALICE: FakeUser = { username: 'alice', password: 'correct horse battery', sub: '0b8c0000-0000-4000-8000-00000000a11c', groups: ['support-impersonators'], mfaCode: '123456' };
const DAVE: FakeUser = { username: 'dave', password: 'no mfa here', sub: 'da7e0000-0000-4000-8000-00000000da7e', groups: ['support-impersonators'] };
const BOB: FakeUser = { username: 'bob', password: 'x', sub: '7d1e0000-0000-4000-8000-0000000000b0', groups: ['customers'] };
const NEWBIE: FakeUser = { username: 'newbie', password: 'temporary', sub: '4e770000-0000-4000-8000-000000004e77', groups: ['support-impersonators'], mustChangePassword: true };
const ERIN: FakeUser = { username: 'erin', password: 'x', sub: 'e1110000-0000-4000-8000-00000000e111', groups: ['support-impersonators'] };

let fake: FakeAws;
beforeAll(async () => { fake = await new FakeAws({ strategy: 'preTokenGeneration', users: [ALICE, DAVE, BOB, ERIN, NEWBIE] }).start(); });
afterAll(() => fake.close());
beforeEach(() => fake.cognitoCalls.splice(0));

const POOL = ['--user-pool-id', 'eu-west-1_Example', '--client-id', 'consoleclient'];

describe('sign-in (preTokenGeneration): a real SRP exchange against a fake Cognito', () => {
  test('password unechoed, MFA prompted, ClientMetadata on every step; the claim is shown, the tokens are not', async () => {
    const out = await run(['sign-in', ...POOL, '--username', 'alice', '--target', 'bob', '--reason', 'SUP-1234'],
      { env: fake.env(), answers: [ALICE.password, '123456'] });
    expect(out.stderr).toBe('Signing in…\n');
    expect(out.code).toBe(0);
    expect(out.prompts).toEqual([
      { question: 'Password for alice: ', secret: true },
      { question: 'Code from your authenticator app: ', secret: false },
    ]);
    const metadata = { impersonate: 'bob', impersonationReason: 'SUP-1234' };
    expect(fake.cognitoCalls).toEqual([
      { operation: 'InitiateAuth', clientMetadata: metadata },
      { operation: 'RespondToAuthChallenge', challenge: 'PASSWORD_VERIFIER', clientMetadata: metadata },
      { operation: 'RespondToAuthChallenge', challenge: 'SOFTWARE_TOKEN_MFA', clientMetadata: metadata },
    ]);
    expect(out.stdout).toMatch(/signed in as\s+alice \(0b8c/);
    expect(out.stdout).toMatch(/impersonating\s+bob \(7d1e0000-0000-4000-8000-0000000000b0\)/);
    expect(out.stdout).toMatch(/tokens\s+hidden/);
    expect(out.stdout).not.toMatch(/eyJ/);
  });

  test('a wrong password is refused by the SRP proof: exit 5, the password never printed', async () => {
    const out = await run(['sign-in', ...POOL, '--username', 'dave', '--target', 'bob', '--reason', 'r'], { env: fake.env(), answers: ['wrong'] });
    expect(out.code).toBe(5);
    expect(out.stderr).toContain('error: NotAuthorizedException: Sign-in failed: Incorrect username or password.');
    expect(out.stderr + out.stdout).not.toContain('wrong');
  });

  test('a wrong MFA code: exit 5', async () => {
    const out = await run(['sign-in', ...POOL, '--username', 'alice'], { env: fake.env(), answers: [ALICE.password, '000000'] });
    expect(out.code).toBe(5);
    expect(out.stderr).toContain('CodeMismatchException');
  });

  test('the trigger refuses (a protected target): exit 15 with the denial reason', async () => {
    const out = await run(['sign-in', ...POOL, '--username', 'dave', '--target', 'erin', '--reason', 'r'], { env: fake.env(), answers: [DAVE.password] });
    expect(out.code).toBe(15);
    expect(out.stderr).toContain('error: TargetProtected: Impersonation refused: TargetProtected.');
  });

  test('without --target: an ordinary sign-in, no ClientMetadata; its tokens file feeds --access-token-file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
    const file = path.join(dir, 'admin.json');
    const out = await run(['sign-in', ...POOL, '--tokens-file', file], { env: fake.env(), answers: ['dave', DAVE.password] });
    expect(out.code).toBe(0);
    expect(out.prompts.map((p) => p.secret)).toEqual([false, true]);
    expect(fake.cognitoCalls.every((c) => c.clientMetadata === undefined || Object.keys(c.clientMetadata).length === 0)).toBe(true);
    const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(Object.keys(saved).sort()).toEqual(['accessToken', 'expiresAt', 'idToken']); // never the refresh token
    expect(modeOf(file)).toBe('600');

    const lambda = mockClient(LambdaClient);
    lambda.on(InvokeCommand).resolves(brokerAnswer({ sessions: [] }));
    await run(['list', '--function', 'f', '--access-token-file', file]);
    expect(sentRequest(lambda.commandCalls(InvokeCommand)[0].args[0].input).accessToken).toBe(saved.accessToken);
    lambda.restore();
  });

  test('a challenge the CLI cannot answer (a new password) is refused with what to do', async () => {
    const out = await run(['sign-in', ...POOL, '--username', 'newbie'], { env: fake.env(), answers: [NEWBIE.password] });
    expect(out.code).toBe(5);
    expect(out.stderr).toContain('error: UnsupportedChallenge: Cognito asks for a new password: complete it in your app\'s sign-in page first.');
  });

  test('no Cognito at the endpoint: a network error, exit 3', async () => {
    const out = await run(['sign-in', ...POOL, '--username', 'dave'], { env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' }, answers: ['pw'] });
    expect(out.code).toBe(3);
    expect(out.stderr).toContain('error: NetworkError');
  });

  test('--reason without --target, or no pool: usage errors before any prompt', async () => {
    const a = await run(['sign-in', ...POOL, '--reason', 'r']);
    const b = await run(['sign-in', '--target', 'bob']);
    expect([a.code, b.code]).toEqual([2, 2]);
    expect(a.prompts.length + b.prompts.length).toBe(0);
  });
});

describe('the claim as the trigger versions write it', () => {
  test.each(['string', 'object'] as const)('a %s claim (V1_0 / V2_0) is read the same, in the JSON output too', async (claim) => {
    const v = await new FakeAws({ strategy: 'preTokenGeneration', users: [DAVE, BOB], claim }).start();
    try {
      const out = await run(['sign-in', ...POOL, '--username', 'dave', '--target', 'bob', '--reason', 'r', '--json'], { env: v.env(), answers: [DAVE.password] });
      expect(out.code).toBe(0);
      expect(out.stderr).toBe('');
      expect(JSON.parse(out.stdout)).toMatchObject({ username: 'dave', impersonating: { username: 'bob', sub: BOB.sub }, tokensHidden: true });
    } finally {
      await v.close();
    }
  });

  test('no claim although one was asked for (the trigger is not on the pool): exit 1, said plainly', async () => {
    const v = await new FakeAws({ strategy: 'preTokenGeneration', users: [DAVE, BOB], claim: 'none' }).start();
    try {
      const out = await run(['sign-in', ...POOL, '--username', 'dave', '--target', 'bob', '--reason', 'r'], { env: v.env(), answers: [DAVE.password] });
      expect(out.code).toBe(1);
      expect(out.stderr).toContain('error: NoImpersonationClaim');
      expect(out.stdout).toBe('');
    } finally {
      await v.close();
    }
  });
});

describe('the admin\'s token for the broker commands', () => {
  const lambda = mockClient(LambdaClient);
  beforeEach(() => {
    lambda.reset();
    lambda.on(InvokeCommand).resolves(brokerAnswer({ sessions: [] }));
  });
  afterAll(() => lambda.restore());
  const sent = () => sentRequest(lambda.commandCalls(InvokeCommand)[0].args[0].input).accessToken;

  test('from IMPERSONATION_ACCESS_TOKEN', async () => {
    const token = fake.accessTokenOf('dave');
    await run(['list', '--function', 'f'], { env: { IMPERSONATION_ACCESS_TOKEN: token } });
    expect(sent()).toBe(token);
  });

  test('from a file holding the bare token', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cli-')), 't');
    const token = fake.accessTokenOf('dave');
    fs.writeFileSync(file, `${token}\n`);
    await run(['list', '--function', 'f', '--access-token-file', file]);
    expect(sent()).toBe(token);
  });

  test('interactively, by SRP (no ClientMetadata: this is the admin\'s own sign-in)', async () => {
    const out = await run(['list', '--function', 'f', ...POOL], { env: fake.env(), answers: ['alice', ALICE.password, '123456'] });
    expect(out.code).toBe(0);
    expect(sent()).toMatch(/^ey/);
    expect(out.stderr).toBe('Signing in…\nListing sessions…\n');
  });

  test('something that is not a JWT, an unreadable file, or no source at all: exit 5, nothing sent, nothing echoed', async () => {
    const notJwt = await run(['list', '--function', 'f', '--access-token', 'secret-looking-value']);
    expect(notJwt.code).toBe(5);
    expect(notJwt.stderr).not.toContain('secret-looking-value');
    expect((await run(['list', '--function', 'f', '--access-token-file', '/nonexistent/t'])).stderr).toContain('ENOENT');
    const none = await run(['list', '--function', 'f']);
    expect(none.code).toBe(5);
    expect(none.stderr).toContain('error: NoAccessToken');
    expect(lambda.calls()).toHaveLength(0);
  });

  test('stdin ends before the password: exit 5, said plainly', async () => {
    const out = await run(['list', '--function', 'f', ...POOL, '--username', 'alice'], { env: fake.env(), answers: [] });
    expect(out.code).toBe(5);
    expect(out.stderr).toContain('Sign-in needs an answer to "Password for alice:"');
  });
});
