/**
 * `npx cdk-cognito-impersonation …`: the support engineer's client of the broker.
 * Bundled (with its SDK clients) into assets/cli/ by the projen bundle task.
 */
import { processIo } from './io';
import { main } from './main';

// The SDK's notice that its future releases need a newer Node.js is not for this CLI's users:
// the SDK is bundled, at the version this release was tested with.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

main(process.argv.slice(2), processIo()).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`error: Unexpected: ${(err as Error)?.message}\n`);
    process.exitCode = 1;
  },
);
