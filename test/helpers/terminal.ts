/**
 * A real terminal for end-to-end tests: one tmux server on a private socket, one pane running the built CLI, keys
 * sent as a user types them, the screen read back. Tests skip without tmux (`hasTmux`), saying so.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CLI } from "./cli.js";

export const hasTmux = spawnSync("tmux", ["-V"]).status === 0;
const WAIT_MS = 20_000;

export class Terminal {
  private readonly socket: string;
  private readonly exitFile: string;
  /** Where in the scrollback the last awaited text was: later waits look after it. */
  private cursor = 0;

  /** `size`: the pane's columns and rows (the wizard's tests draw at 120 × 40). */
  constructor(
    home: string,
    private readonly size = { columns: 160, rows: 50 },
  ) {
    this.socket = join(home, "tmux");
    this.exitFile = join(home, "exit");
  }

  private tmux(...args: string[]): string {
    return execFileSync("tmux", ["-S", this.socket, "-f", "/dev/null", ...args], { encoding: "utf8" });
  }

  /** Runs the CLI with `args` in `cwd`, with only `env` added (CI unset: a terminal is not CI); the exit code lands in `home`. */
  start(cwd: string, env: Record<string, string>, args: string[]): void {
    const command = ["env", "-u", "CI", ...Object.entries(env).map(([k, v]) => `${k}=${v}`), process.execPath, CLI, ...args].map(shellQuote).join(" ");
    this.tmux(
      "new-session",
      "-d",
      "-x",
      String(this.size.columns),
      "-y",
      String(this.size.rows),
      "-c",
      cwd,
      `${command}; echo EXIT=$? > ${shellQuote(this.exitFile)}`,
      ";",
      "set-option",
      "-g",
      "remain-on-exit",
      "on",
    );
  }

  /** Everything the pane showed, scrollback included, wrapped lines joined. */
  screen(options: { colors?: boolean } = {}): string {
    return this.tmux("capture-pane", "-p", "-J", "-S", "-", ...(options.colors ? ["-e"] : []));
  }

  /** Waits for text after the last awaited one; `stay` leaves the place for the next wait where it was. */
  async waitFor(text: string, { stay = false, timeoutMs = WAIT_MS } = {}): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      const at = screen.indexOf(text, this.cursor);
      if (at >= 0) {
        if (!stay) this.cursor = at + 1;
        return;
      }
      if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for "${text}"; the terminal shows:\n${screen}`);
      await sleep(50);
    }
  }

  /** Types `text` (literally) and presses Enter. */
  type(text: string): void {
    if (text) this.tmux("send-keys", "-l", text);
    this.tmux("send-keys", "Enter");
  }

  /** Answers the question once it is on screen: typed text (may be empty), then Enter. */
  async answer(question: string, text = ""): Promise<void> {
    await this.waitFor(`? ${question}`);
    this.type(text);
  }

  /** Picks the choice `down` rows below the highlighted one. */
  async choose(question: string, down: number): Promise<void> {
    await this.waitFor(`? ${question}`);
    this.keys(...Array<string>(down).fill("Down"), "Enter");
  }

  keys(...keys: string[]): void {
    for (const key of keys) this.tmux("send-keys", key);
  }

  async exitCode(timeoutMs = WAIT_MS): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (!existsSync(this.exitFile) || !readFileSync(this.exitFile, "utf8").includes("\n")) {
      if (Date.now() > deadline) throw new Error(`the CLI did not exit within ${timeoutMs} ms; the terminal shows:\n${this.screen()}`);
      await sleep(50);
    }
    return Number(/EXIT=(\d+)/.exec(readFileSync(this.exitFile, "utf8"))?.[1]);
  }

  kill(): void {
    spawnSync("tmux", ["-S", this.socket, "kill-server"], { stdio: "ignore" });
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const shellQuote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
