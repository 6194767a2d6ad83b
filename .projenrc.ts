import * as fs from 'fs';
import * as path from 'path';
import { JsonFile, awscdk, javascript } from 'projen';
import { UpdateSnapshot } from 'projen/lib/javascript';

// The build is configured here and only here: package.json, tsconfig*.json,
// .gitignore, .npmignore and the task definitions are generated from this file.

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-cognito-impersonation',
  description:
    'Safe, audited support-staff impersonation for any Amazon Cognito user pool, in one AWS CDK construct.',
  author: 'cdk-cognito-impersonation developers',
  authorAddress: 'maintainers@cdk-cognito-impersonation.dev',
  authorName: 'cdk-cognito-impersonation developers',
  repositoryUrl: 'https://github.com/cdk-cognito-impersonation/cdk-cognito-impersonation.git',
  keywords: ['cdk', 'aws-cdk', 'cognito', 'impersonation', 'security', 'audit'],
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  jsiiVersion: '~6.0.0',

  // Peer minimum: the lowest aws-cdk-lib with Runtime.NODEJS_22_X (2.171) and
  // LambdaVersion for pre token generation (2.130). Tests run against it, so a
  // feature that needs a newer release fails the build instead of a user's synth.
  cdkVersion: '2.171.1',
  constructsVersion: '10.0.5',

  // CI for this project is `.ci/run`; the GitHub workflows projen would add
  // would publish with secrets we do not have.
  github: false,
  release: false,

  // jsii targets: the same API from Python, Java, .NET and Go.
  publishToPypi: {
    distName: 'cdk-cognito-impersonation',
    module: 'cdk_cognito_impersonation',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdkcognitoimpersonation',
    mavenGroupId: 'io.github.cdk-cognito-impersonation',
    mavenArtifactId: 'cdk-cognito-impersonation',
  },
  publishToNuget: {
    dotNetNamespace: 'CdkCognitoImpersonation',
    packageId: 'CdkCognitoImpersonation',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-cognito-impersonation/cdk-cognito-impersonation-go',
  },

  devDeps: [
    // Lambda handler code (bundled by esbuild; the SDK v3 comes from the Lambda runtime).
    '@aws-sdk/client-cognito-identity-provider',
    // groups: the session store (one item per admin, conditional writes). The low-level client
    // only: the store marshals its few attributes itself, lib-dynamodb would add a dependency
    // for a dozen lines.
    '@aws-sdk/client-dynamodb',
    '@aws-sdk/client-secrets-manager',
    '@aws-sdk/client-scheduler',
    '@aws-sdk/client-ssm',
    // The events publisher: PutEvents, and its dead-letter queue for events EventBridge refused.
    '@aws-sdk/client-eventbridge',
    '@aws-sdk/client-sqs',
    '@types/aws-lambda',
    // Verifies Cognito JWTs (signature, issuer, token_use, expiry, JWKS caching) in the
    // broker: maintained by AWS Labs, and not security code we should write ourselves.
    'aws-jwt-verify',
    // Handler tests: typed mocks of SDK v3 clients instead of hand-written stubs.
    'aws-sdk-client-mock',
    // Security checks of synthesized stacks. 2.x supports our aws-cdk-lib peer minimum;
    // 3.x needs aws-cdk-lib >= 2.257.
    'cdk-nag@2.36.8',
    // Property tests of input validation.
    'fast-check',
    // The deployable integration test (test/integ/): assertions that run in AWS, and the runner
    // that checks its committed snapshot without AWS. integ-tests-alpha is versioned with
    // aws-cdk-lib; 2.168.0-alpha.0 is the newest release whose peer range admits the peer minimum.
    '@aws-cdk/integ-tests-alpha@2.168.0-alpha.0',
    '@aws-cdk/integ-runner@2.197.10',
    // Benchmarks (bench/): warm-up, sampling and statistics done right, not a hand-written timer loop.
    'tinybench',
    // The CLI (cli/), bundled whole into assets/cli/ so that `npx cdk-cognito-impersonation`
    // needs no runtime dependency: the broker is invoked and found with the SDK v3 ...
    '@aws-sdk/client-lambda',
    '@aws-sdk/client-cloudformation',
    // ... and admins sign in with SRP (password never sent, MFA challenges handled) through
    // AWS's own Cognito SDK rather than SRP code of ours.
    'amazon-cognito-identity-js',
  ],

  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    include: ['lambda-src/**/*.ts', 'examples/**/*.ts', 'bench/**/*.ts', '.projenrc.ts'],
    compilerOptions: {},
  },
  // Type-check everything (handlers, examples, tests), not just what jest imports.
  typecheckTests: true,

  eslintOptions: {
    dirs: ['src'],
    // One program for everything linted: tsconfig.dev.json includes handlers, tests and examples.
    tsconfigPath: './tsconfig.dev.json',
    projectService: false,
    // Handlers are bundled at build time: what they import is a devDependency.
    devdirs: ['lambda-src', 'cli', 'test', 'examples', 'bench'],
  },

  jestOptions: {
    // Snapshots must be able to fail: `test` never rewrites them, `test:update` does.
    updateSnapshot: UpdateSnapshot.NEVER,
    // A run that finds no test is a failure, not a pass.
    passWithNoTests: false,
    jestConfig: {
      snapshotSerializers: ['<rootDir>/test/asset-hash-serializer.ts'],
      coveragePathIgnorePatterns: ['/node_modules/', '/test/'],
      // Lambda code imports lazily with explicit '.js' specifiers (ESM rules); map them to the sources.
      moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
      // With CFN_TEMPLATE_DUMP_DIR set (by .ci/run), every template a test synthesizes is kept for cfn-lint.
      setupFilesAfterEnv: ['<rootDir>/test/setup/cfn-template-dump.ts', '<rootDir>/test/setup/fast-check-replay.ts'],
    },
  },

  gitignore: [
    '/.jsii.tabl.json', '/cdk.out/', '/examples/cdk.out/', '/bench/results.json.tmp',
    // .ci/run's Python virtual environment, Maven repository and the templates it lints.
    '/.ci-artifacts/',
    // What the Python and Java example apps build and synthesize.
    '/examples/python/cdk.out/', '__pycache__/', '/examples/java/cdk.out/', '/examples/java/target/',
    // test:latest installs the latest aws-cdk-lib and cdk-nag here.
    '/.compat/',
  ],
});

