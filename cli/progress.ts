import type { Output } from './io';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * Progress on stderr while the CLI waits: a spinner on a terminal, one line per step when
 * piped; nothing with --json (stdout stays machine-readable, stderr quiet).
 */
export class Progress {
  private timer?: NodeJS.Timeout;

  constructor(private readonly out: Output, private readonly enabled: boolean) {}

  async step<T>(label: string, work: () => Promise<T>): Promise<T> {
    if (!this.enabled) return work();
    const started = Date.now();
    if (this.out.isTTY) {
      let i = 0;
      this.timer = setInterval(() => this.out.write(`\r${FRAMES[i++ % FRAMES.length]} ${label}`), 80);
      this.timer.unref?.();
    } else {
      this.out.write(`${label}…\n`);
    }
    try {
      const result = await work();
      this.finish(label, `done (${((Date.now() - started) / 1000).toFixed(1)}s)`);
      return result;
    } catch (err) {
      this.finish(label, 'failed');
      throw err;
    }
  }

  private finish(label: string, outcome: string): void {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.out.write(`\r\u001b[2K${label}: ${outcome}\n`);
    }
  }
}
