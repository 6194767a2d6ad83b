/**
 * 3. Cold start: a fresh Node.js process that loads each bundled handler, against one that
 * loads an empty module; plus each bundle's size, and whether an ordinary sign-in through
 * the Pre Token Generation bundle loads the AWS SDK.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { measure, ratio, round } from './measure';

const ASSETS = path.join(__dirname, '..', 'assets', 'lambda-src');

function load(file: string): () => void {
  return () => {
    const out = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(file)})`], { stdio: 'ignore' });
    if (out.status !== 0) throw new Error(`loading ${file} failed`);
  };
}

export async function coldStartBench() {
  const empty = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-')), 'empty.js');
  fs.writeFileSync(empty, '');
  const bundles = fs.readdirSync(ASSETS).sort().map((dir) => ({ name: dir.replace(/\.lambda$/, ''), file: path.join(ASSETS, dir, 'index.js') }));
  // The baseline runs first and last: the machine drifts over a run of process starts, and
  // its median over both brackets what the bundles were measured against.
  const tasks: Record<string, () => void> = { baseline: load(empty) };
  for (const b of bundles) tasks[b.name] = load(b.file);
  tasks.baselineAgain = load(empty);
  const result = await measure(tasks, { time: 0, iterations: 20, warmup: true });
  const baselineP50 = (result.baseline.p50Us + result.baselineAgain.p50Us) / 2;
  const baseline = { ...result.baseline, p50Us: baselineP50 };
  const rows = bundles.map((b) => ({
    handler: b.name,
    bundleKB: round(fs.statSync(b.file).size / 1024, 1),
    processMsP50: round(result[b.name].p50Us / 1000, 1),
    ratioToEmptyModule: ratio(result[b.name], baseline, 'p50Us'),
    goal: b.name === 'pre-token-generation' ? '<= 1.2' : '',
  }));

  // Does an ordinary sign-in load the SDK? Asked of a fresh process, so nothing else loaded it.
  const preToken = path.join(ASSETS, 'pre-token-generation.lambda', 'index.js');
  const script = `
    process.env.IMPERSONATION_STRATEGY = process.argv[1];
    const { handler } = require(${JSON.stringify(preToken)});
    const event = { version: '2', triggerSource: 'TokenGeneration_Authentication', userPoolId: 'p', userName: 'carol',
      callerContext: { clientId: 'c' }, request: { userAttributes: {}, groupConfiguration: { groupsToOverride: [] } }, response: {} };
    handler(event, {}).then(() => console.log(Object.keys(require.cache).some((k) => k.includes('@aws-sdk'))));`;
  const sdkLoaded: Record<string, boolean> = {};
  for (const strategy of ['preTokenGeneration', 'customChallenge']) {
    const out = spawnSync(process.execPath, ['-e', script, strategy], { encoding: 'utf8' });
    sdkLoaded[strategy] = out.stdout.trim() === 'true';
  }
  return { baselineProcessMsP50: round(baselineP50 / 1000, 1), bundles: rows, ordinarySignInLoadsSdk: sdkLoaded };
}
