import * as fs from 'fs';
import * as path from 'path';
import { approvalTranscript, transcript } from './transcript';

/** Times differ from run to run; everything else in the transcript must not. */
const normalize = (text: string) => text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '<time>');

test('the README\'s CLI transcript is what the bundled CLI prints', async () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const block = /<!-- cli-transcript:start -->\n```console\n([\s\S]*?)```\n<!-- cli-transcript:end -->/.exec(readme);
  expect(block).not.toBeNull();
  expect(normalize(block![1])).toBe(normalize(await transcript()));
}, 30_000);

test('the README\'s approval transcript is what the bundled CLI prints', async () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const block = /<!-- cli-transcript-approval:start -->\n```console\n([\s\S]*?)```\n<!-- cli-transcript-approval:end -->/.exec(readme);
  expect(block).not.toBeNull();
  expect(normalize(block![1])).toBe(normalize(await approvalTranscript()));
}, 30_000);
