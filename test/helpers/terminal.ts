/**
 * A real terminal for end-to-end tests: one tmux server on a private socket, one pane running the built CLI, keys
 * sent as a user types them, the screen read back. Tests skip without tmux (`hasTmux`), saying so.
 * (test/e2e/wizard-terminal.test.ts holds its own copy of this class.)
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

  constructor(home: string) {
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
      "160",
      "-y",
      "50",
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
  screen(): string {
    return this.tmux("capture-pane", "-p", "-J", "-S", "-");
  }

  async waitFor(text: string, timeoutMs = WAIT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      const at = screen.indexOf(text, this.cursor);
      if (at >= 0) {
        this.cursor = at + 1;
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
