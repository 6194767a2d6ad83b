/**
 * The benchmark suite (`npm run bench`): prints a table per section and writes
 * bench/results.json. Every figure that is a time is also given as a ratio against a
 * baseline measured in the same run, so that it holds on a noisy machine.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { brokerLiveCheckBench } from './broker-live-check';
import { coldStartBench } from './cold-start';
import { impersonationPathsBench } from './impersonation-paths';
import { ordinarySignInBench } from './ordinary-sign-in';
import { synthBench } from './synth';

async function main() {
  const sections: Record<string, unknown> = {};
  const section = async (title: string, key: string, run: () => Promise<any>) => {
    const result = await run();
    sections[key] = result;
    console.log(`\n## ${title}`);
    if (Array.isArray(result)) console.table(result);
    else for (const [k, v] of Object.entries(result)) Array.isArray(v) ? console.table(v) : console.log(k, v);
  };
  await section('1. Ordinary sign-in through Pre Token Generation (bundle) vs an identity handler', 'ordinarySignIn', ordinarySignInBench);
  await section('2. Impersonation paths (source, SDK mocked, warm container)', 'impersonationPaths', impersonationPathsBench);
  await section('3. Cold start: fresh process loading each bundle vs an empty module', 'coldStart', coldStartBench);
  await section('4. Synth: stack with the construct vs the user pool alone', 'synth', synthBench);
  await section('5. The broker\'s live token check (bundle, Cognito calls delayed 20 ms) vs GetUser answered at once', 'brokerLiveCheck', brokerLiveCheckBench);

  const results = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30) },
    sections,
  };
  fs.writeFileSync(path.join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log('\nwrote bench/results.json');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
