#!/usr/bin/env node
/**
 * argv → one command. Commands are imported only when they run, so --help and --version load no AWS SDK.
 * The only place that sets the exit code.
 */
import { Command, CommanderError } from "commander";
import { readFileSync } from "node:fs";
import { addOperateCommands } from "./cli-operate.js";
import { addTrustCommands } from "./cli-trust.js";
import { ExitCode, exitCodeFor, InputError, InputErrors, InterruptedError, OperationError, PassThroughExit } from "./errors.js";
import { installInterruptHandler } from "./interrupt.js";
import type { Reporter } from "./ui/reporter.js";
import { colorAllowed, paint, setColor } from "./ui/style.js";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };

// After --no-env, a later --env starts a new list.
const collect = (value: string, previous: string[] | boolean = []) => [...(Array.isArray(previous) ? previous : []), value];

interface Globals {
  region?: string;
  profile?: string;
  json?: boolean;
  debug?: boolean;
  color?: boolean;
}

async function reporter(globals: Globals): Promise<Reporter> {
  const { Reporter } = await import("./ui/reporter.js");
  const color = colorAllowed(process.stderr, globals.color);
  setColor(color && colorAllowed(process.stdout, globals.color));
  const fancy = color && Boolean(process.stderr.isTTY) && !process.env.CI;
  return new Reporter({ json: Boolean(globals.json), debug: Boolean(globals.debug), fancy });
}

let activeReporter: Reporter | undefined;

export function action<T extends object>(load: (options: T & Globals, io: Reporter, args: string[]) => Promise<void>) {
  return async (...received: unknown[]) => {
    const command = received[received.length - 1] as Command;
    const options = command.optsWithGlobals<T & Globals>();
    const io = await reporter(options);
    activeReporter = io;
    await load(options, io, command.args);
  };
}

export function buildProgram(): Command {
  const program = new Command("support-job")
    .description("Run a support script on a schedule in AWS CodeBuild, with email alerts when it fails.")
    .version(pkg.version, "-v, --version")
    .option("--region <region>", "AWS region (default: support-job.json, then AWS_REGION or your profile)")
    .option("--profile <name>", "AWS profile from ~/.aws/config")
    .option("--json", "print one JSON document on stdout (for scripts)")
    .option("--debug", "log every AWS call (operation, status, request id) to stderr; never credentials")
    .option("--no-color", "no colours (also NO_COLOR=1)")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    // One line: commander puts its "(Did you mean --name?)" on a line of its own.
    .configureOutput({ outputError: (text, write) => write(paint.red(text.replace(/\n(?!$)/g, " "))) });

  program.addHelpText(
    "after",
    `
Examples:
  $ npx support-job init                     guided set-up (asks, shows the plan, applies)
  $ support-job init --yes --name nightly-cleanup --repo https://github.com/acme/ops.git \\
      --schedule "cron(0 3 * * ? *)" --email ops@example.com
  $ support-job status

Exit codes: 0 success · 1 AWS or operation failure · 2 invalid input or usage · 130 interrupted`,
  );

  program
    .command("init")
    .description("create or update every AWS resource of the job (asks on a terminal; flags or support-job.json otherwise)")
    .option("--name <name>", "job name (the CodeBuild project name; letters, digits, - and _, at most 40)")
    .option("--repo <url>", "HTTPS clone URL of the repository holding the buildspec")
    .option("--source-type <type>", "for a self-hosted server: GITHUB_ENTERPRISE or GITLAB_SELF_MANAGED")
    .option("--branch <branch>", "branch, tag or commit to run (default: the repository's default branch)")
    .option("--buildspec <path>", "path of the buildspec in the repository (default: buildspec.yml)")
    .option("--schedule <expression>", 'when to run: "rate(1 day)" or "cron(0 7 ? * MON-FRI *)" (UTC unless --timezone)')
    .option("--timezone <zone>", "IANA time zone of the schedule, e.g. Europe/Paris (default: UTC)")
    .option("--compute-type <type>", "BUILD_GENERAL1_SMALL|MEDIUM|LARGE|XLARGE|2XLARGE (default: BUILD_GENERAL1_SMALL)")
    .option("--arch <arch>", "x86_64 or arm64 (Graviton) (default: x86_64)")
    .option("--image <image>", "build image (default: aws/codebuild/standard:7.0, or the AL2023 aarch64 image for arm64)")
    .option("--timeout <minutes>", "build timeout in minutes, 5–2160 (default: 60)")
    .option("--email <address>", "where alerts go (AWS sends a confirmation email first)")
    .option("--alert-on <statuses>", "comma-separated: FAILED,STOPPED,TIMED_OUT,FAULT (default), SUCCEEDED, IN_PROGRESS")
    .option("--env <KEY=VALUE>", "environment variable, repeatable; KEY=ssm:/param/name (Parameter Store), KEY=secretsmanager:secret-id[:json-key] (Secrets Manager), KEY=plain:VALUE (force plain)", collect)
    .option("--policy-arn <arn>", "managed policy the job needs, repeatable (e.g. arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess)", collect)
    .option("--policy-file <path>", "JSON policy document with the job's own permissions (becomes one managed policy)")
    .option("--permissions-boundary <arn>", "managed policy set as the permissions boundary of every role support-job creates (required by docs/operator-policy-bounded.json)")
    .option("--no-env", "remove every environment variable (clears the saved --env list)")
    .option("--no-policy-arn", "detach every --policy-arn (clears the saved list)")
    .option("--no-policy-file", "delete the job permissions policy (drops the saved --policy-file)")
    .option("--account-change", "set the job up in your credentials' account although support-job.json names another")
    .option("-y, --yes", "do not ask anything: take flags and support-job.json, apply without confirming")
    .option("--dry-run", "show the plan and change nothing")
    .option("--adopt", "take over resources with the job's names that support-job did not create")
    .addHelpText(
      "after",
      `
Examples:
  $ npx support-job init
  $ support-job init --yes --name nightly-cleanup --repo https://github.com/acme/ops-scripts.git \\
      --branch support-jobs --schedule "cron(0 3 * * ? *)" --email ops@example.com \\
      --env STAGE=prod --env DB_PASSWORD=ssm:/cleanup/db-password --policy-file cleanup-policy.json
  $ support-job init --yes                    re-apply support-job.json (changes only what differs)
  $ support-job init --dry-run --compute-type BUILD_GENERAL1_MEDIUM

Settings are saved to support-job.json (no secret values: Parameter Store and Secrets Manager references only).`,
    )
    .action(
      action<Record<string, unknown>>(async (options, io) => {
        const { runInit } = await import("./commands/init.js");
        const o = options as Record<string, string | string[] | boolean | undefined>;
        // --no-env / --no-policy-arn / --no-policy-file arrive as false: an empty value that clears the saved one.
        const list = (v: unknown) => (v === false ? [] : (v as string[] | undefined));
        await runInit(
          {
            ...options,
            env: list(o.env),
            repository: o.repo as string | undefined,
            policyArns: list(o.policyArn),
            computeType: o.computeType as string | undefined,
            sourceType: o.sourceType as string | undefined,
            alertOn: o.alertOn as string | undefined,
            policyFile: o.policyFile === false ? "" : (o.policyFile as string | undefined),
            permissionsBoundary: o.permissionsBoundary as string | undefined,
          },
          io,
        );
      }),
    );

  addOperateCommands(program, action);
  addTrustCommands(program, action);

  return program;
}

