// The entry's quick --help (src/ui/help.ts) prints exactly what commander prints, for every command and width.
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../../src/cli.js";
import { helpFor, helpModel } from "../../../src/ui/help.js";

/** What commander itself writes for `support-job ...args` with stdout `width` columns wide and no colours. */
function commanderHelp(args: string[], width: number): string {
  const program = buildProgram();
  let out = "";
  const configure = (command: Command) => {
    command.configureOutput({ writeOut: (text) => (out += text), getOutHelpWidth: () => width, getOutHasColors: () => false });
    command.commands.forEach(configure);
  };
  configure(program);
  expect(() => program.parse(args, { from: "user" })).toThrow(/outputHelp|help/);
  return out;
}

const model = helpModel(buildProgram());
const paths = Object.keys(model);
const WIDTHS = [20, 39, 40, 44, 45, 60, 79, 80, 81, 100, 120, 200];

describe("quick --help", () => {
  it("records the program and every command, nested ones included", () => {
    expect(paths).toEqual(expect.arrayContaining(["", "init", "status", "run-now", "destroy", "permissions", "permissions try", "permissions done"]));
  });

  it.each(paths)("`%s --help` is commander's own output at every width", (path) => {
    const args = path ? path.split(" ") : [];
    for (const width of WIDTHS) {
      expect(helpFor(model, [...args, "--help"], width), `width ${width}`).toBe(commanderHelp([...args, "--help"], width));
      expect(helpFor(model, [...args, "-h"], width), `-h, width ${width}`).toBe(commanderHelp([...args, "-h"], width));
    }
  });

  it("answers only a command path followed by --help or -h: anything else is commander's", () => {
    expect(helpFor(model, ["--help"], 80)).toContain("Usage: support-job [options] [command]");
    expect(helpFor(model, ["status"], 80)).toBeUndefined();
    expect(helpFor(model, ["--json", "--help"], 80)).toBeUndefined();
    expect(helpFor(model, ["status", "--name", "x", "--help"], 80)).toBeUndefined();
    expect(helpFor(model, ["no-such-command", "--help"], 80)).toBeUndefined();
    expect(helpFor(model, ["help", "--help"], 80)).toBeUndefined();
    expect(helpFor(model, [], 80)).toBeUndefined();
  });
});
