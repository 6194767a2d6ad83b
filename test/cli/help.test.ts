import { run } from './fixtures';
import { COMMANDS } from '../../cli/options';

describe('--help', () => {
  test('the overview lists every command and the exit codes', async () => {
    const out = await run(['--help']);
    expect(out.code).toBe(0);
    for (const command of ['start', 'end', 'list', 'status', 'approve', 'reject', 'pending', 'sign-in']) {
      expect(out.stdout).toMatch(new RegExp(`^  ${command}\\s`, 'm'));
    }
    expect(out.stdout).toContain('15 TargetProtected');
    expect(out.stdout).toContain('22 ApprovalPending');
    expect(out.stdout).toContain('23 ApprovalRefused');
  });

  test('no command at all: the overview on stderr, exit 2', async () => {
    const out = await run([]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('Usage: cdk-cognito-impersonation <command>');
    expect(out.stdout).toBe('');
  });

  test.each(Object.keys(COMMANDS))('%s --help documents each of its options, and calls nothing', async (command) => {
    const out = await run([command, '--help']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`Usage: cdk-cognito-impersonation ${COMMANDS[command].usage}`);
    for (const option of Object.keys(COMMANDS[command].options)) expect(out.stdout).toContain(`--${option}`);
    if (COMMANDS[command].positional) expect(out.stdout).toContain(`Arguments:\n  ${COMMANDS[command].positional!.arg}  `);
    expect(out.stderr).toBe('');
    expect((await run(['help', command])).stdout).toBe(out.stdout);
  });

  test('the commands take the options they need', () => {
    expect(Object.keys(COMMANDS.start.options)).toEqual(expect.arrayContaining(['target', 'reason', 'duration', 'show-tokens', 'tokens-file', 'stack', 'function', 'profile', 'region', 'json']));
    expect(Object.keys(COMMANDS.end.options)).toContain('session');
    expect(Object.keys(COMMANDS.start.options)).toContain('approval');
    expect(Object.keys(COMMANDS.reject.options)).toContain('reason');
    expect(Object.keys(COMMANDS.approve.options)).not.toContain('reason');
    expect(Object.keys(COMMANDS['sign-in'].options)).not.toContain('function'); // no broker in preTokenGeneration
  });

  test('an unknown command or option, or a stray argument: exit 2 with a pointer to --help', async () => {
    expect((await run(['impersonate'])).stderr).toContain('Unknown command "impersonate"');
    const option = await run(['list', '--everything']);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("Unknown option '--everything'. See `cdk-cognito-impersonation list --help`.");
    expect((await run(['start', 'bob'])).code).toBe(2);
  });
});
