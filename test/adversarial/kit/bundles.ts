import * as path from 'path';
import type { Context } from 'aws-lambda';

/**
 * Loads the BUNDLED handlers (assets/lambda-src/<name>.lambda/index.js, built by `npx projen
 * bundle`), each call a fresh "container": module state (caches, clients, verifiers) starts
 * empty, as in a new Lambda execution environment. The AWS SDK stays one shared module (the
 * bundles keep it external, as on the Lambda runtime), so aws-sdk-client-mock's stubs reach
 * every container.
 */

const ASSETS = path.join(__dirname, '..', '..', '..', 'assets', 'lambda-src');

/* eslint-disable @typescript-eslint/no-require-imports */
const SHARED_MODULES: Record<string, unknown> = {
  '@aws-sdk/client-cognito-identity-provider': require('@aws-sdk/client-cognito-identity-provider'),
  '@aws-sdk/client-secrets-manager': require('@aws-sdk/client-secrets-manager'),
  '@aws-sdk/client-ssm': require('@aws-sdk/client-ssm'),
  '@aws-sdk/client-scheduler': require('@aws-sdk/client-scheduler'),
  '@aws-sdk/client-dynamodb': require('@aws-sdk/client-dynamodb'),
};

/** The bundles the construct ships. */
export type BundleName = 'broker' | 'pre-token-generation' | 'define-auth-challenge' | 'create-auth-challenge'
| 'verify-auth-challenge' | 'rotate-key' | 'end-session';

/** A handler as Lambda calls it. */
export type BundledHandler = (event: any, context: Context) => Promise<any>;

/** A fresh container running the bundled handler `name`. */
export function freshContainer(name: BundleName): BundledHandler {
  let handler: BundledHandler | undefined;
  jest.isolateModules(() => {
    for (const [id, module] of Object.entries(SHARED_MODULES)) jest.doMock(id, () => module);
    handler = require(path.join(ASSETS, `${name}.lambda`, 'index.js')).handler;
  });
  if (typeof handler !== 'function') throw new Error(`bundle ${name} exports no handler: run \`npx projen bundle\``);
  return handler;
}
/* eslint-enable @typescript-eslint/no-require-imports */

/** Sets environment variables for the handlers (undefined deletes); returns the undo. */
export function withEnv(values: Record<string, string | undefined>): () => void {
  const saved = new Map(Object.keys(values).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) delete process.env[k]; else process.env[k] = v;
  }
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
  };
}

/** Records the audit events the handlers write (console.info / console.warn), silencing the console. */
export class AuditLog {
  private readonly spies: jest.SpyInstance[];

  constructor() {
    this.spies = (['info', 'warn', 'log', 'error', 'debug'] as const).map((level) => jest.spyOn(console, level).mockImplementation(() => {}));
  }

  /** The audit events, in order. */
  events(): Array<Record<string, any>> {
    const [info, warn] = this.spies;
    return [info, warn]
      .flatMap((spy) => spy.mock.calls.map((args, i) => ({ order: spy.mock.invocationCallOrder[i], record: args[0] })))
      .sort((a, b) => a.order - b.order)
      .map(({ record }) => record)
      .filter((record) => typeof record === 'object' && record !== null && 'event' in record);
  }

  /** Everything written to the console, as one string (to prove nothing secret is logged). */
  text(): string {
    return JSON.stringify(this.spies.map((spy) => spy.mock.calls));
  }

  clear(): void {
    for (const spy of this.spies) spy.mockClear();
  }
}