// unrs-resolver 1.13.0 (via eslint-import-resolver-typescript) lists platform bindings the
// registry we install from does not serve, so its lock file entries are incomplete and
// `npm ci` refuses the lock. 1.12.2 has every binding.
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

// Lambda handlers: one bundle per `lambda-src/*.lambda.ts`, built at build time into
// assets/ (shipped in the npm package), so no user needs esbuild or Docker to synth.
const lambdaDir = 'lambda-src';
// attach-triggers rewrites a whole user pool from what DescribeUserPool returned, and the
// SDK's (de)serializer drops the fields its version does not know: with the runtime's SDK,
// an older one could silently reset settings (UpdateUserPool resets what it is not given).
// Bundling the Cognito client pins it to the version its field list and tests were
// checked against. It is a custom resource, so the larger bundle costs nothing at sign-in.
const bundlesWithPinnedSdk = new Set(['attach-triggers.lambda.ts']);
for (const file of fs.readdirSync(path.join(__dirname, lambdaDir)).sort()) {
  if (!file.endsWith('.lambda.ts')) continue;
  project.bundler.addBundle(`${lambdaDir}/${file}`, {
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    // The AWS SDK v3 is part of the Node.js 22 runtime; bundling it would only grow cold starts.
    externals: bundlesWithPinnedSdk.has(file) ? [] : ['@aws-sdk/*'],
    sourcemap: false,
    tsconfigPath: 'tsconfig.dev.json',
  });
}

// The operators' CLI (cli/): one self-contained bundle, shipped in assets/ and run as the
// package's `bin`. It is not part of the jsii API (src/), and bundles its SDK clients: a
// user's `npx` gets no dependency to install and no version of ours to conflict with.
const cliEntry = 'cli/cdk-cognito-impersonation.ts';
project.bundler.addBundle(cliEntry, {
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  externals: [],
  sourcemap: false,
  minify: true,
  executable: true,
  banner: '#!/usr/bin/env node',
  tsconfigPath: 'tsconfig.dev.json',
});
project.addBins({ 'cdk-cognito-impersonation': `assets/${cliEntry.replace(/\.ts$/, '')}/index.js` });

// `npx projen test` works on its own right after `npm ci`: construct tests need the bundles.
project.testTask.prependSpawn(project.bundler.bundleTask);
project.tasks.tryFind('test:update')?.prependSpawn(project.bundler.bundleTask);

// The README's first command: synthesize the example app into cdk.out/ and summarize it.
const example = project.addTask('example', {
  description: 'Synthesize examples/app.ts into cdk.out/ and print what the construct created',
});
example.spawn(project.bundler.bundleTask);
example.exec('ts-node --project tsconfig.dev.json examples/app.ts');

// Prove the README's examples compile in every language (strict) ...
const rosetta = project.addTask('rosetta:extract', {
  description: 'Compile the README examples with jsii-rosetta in strict mode',
});
rosetta.exec('jsii-rosetta extract --strict --compile');

// Packaged READMEs carry the examples translated to each language. Every task that packages
// first extracts the translations (strict: every snippet compiles) into .jsii.tabl.json, and
// pacmak fails on a snippet missing from it instead of shipping an unchecked live translation.
const pacmak = (...args: string[]) => `jsii-pacmak ${args.join(' ')} --rosetta-unknown-snippets fail`;
for (const lang of ['java', 'python', 'dotnet', 'go']) {
  const packageTask = project.tasks.tryFind(`package:${lang}`);
  if (!packageTask) throw new Error(`projen no longer defines package:${lang}`);
  packageTask.reset();
  packageTask.spawn(rosetta);
  packageTask.exec(pacmak('-v', '--target', lang));
}

