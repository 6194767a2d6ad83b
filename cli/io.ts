import * as readline from 'readline';

/** Where the CLI reads and writes: the process in real life, a script in tests. */
export interface Io {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: Output;
  readonly stderr: Output;
  /** Asks for one line; a secret is not echoed. */
  prompt(question: string, options: { readonly secret: boolean }): Promise<string>;
}

export interface Output {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/** Reads successive lines of a piped stdin, so that `printf 'pw\n123456\n' | cli …` answers prompts in order. */
class LineReader {
  private readonly lines: string[] = [];
  private readonly waiting: Array<(line: string | undefined) => void> = [];
  private ended = false;

  constructor(input: NodeJS.ReadableStream) {
    const rl = readline.createInterface({ input, terminal: false });
    rl.on('line', (line) => {
      const next = this.waiting.shift();
      if (next) next(line);
      else this.lines.push(line);
    });
    rl.on('close', () => {
      this.ended = true;
      for (const next of this.waiting.splice(0)) next(undefined);
    });
  }

  next(): Promise<string | undefined> {
    if (this.lines.length > 0) return Promise.resolve(this.lines.shift());
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

/** Prompts on a terminal; the answer to a secret prompt is not echoed. */
function promptTerminal(question: string, secret: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    let muted = false;
    // readline echoes through _writeToOutput: swallow the typed characters, keep the question.
    const internal = rl as unknown as { _writeToOutput(s: string): void };
    const write = internal._writeToOutput.bind(rl);
    internal._writeToOutput = (s: string) => {
      if (!muted || s.includes('\n')) write(muted ? '\n' : s);
    };
    rl.question(question, (answer) => {
      rl.close();
      resolve(answer);
    });
    muted = secret;
    rl.on('SIGINT', () => {
      rl.close();
      reject(new Error('interrupted'));
    });
  });
}

/** The real process. */
export function processIo(): Io {
  let piped: LineReader | undefined;
  return {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    async prompt(question, { secret }) {
      if (process.stdin.isTTY) return promptTerminal(question, secret);
      piped ??= new LineReader(process.stdin);
      // The question still tells whoever reads the output what the piped line answered.
      process.stderr.write(`${question}\n`);
      const line = await piped.next();
      if (line === undefined) throw new Error('stdin ended before the answer was given');
      return line;
    },
  };
}
