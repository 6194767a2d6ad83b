/**
 * Jest setup file (setupFilesAfterEnv, configured in .projenrc.ts): when CFN_TEMPLATE_DUMP_DIR is
 * set, every CloudFormation template a test synthesizes is copied into that folder, so CI can run
 * cfn-lint over all of them (.ci/run) without any test knowing about it. Without the variable it
 * changes nothing.
 *
 * It hooks Stage#synth, which both `app.synth()` and `Template.fromStack` go through, and copies
 * the assembly's templates (nested stacks and nested stages included). Names carry the test file
 * and a content hash: unique across tests, and a template synthesized twice is written once.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Stage } from 'aws-cdk-lib';

const dumpDir = process.env.CFN_TEMPLATE_DUMP_DIR;

function templateFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return templateFiles(file);
    return entry.name.endsWith('.template.json') ? [file] : [];
  });
}

function record(assemblyDir: string): void {
  const testFile = path.relative(process.cwd(), expect.getState().testPath ?? 'unknown');
  const prefix = testFile.replace(/\.test\.ts$/, '').replace(/[^\w.-]+/g, '_');
  fs.mkdirSync(dumpDir!, { recursive: true });
  for (const file of templateFiles(assemblyDir)) {
    const body = fs.readFileSync(file);
    const hash = crypto.createHash('sha256').update(body).digest('hex').slice(0, 12);
    const name = path.basename(file).replace(/\.template\.json$/, '');
    fs.writeFileSync(path.join(dumpDir!, `${prefix}__${name}__${hash}.template.json`), body);
  }
}

if (dumpDir) {
  const synth = Stage.prototype.synth;
  Stage.prototype.synth = function (this: Stage, ...args: Parameters<Stage['synth']>) {
    const assembly = synth.apply(this, args);
    record(assembly.directory);
    return assembly;
  };
}