// CI builds the Python wheel and the Java package for real (package:python, package:java). The
// .NET SDK is not on CI's machines, and the Go build needs the Go checksum database, which CI
// cannot reach: for those two, prove the API translates by generating their code.
const codegen = project.addTask('package:code', {
  description: 'Generate .NET and Go sources with jsii-pacmak --code-only',
});
codegen.spawn(rosetta);
codegen.exec(pacmak('--code-only', '--target', 'dotnet', '--target', 'go', '--outdir', 'dist/code'));

// Benchmarks are not tests: `npm run bench` prints a table and writes bench/results.json.
const bench = project.addTask('bench', {
  description: 'Run the benchmarks (ratios against baselines measured in the same run)',
});
bench.spawn(project.bundler.bundleTask);
bench.exec('ts-node --project tsconfig.dev.json bench/run.ts');

// A second jest run against the latest aws-cdk-lib and cdk-nag 3, next to the main run
// against the peer minimum and cdk-nag 2: what users on current tools see. Pinned here (and
// bumped on purpose) so that CI stays reproducible; installed into .compat/, not the lock file.
const LATEST = { 'aws-cdk-lib': '2.276.0', 'cdk-nag': '3.0.2', 'constructs': '10.5.1' };
const compatModules = '<rootDir>/.compat/node_modules';
new JsonFile(project, 'test/compat/jest.config.json', {
  obj: {
    rootDir: '../..',
    testMatch: ['<rootDir>/test/compat/**/*.test.ts'],
    testEnvironment: 'node',
    snapshotSerializers: ['<rootDir>/test/asset-hash-serializer.ts'],
    moduleNameMapper: {
      '^(\\.{1,2}/.*)\\.js$': '$1',
      ...Object.fromEntries(Object.keys(LATEST).flatMap((name) => [
        [`^${name}$`, `${compatModules}/${name}`],
        [`^${name}/(.*)$`, `${compatModules}/${name}/$1`],
      ])),
    },
    // Transpiled file by file (isolatedModules): `test` type-checks them against the peer minimum.
    transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.dev.json' }] },
  },
});
const testLatest = project.addTask('test:latest', {
  description: `Run test/compat/ against aws-cdk-lib ${LATEST['aws-cdk-lib']} and cdk-nag ${LATEST['cdk-nag']} (installed into .compat/)`,
});
testLatest.spawn(project.bundler.bundleTask);
testLatest.exec(`npm install --prefix .compat --no-save --no-package-lock --no-audit --no-fund ${
  Object.entries(LATEST).map(([name, version]) => `${name}@${version}`).join(' ')}`);
// Verbose: CI's log then lists each cdk-nag 3 pack, stack and strategy that came out clean.
testLatest.exec('jest --ci --verbose --config test/compat/jest.config.json', { receiveArgs: true });

// The deployable integration test (test/integ/). Its snapshot is the synthesized app; asset
// directories are left out of git (hashes are not compared: diffAssets is off), templates are in.
const integApp = '--directory test/integ --language typescript --app "node -r ts-node/register/transpile-only {filePath}"';
const integSnapshot = project.addTask('integ:snapshot', {
  description: 'Check that test/integ synthesizes to its committed snapshot (no AWS needed)',
});
integSnapshot.spawn(project.bundler.bundleTask);
integSnapshot.exec(`integ-runner ${integApp}`);
const integUpdate = project.addTask('integ:snapshot:update', {
  description: 'Rewrite the snapshot of test/integ without deploying (review the diff; prefer integ:deploy)',
});
integUpdate.spawn(project.bundler.bundleTask);
// integ-runner exits non-zero when the check before the update failed, even though it then
// rewrote the snapshot: the check that follows is what decides.
integUpdate.exec(`integ-runner ${integApp} --update-on-failed --dry-run || true`);
integUpdate.exec(`integ-runner ${integApp}`);
const integDeploy = project.addTask('integ:deploy', {
  description: 'Deploy test/integ to the current AWS account, run its assertions, destroy it, update the snapshot',
});
integDeploy.spawn(project.bundler.bundleTask);
integDeploy.exec(`integ-runner ${integApp} --update-on-failed --force --parallel-regions eu-west-1`, { receiveArgs: true });
project.gitignore.exclude('/test/integ/*.snapshot/asset.*', '/test/integ/cdk-integ.out.*');

project.npmignore?.exclude('/examples/', '/bench/', '/.ci/', '/docs/*', '/lambda-src/', '/rosetta/', 'tsconfig.dev.json', '/cdk.out/', '/.compat/');
// Users parse the audit trail: its event schema ships with the package (the rest of docs/ is for contributors).
project.npmignore?.include('/docs/audit-events.md');

project.synth();
