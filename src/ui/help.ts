/**
 * `support-job --help` and `support-job <command> --help` without loading commander or the CLI: the build records
 * each command's help (helpModel, from the real program) in dist/help.json, and the entry lays it out for the
 * terminal's width exactly as commander's default Help does (formatHelp). test/perf/help.test.ts compares the two
 * at many widths for every command; anything else on the command line goes to commander.
 */
import type { Command, Help } from "commander";

/** One command's help with everything that does not depend on the width already worked out. */
interface CommandHelp {
  /** Text written before and after the help proper (addHelpText). */
  before: string;
  after: string;
  usage: string;
  description: string;
  /** The widest term (argument, option or subcommand): descriptions start after it. */
  termWidth: number;
  sections: { heading: string; items: { term: string; description: string }[] }[];
}

/** Every command's help by its path: "" for the program, "init", "permissions try". */
export type HelpModel = Record<string, CommandHelp>;

/** What commander's Help would lay out for every command of `program` (run at build time). */
export function helpModel(program: Command): HelpModel {
  const model: HelpModel = {};
  const visit = (command: Command, path: string[]) => {
    model[path.join(" ")] = commandHelp(command);
    for (const sub of command.commands) visit(sub, [...path, sub.name()]);
  };
  visit(program, []);
  const text = JSON.stringify(model);
  // Colour codes would change the layout (commander measures without them): none are expected in help texts.
  if (text.includes("\\u001b")) throw new Error("help texts hold ANSI escape codes; the fast help path would lay them out wrongly");
  return model;
}

function commandHelp(command: Command): CommandHelp {
  const helper = command.createHelp() as Help;
  helper.prepareContext({ helpWidth: 80 });
  if (helper.showGlobalOptions) throw new Error("showGlobalOptions is not reproduced by the fast help path");
  const item = (term: string, description: string) => ({ term, description });
  const sections: CommandHelp["sections"] = [
    { heading: "Arguments:", items: helper.visibleArguments(command).map((a) => item(helper.argumentTerm(a), helper.argumentDescription(a))) },
  ];
  for (const [heading, options] of helper.groupItems([...command.options], helper.visibleOptions(command), (o) => o.helpGroupHeading ?? "Options:"))
    sections.push({ heading, items: options.map((o) => item(helper.optionTerm(o), helper.optionDescription(o))) });
  for (const [heading, subs] of helper.groupItems([...command.commands], helper.visibleCommands(command), (sub) => sub.helpGroup() || "Commands:"))
    sections.push({ heading, items: subs.map((sub) => item(helper.subcommandTerm(sub), helper.subcommandDescription(sub))) });

  // The text around the help proper comes from addHelpText listeners: what outputHelp writes beyond helpInformation.
  let written = "";
  const saved = command.configureOutput();
  command.configureOutput({ ...saved, writeOut: (text) => (written += text), getOutHelpWidth: () => 80, getOutHasColors: () => false });
  command.outputHelp();
  const core = command.helpInformation();
  command.configureOutput(saved);
  const at = written.indexOf(core);
  if (at < 0) throw new Error(`the help of ${command.name()} is not helpInformation() with text around it`);
  return {
    before: written.slice(0, at),
    after: written.slice(at + core.length),
    usage: helper.commandUsage(command),
    description: helper.commandDescription(command),
    termWidth: helper.padWidth(command, helper),
    sections: sections.filter((s) => s.items.length > 0),
  };
}

/** The help for `args` when they are a command path and --help or -h alone; undefined for anything else. */
export function helpFor(model: HelpModel, args: readonly string[], width: number): string | undefined {
  const flag = args[args.length - 1];
  if (flag !== "--help" && flag !== "-h") return undefined;
  const help = model[args.slice(0, -1).join(" ")];
  if (!help || args.slice(0, -1).some((arg) => arg.startsWith("-"))) return undefined;
  return help.before + formatHelp(help, width) + help.after;
}

/** Commander's Help.formatHelp with its default styles (none), for a terminal `width` columns wide. */
function formatHelp(help: CommandHelp, width: number): string {
  const lines = [`Usage: ${help.usage}`, ""];
  if (help.description) lines.push(boxWrap(help.description, width), "");
  for (const section of help.sections) lines.push(section.heading, ...section.items.map((i) => formatItem(i.term, help.termWidth, i.description, width)), "");
  return lines.join("\n");
}

/** Commander wraps only when at least this many columns are left for the text. */
const MIN_WIDTH_TO_WRAP = 40;

function formatItem(term: string, termWidth: number, description: string, width: number): string {
  const indent = "  ";
  if (!description) return indent + term;
  const remaining = width - termWidth - 2 - indent.length;
  // A description with a line break followed by indentation is laid out by hand: kept as it is.
  const preformatted = /\n[^\S\r\n]/.test(description);
  const text = remaining < MIN_WIDTH_TO_WRAP || preformatted ? description : boxWrap(description, remaining).replace(/\n/g, `\n${" ".repeat(termWidth + 2)}`);
  return indent + term.padEnd(termWidth) + "  " + text.replace(/\n/g, `\n${indent}`);
}

/** Wraps at whitespace to `width`, keeping the line breaks there are. */
function boxWrap(text: string, width: number): string {
  if (width < MIN_WIDTH_TO_WRAP) return text;
  const wrapped: string[] = [];
  for (const line of text.split(/\r\n|\n/)) {
    const chunks = line.match(/[\s]*[^\s]+/g);
    if (chunks === null) {
      wrapped.push("");
      continue;
    }
    let current = [chunks.shift() ?? ""];
    let used = current[0]!.length;
    for (const chunk of chunks) {
      if (used + chunk.length <= width) {
        current.push(chunk);
        used += chunk.length;
        continue;
      }
      wrapped.push(current.join(""));
      const next = chunk.trimStart();
      current = [next];
      used = next.length;
    }
    wrapped.push(current.join(""));
  }
  return wrapped.join("\n");
}
