#!/usr/bin/env node
/**
 * The process's entry (dist/cli.js), kept tiny: it answers `--help` from the help the build recorded (dist/help.json)
 * and `--version` from package.json without loading the CLI; otherwise it turns on the compile cache
 * (compile-cache.ts) and loads the CLI (cli.ts), whose modules are the first to be cached.
 *
 * Built as CommonJS like every chunk (scripts/bundle.ts): no top-level await here.
 */
import { readFileSync } from "node:fs";
import { join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { enableCompileCache } from "./compile-cache.js";
import { helpFor, type HelpModel } from "./ui/help.js";

/**
 * `support-job [command…] --help`, laid out as commander would for this terminal, and `support-job --version` as
 * commander prints it; undefined: let the CLI answer.
 */
function quickHelp(args: string[]): string | undefined {
  if (args.length === 1 && (args[0] === "--version" || args[0] === "-v")) return quickVersion();
  if (args[args.length - 1] !== "--help" && args[args.length - 1] !== "-h") return undefined;
  try {
    const model = JSON.parse(readFileSync(new URL("./help.json", import.meta.url), "utf8")) as HelpModel;
    // Commander's width: the terminal's columns, 80 when stdout is not a terminal.
    return helpFor(model, args, (process.stdout.isTTY ? process.stdout.columns : undefined) ?? 80);
  } catch {
    // No recorded help (running from source): commander answers.
    return undefined;
  }
}

/** The package's version (dist/cli.js is one folder below package.json, as src/bin.ts is). */
function quickVersion(): string | undefined {
  try {
    const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: unknown };
    return typeof version === "string" ? `${version}\n` : undefined;
  } catch {
    return undefined;
  }
}

const help = quickHelp(process.argv.slice(2));
if (help !== undefined) {
  // `support-job --help | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
  process.stdout.write(help);
} else {
  // The chunks live in dist/chunks/, next to the entry (dist/cli.js).
  // Each command keeps caches of its own: the first word on the command line that is not an option.
  const command = process.argv.slice(2).find((arg) => !arg.startsWith("-"));
  enableCompileCache(`${join(fileURLToPath(new URL(".", import.meta.url)), "chunks")}${sep}`, command);
  void import("./cli.js").then(({ run }) => run());
}
