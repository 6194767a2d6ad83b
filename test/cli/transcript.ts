import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FakeAws, type FakeUser } from './fake-aws';

/**
 * The README's CLI transcript: the bundled CLI, run by a shell against the fake AWS
 * endpoints (fake-aws.ts), stdout and stderr interleaved as a terminal shows them.
 * `npx ts-node --project tsconfig.dev.json test/cli/transcript.ts [approval]` prints it (or the approval one);
 * readme-transcript.test.ts checks that the README shows what it prints.
 */
export const BUNDLE = path.join(__dirname, '..', '..', 'assets', 'cli', 'cdk-cognito-impersonation', 'index.js');

const ALICE: FakeUser = { username: 'alice', password: 'correct horse battery staple', sub: '0b8c6f1e-2d3a-4c5b-9e8f-7a6b5c4d3e2f', groups: ['support-impersonators'], mfaCode: '123456' };
const BOB: FakeUser = { username: 'bob', password: 'x', sub: '7d1e9a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b', groups: ['customers', 'beta-testers'] };
const ERIN: FakeUser = { username: 'erin', password: 'x', sub: 'e1a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8', groups: ['support-impersonators'] };

/** Each step: the command line as typed, and what is piped to its prompts. */
const STEPS: Array<{ command: string; input?: string }> = [
  { command: 'npx cdk-cognito-impersonation sign-in --tokens-file ~/.alice.json', input: `${ALICE.password}\n123456\n` },
  { command: 'npx cdk-cognito-impersonation start --access-token-file ~/.alice.json --target bob --reason "SUP-1234 invoices missing" --duration 30m' },
  { command: 'npx cdk-cognito-impersonation list --access-token-file ~/.alice.json' },
  { command: 'npx cdk-cognito-impersonation start --access-token-file ~/.alice.json --target erin --reason SUP-1235; echo "exit $?"' },
  { command: 'npx cdk-cognito-impersonation end --access-token-file ~/.alice.json' },
];

/** Runs a shell command without blocking: the fake answers from this very process. */
function shell(command: string, env: Record<string, string>, input: string): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { env });
    let text = '';
    child.stdout.on('data', (d) => { text += d; });
    child.stdin.end(input);
    child.on('close', () => resolve(text));
  });
}

const PAULA: FakeUser = { username: 'paula', password: 'x', sub: '5a0e7c1d-8b2f-4e3a-9c4d-6e5f7a8b9c0d', groups: ['support-leads'] };
const APPROVAL_ID = 'c1f20001-7e57-4a11-9d3b-5a1e5e551001';

/** The approval flow (four-eyes): alice asks, paula (an approver) approves, alice completes. */
const APPROVAL_STEPS: Array<{ command: string; input?: string }> = [
  { command: 'npx cdk-cognito-impersonation start --access-token-file ~/.alice.json --target bob --reason "SUP-1234 invoices missing"; echo "exit $?"' },
  { command: 'npx cdk-cognito-impersonation pending --access-token-file ~/.paula.json' },
  { command: `npx cdk-cognito-impersonation approve ${APPROVAL_ID} --access-token-file ~/.paula.json` },
  { command: `npx cdk-cognito-impersonation start --access-token-file ~/.alice.json --target bob --reason "SUP-1234 invoices missing" --approval ${APPROVAL_ID}` },
  { command: `npx cdk-cognito-impersonation start --access-token-file ~/.alice.json --target bob --reason "SUP-1234 invoices missing" --approval ${APPROVAL_ID}; echo "exit $?"` },
];

async function record(
  fakeOptions: ConstructorParameters<typeof FakeAws>[0],
  steps: ReadonlyArray<{ command: string; input?: string }>,
  header: readonly string[],
  prepare: (fake: FakeAws, home: string) => void = () => undefined,
): Promise<string> {
  const fake = await new FakeAws(fakeOptions).start();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'transcript-'));
  fs.mkdirSync(path.join(home, 'bin'));
  // `npx cdk-cognito-impersonation` resolves to the package's bin: here, the bundle.
  fs.writeFileSync(path.join(home, 'bin', 'npx'), `#!/bin/sh\nshift\nexec "${process.execPath}" "${BUNDLE}" "$@"\n`, { mode: 0o755 });
  prepare(fake, home);
  const env = {
    ...fake.env(),
    HOME: home,
    PATH: `${path.join(home, 'bin')}:/usr/bin:/bin`,
    IMPERSONATION_STACK: 'SupportStack',
    IMPERSONATION_USER_POOL_ID: fake.userPoolId,
    IMPERSONATION_CLIENT_ID: '1example23clientid45678',
    IMPERSONATION_USERNAME: 'alice',
  };
  const out: string[] = [...header];
  try {
    for (const step of steps) {
      out.push(`$ ${step.command}`);
      const text = await shell(`( ${step.command} ) 2>&1`, env, step.input ?? '');
      out.push(text.replace(/\n$/, '').split(home).join('/home/alice'));
    }
  } finally {
    await fake.close();
  }
  return out.join('\n') + '\n';
}

export function transcript(): Promise<string> {
  return record({ strategy: 'groups', users: [ALICE, BOB, ERIN], userPoolId: 'eu-west-1_Example' }, STEPS, [
    '$ export IMPERSONATION_STACK=SupportStack IMPERSONATION_USERNAME=alice \\',
    '    IMPERSONATION_USER_POOL_ID=eu-west-1_Example IMPERSONATION_CLIENT_ID=1example23clientid45678',
  ]);
}

/** The README's approval transcript: alice's and paula's tokens files come from `sign-in --tokens-file`. */
export function approvalTranscript(): Promise<string> {
  return record(
    { strategy: 'groups', users: [ALICE, BOB, PAULA], userPoolId: 'eu-west-1_Example', approverGroup: 'support-leads' },
    APPROVAL_STEPS,
    ['$ export IMPERSONATION_STACK=SupportStack', '$ # alice (support-impersonators) and paula (support-leads) each signed in with sign-in --tokens-file'],
    (fake, home) => {
      fs.writeFileSync(path.join(home, '.alice.json'), fake.accessTokenOf('alice'), { mode: 0o600 });
      fs.writeFileSync(path.join(home, '.paula.json'), fake.accessTokenOf('paula'), { mode: 0o600 });
    },
  );
}

if (require.main === module) {
  (process.argv[2] === 'approval' ? approvalTranscript() : transcript()).then((t) => process.stdout.write(t), (err) => {
    process.stderr.write(`${err}\n`);
    process.exitCode = 1;
  });
}