function printError(error: unknown, debug: boolean): void {
  const io = activeReporter;
  io?.stopSpinner();
  const line = (text: string) => process.stderr.write(`${paint.red("✘")} ${text}\n`);
  if (error instanceof PassThroughExit) return;
  if (error instanceof InputErrors) for (const p of error.problems) line(p.message);
  else if (error instanceof InputError || error instanceof InterruptedError) line(error.message);
  else if (error instanceof Error && error.name === "ExitPromptError") line("Cancelled, nothing was changed.");
  else if (error instanceof OperationError) {
    line(error.message);
    if (debug && error.cause instanceof Error) process.stderr.write(`${error.cause.stack ?? String(error.cause)}\n`);
  } else {
    line(`support-job hit an unexpected error: ${error instanceof Error ? error.message : String(error)}`);
    process.stderr.write(`${error instanceof Error ? (error.stack ?? "") : ""}\nPlease report this with the output of the same command run with --debug.\n`);
  }
}

/** The `code` of a JSON error object: what kind of failure it is, for scripts to branch on. */
export function errorCode(error: unknown): string {
  if (error instanceof InputError || error instanceof InputErrors) return "invalid-input";
  if (error instanceof InterruptedError || (error instanceof Error && error.name === "ExitPromptError")) return "interrupted";
  if (error instanceof OperationError || (error instanceof Error && error.name === "ApplyError")) return "operation-failed";
  return "unexpected";
}

function printJsonError(code: string, message: string, exitCode: number): void {
  process.stdout.write(`${JSON.stringify({ error: { code, message, exitCode } }, null, 2)}\n`);
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") return ExitCode.ok;
      if (argv.includes("--json")) printJsonError("usage", error.message.replace(/^error: /, ""), ExitCode.input);
      return ExitCode.input;
    }
    printError(error, argv.includes("--debug"));
    const exitCode = exitCodeFor(error);
    // Scripts parse failures too: one JSON error object, unless the command already printed its document.
    if (argv.includes("--json") && !activeReporter?.printedJson && !(error instanceof PassThroughExit))
      printJsonError(errorCode(error), error instanceof Error ? error.message : String(error), exitCode);
    return exitCode;
  }
}

// The SDK warns on every run that its releases after January 2027 need Node 22; this pinned release runs on
// Node 20, so for users the warning is noise (kept with --debug).
if (!process.argv.includes("--debug")) process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

// `support-job status | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr])
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });

// Prompts handle their own Ctrl-C (ExitPromptError); anywhere else, before anything was changed, say so.
installInterruptHandler(() => {
  activeReporter?.stopSpinner();
  process.stderr.write(`${paint.red("✘")} Interrupted; nothing was changed.\n`);
  process.exit(ExitCode.interrupted);
});

process.exitCode = await main(process.argv);
