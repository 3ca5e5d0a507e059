/**
 * The one output host: results to stdout, progress and errors to stderr; spinners only on an interactive
 * terminal with colour allowed; plain lines in CI or pipes; with --json, stdout holds one JSON document.
 * Core code never calls console.* itself.
 */
import type { Ora } from "ora";
import { paint } from "./style.js";

export interface ReporterOptions {
  json: boolean;
  debug: boolean;
  /** stderr is a terminal, not CI, colour allowed. */
  fancy: boolean;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

export interface Progress {
  waiting(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
}

export class Reporter {
  readonly json: boolean;
  readonly fancy: boolean;
  private readonly out: NodeJS.WritableStream;
  private readonly err: NodeJS.WritableStream;
  private readonly debugOn: boolean;
  private spinner: Ora | undefined;
  private readonly active = new Map<number, string>();
  private nextId = 0;
  private oraModule: typeof import("ora") | undefined;

  constructor(options: ReporterOptions) {
    this.json = options.json;
    this.fancy = options.fancy;
    this.debugOn = options.debug;
    this.out = options.stdout ?? process.stdout;
    this.err = options.stderr ?? process.stderr;
  }

  /** Load ora only when a spinner will really be shown (keeps --help and CI runs lean). */
  async ready(): Promise<void> {
    if (this.fancy && !this.oraModule) this.oraModule = await import("ora");
  }

  /** A result line: stdout, unless --json (then results go in the JSON document). */
  result(text = ""): void {
    if (!this.json) this.out.write(`${text}\n`);
  }

  /** Whether the command's JSON document is out: a failure after it adds no second document. */
  printedJson = false;

  printJson(value: unknown): void {
    this.printedJson = true;
    this.out.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** Progress and notices: stderr. */
  info(text: string): void {
    this.aboveSpinner(() => this.err.write(`${text}\n`));
  }

  warn(text: string): void {
    this.aboveSpinner(() => this.err.write(`${paint.yellow("!")} ${text}\n`));
  }

  error(text: string): void {
    this.stopSpinner();
    this.err.write(`${paint.red("✘")} ${text}\n`);
  }

  debug(text: string): void {
    if (this.debugOn) this.aboveSpinner(() => this.err.write(`${paint.dim(`[debug] ${text}`)}\n`));
  }

  /** A task with a spinner (terminal) or a start line and an end line (plain). Several may run at once. */
  task(text: string): Progress {
    const id = this.nextId++;
    this.active.set(id, text);
    if (this.fancy && this.oraModule) this.renderSpinner();
    else this.err.write(`… ${text}\n`);
    const end = (symbol: string, line: string) => {
      this.active.delete(id);
      this.aboveSpinner(() => this.err.write(`${symbol} ${line}\n`));
      if (this.active.size === 0) this.stopSpinner();
    };
    return {
      waiting: (line) => {
        this.active.set(id, `${text}: ${line}`);
        if (this.fancy && this.spinner) this.renderSpinner();
        else this.err.write(`… ${text}: ${line}\n`);
      },
      succeed: (line) => end(paint.green("✔"), line),
      fail: (line) => end(paint.red("✘"), line),
    };
  }

  /**
   * One step of a command: a task while `work` runs, then ✔ `done` or ✘ `failed`. The work's error goes on to the
   * caller; `done` may name what the work found.
   */
  async step<T>(text: string, work: (progress: Progress) => Promise<T>, end: { done: string | ((value: T) => string); failed: string }): Promise<T> {
    await this.ready();
    const progress = this.task(text);
    let value: T;
    try {
      value = await work(progress);
    } catch (error) {
      progress.fail(end.failed);
      throw error;
    }
    progress.succeed(typeof end.done === "function" ? end.done(value) : end.done);
    return value;
  }

  /** A rendered view: its lines as results (none with --json), its warnings on stderr. */
  show(view: { lines: readonly string[]; warnings: readonly string[] }): void {
    for (const line of view.lines) this.result(line);
    for (const warning of view.warnings) this.warn(warning);
  }

  private renderSpinner(): void {
    const text = [...this.active.values()].join(paint.dim(" · "));
    if (!this.spinner) {
      const ora = this.oraModule?.default;
      if (!ora) return;
      this.spinner = ora({ text, stream: this.err as NodeJS.WriteStream, discardStdin: false }).start();
    } else this.spinner.text = text;
  }

  private aboveSpinner(write: () => void): void {
    if (!this.spinner) return write();
    this.spinner.clear();
    write();
    this.spinner.render();
  }

  stopSpinner(): void {
    this.spinner?.stop();
    this.spinner = undefined;
  }
}
