/**
 * The only importer of inquirer: every question the CLI asks goes through here. Prompts draw on stderr (stdout
 * holds results, so `init > plan.txt` still asks on the terminal) and take their colours from ui/style.ts, so
 * NO_COLOR and --no-color reach them too. Ctrl-C rejects with inquirer's ExitPromptError; cli.ts reports it.
 */
import { checkbox, confirm, input, select, Separator } from "@inquirer/prompts";
import { paint } from "../ui/style.js";

/** Mirrors inquirer's Context: tests pass their own streams. */
export interface PromptContext {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  signal?: AbortSignal;
  clearPromptOnDone?: boolean;
}

export interface TextQuestion {
  message: string;
  /** Shown dim under the message while the question is open, gone once it is answered. */
  help?: string | undefined;
  /** What Enter answers on an empty line (Tab puts it on the line to edit it). */
  default?: string | undefined;
  /** true, or why the answer is refused: shown under the prompt until the user fixes it. */
  validate?: ((value: string) => true | string) | undefined;
  /** Shown as the answer when the user leaves the line empty and there is no default. */
  emptyAnswer?: string | undefined;
  /** What to show as the answer once given, instead of the answer itself (a secret). */
  shown?: ((value: string) => string) | undefined;
  /** A short problem to show while typing (validate still decides on Enter). */
  live?: ((value: string) => string | undefined) | undefined;
}

export interface Choice<V> {
  value: V;
  name: string;
  /** Shown after the question once answered (default: name). */
  short?: string | undefined;
  /** Shown under the list while this choice is highlighted. */
  description?: string | undefined;
}

/** A title line between groups of choices. */
export interface Heading {
  heading: string;
}

export interface ChoiceQuestion<V> {
  message: string;
  help?: string | undefined;
  choices: readonly (Choice<V> | Heading)[];
  default?: V | undefined;
}

export interface PickQuestion<V> {
  message: string;
  help?: string | undefined;
  choices: readonly (Choice<V> & { checked?: boolean })[];
  /** When set, at least one choice must be ticked; this says why. */
  required?: string | undefined;
}

export interface YesNoQuestion {
  message: string;
  help?: string | undefined;
  default: boolean;
}

/** The wizard's whole conversation with the user; tests pass a scripted one. */
export interface Ask {
  text(question: TextQuestion): Promise<string>;
  choose<V>(question: ChoiceQuestion<V>): Promise<V>;
  pick<V>(question: PickQuestion<V>): Promise<V[]>;
  yesNo(question: YesNoQuestion): Promise<boolean>;
  /** A line of information between questions (stderr). */
  say(text: string): void;
}

// ---------------------------------------------------------------------------------------------------

type Layout = "inline" | "list";

/** Inquirer's theme, coloured by paint; `help` goes under the message until the question is answered. */
function theme(help: string | undefined, layout: Layout) {
  const helpLines = (help ?? "")
    .split("\n")
    .filter(Boolean)
    .map((line) => `  ${paint.dim(line)}`);
  return {
    prefix: { idle: paint.cyan("?"), done: paint.green("✔") },
    style: {
      answer: (text: string) => paint.cyan(text),
      message: (text: string, status: string) => {
        if (status === "done" || helpLines.length === 0) return paint.bold(text);
        // Text and yes/no prompts continue on their own line after the help; lists follow the help directly.
        return [paint.bold(text), ...helpLines].join("\n") + (layout === "inline" ? `\n  ${paint.dim("›")}` : "");
      },
      error: (text: string) => paint.red(`> ${text}`),
      defaultAnswer: (text: string) => paint.dim(`(${text})`),
      help: (text: string) => paint.dim(text),
      highlight: (text: string) => paint.cyan(text),
      key: (text: string) => paint.cyan(paint.bold(`<${text}>`)),
      description: (text: string) => paint.cyan(text),
      disabled: (text: string) => paint.dim(text),
      keysHelpTip: (keys: [string, string][]) => keys.map(([key, action]) => `${paint.bold(key)} ${paint.dim(action)}`).join(paint.dim(" • ")),
    },
  };
}

const onStderr = (context?: PromptContext): PromptContext => ({ output: process.stderr, ...context });

const isHeading = <V>(item: Choice<V> | Heading): item is Heading => "heading" in item;

export function askText(question: TextQuestion, context?: PromptContext): Promise<string> {
  const { validate, live } = question;
  return input(
    {
      message: question.message,
      default: question.default,
      validate: validate ? (value: string) => validate(value) : undefined,
      transformer: (value: string, { isFinal }: { isFinal: boolean }) => {
        if (isFinal) return value === "" && question.emptyAnswer ? paint.dim(question.emptyAnswer) : paint.cyan(question.shown ? question.shown(value) : value);
        const problem = live && value ? live(value) : undefined;
        return problem ? `${value}  ${paint.yellow(`← ${problem}`)}` : value;
      },
      theme: theme(question.help, "inline"),
    },
    onStderr(context),
  );
}

export function askChoice<V>(question: ChoiceQuestion<V>, context?: PromptContext): Promise<V> {
  return select<V>(
    {
      message: question.message,
      choices: question.choices.map((c) => (isHeading(c) ? new Separator(paint.dim(`── ${c.heading}`)) : c)),
      default: question.default,
      pageSize: 14,
      loop: false,
      theme: theme(question.help, "list"),
    },
    onStderr(context),
  );
}

export function askPick<V>(question: PickQuestion<V>, context?: PromptContext): Promise<V[]> {
  const { required } = question;
  return checkbox<V>(
    {
      message: question.message,
      choices: question.choices,
      pageSize: 12,
      loop: false,
      validate: required ? (chosen) => chosen.length > 0 || required : undefined,
      theme: { ...theme(question.help, "list"), icon: { checked: paint.green("◉"), unchecked: "◯", cursor: "❯" } },
    },
    onStderr(context),
  );
}

export function askYesNo(question: YesNoQuestion, context?: PromptContext): Promise<boolean> {
  return confirm({ message: question.message, default: question.default, theme: theme(question.help, "inline") }, onStderr(context));
}

/** The real terminal. */
export const terminal: Ask = {
  text: (question) => askText(question),
  choose: (question) => askChoice(question),
  pick: (question) => askPick(question),
  yesNo: (question) => askYesNo(question),
  say: (text) => {
    process.stderr.write(`${text}\n`);
  },
};

// ---------------------------------------------------------------------------------------------------
// Confirmations asked by `init` itself.

export async function confirmApply(isNew: boolean): Promise<boolean> {
  return askYesNo({ message: isNew ? "Create these resources?" : "Apply these changes?", default: isNew });
}

export async function confirmBroadGrant(): Promise<boolean> {
  return askYesNo({ message: "The job's policy lets it do anything in this account. Continue anyway?", default: false });
}

/** init on a terminal in a folder whose support-job.json has jobs: edit one of them, or add a new one (undefined). */
export async function chooseJob(jobs: readonly string[], context?: PromptContext): Promise<string | undefined> {
  const NEW = "\u0000new";
  const answer = await askChoice<string>(
    {
      message: "support-job.json has jobs already: new job or edit one?",
      choices: [
        { value: NEW, name: "new job", description: "its defaults are the ones support-job.json's jobs share" },
        ...jobs.map((job) => ({ value: job, name: `edit ${job}` })),
      ],
      default: NEW,
    },
    context,
  );
  return answer === NEW ? undefined : answer;
}
