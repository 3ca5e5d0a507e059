/**
 * argv → one command: the global options, every command's flags, help and help group, and the only place that sets
 * the exit code. Commands are imported only when they run, so --help and --version load no AWS SDK. Importing this
 * module has no side effect: bin.ts (the process's entry) calls run().
 */
import { Command, CommanderError } from "commander";
import pkg from "../package.json" with { type: "json" };
import type { GlobalOptions } from "./commands/common.js";
import type { InitOptions } from "./commands/init.js";
import type { LogsOptions } from "./commands/logs.js";
import { ExitCode, exitCodeFor, InputError, InputErrors, InterruptedError, OperationError, PassThroughExit } from "./errors.js";
import { interruptNow } from "./interrupt.js";
import type { Reporter } from "./ui/reporter.js";
import { colorAllowed, paint, setColor } from "./ui/style.js";

// After --no-env, a later --env starts a new list.
const collect = (value: string, previous: string[] | boolean = []) => [...(Array.isArray(previous) ? previous : []), value];

const NAME_HELP = "the job (default: support-job.json here, else the only job in the region)";

async function reporter(globals: GlobalOptions): Promise<Reporter> {
  const { Reporter } = await import("./ui/reporter.js");
  const color = colorAllowed(process.stderr, globals.color);
  setColor(color && colorAllowed(process.stdout, globals.color));
  const fancy = color && Boolean(process.stderr.isTTY) && !process.env.CI;
  return new Reporter({ json: Boolean(globals.json), debug: Boolean(globals.debug), fancy });
}

/** The command running now: errors and Ctrl-C stop its reporter's spinner first. */
const running: { reporter?: Reporter | undefined } = {};

/** Whether the running command already printed its --json document. */
function printedJson(): boolean {
  return Boolean(running.reporter?.printedJson);
}

/**
 * A command's commander action: `load` imports the command's module only when it runs (so --help loads no AWS SDK)
 * and gives its body, called with the options (its own and the global ones, as declared below), the reporter and
 * the command's arguments.
 */
function lazyAction<O>(load: () => Promise<(options: O, io: Reporter, args: string[]) => Promise<void>>) {
  return async (...received: unknown[]) => {
    const command = received[received.length - 1] as Command;
    const options = command.optsWithGlobals();
    const io = await reporter(options);
    running.reporter = io;
    const body = await load();
    await body(options as O, io, command.args);
  };
}

/** init's flags as runInit takes them: a `--no-...` flag arrives as false, an empty value that clears the saved one. */
function initOptions(options: Record<string, unknown>): InitOptions {
  const o = options as Record<string, string | string[] | boolean | undefined>;
  const list = (v: unknown) => (v === false ? [] : (v as string[] | undefined));
  return {
    ...options,
    env: list(o.env),
    repository: o.repo as string | undefined,
    policyArns: list(o.policyArn),
    computeType: o.computeType as string | undefined,
    sourceType: o.sourceType as string | undefined,
    alertOn: o.alertOn as string | undefined,
    policyFile: o.policyFile === false ? "" : (o.policyFile as string | undefined),
    permissionsBoundary: o.permissionsBoundary as string | undefined,
    logRetentionDays: o.logRetentionDays as string | undefined,
    queuedTimeout: o.queuedTimeout as string | undefined,
    gpu: o.gpu as boolean | undefined,
    cache: o.cache === false ? "" : (o.cache as string | undefined),
    // --no-vpc arrives as vpc: false: all three cleared.
    vpcId: o.vpc === false ? "" : (o.vpcId as string | undefined),
    subnets: o.vpc === false ? [] : (o.subnet as string[] | undefined),
    securityGroups: o.vpc === false ? [] : (o.securityGroup as string[] | undefined),
    alertWebhooks: list(o.alertWebhook),
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

Exit codes: 0 success · 1 AWS or operation failure · 2 invalid input or usage · 3 \`plan\`: changes pending · 130 interrupted`,
  );

  program.commandsGroup("Set up:");
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
    .option(
      "--alert-webhook <[kind=]url>",
      "chat webhook alerts also go to, repeatable, at most 4: Slack, Teams (Workflows), Discord or generic=URL (the URL is a secret: never saved or shown)",
      collect,
    )
    .option("--no-alert-webhook", "remove every chat webhook (clears the saved list)")
    .option(
      "--env <KEY=VALUE>",
      "environment variable, repeatable; KEY=ssm:/param/name (Parameter Store), KEY=secretsmanager:secret-id[:json-key] (Secrets Manager), KEY=plain:VALUE (force plain)",
      collect,
    )
    .option("--policy-arn <arn>", "managed policy the job needs, repeatable (e.g. arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess)", collect)
    .option("--policy-file <path>", "JSON policy document with the job's own permissions (becomes one managed policy)")
    .option(
      "--permissions-boundary <arn>",
      "managed policy set as the permissions boundary of every role support-job creates (required by docs/operator-policy-bounded.json)",
    )
    .option("--log-retention-days <days>", "days CloudWatch Logs keeps the runs' logs: 1, 3, 5, 7, 14, 30, 60, 90 … 3653, or 0 to never expire (default: 90)")
    .option("--queued-timeout <minutes>", "how long a run may wait for build capacity, 5–480 minutes (default: 480)")
    .option("--gpu", "a GPU container: with BUILD_GENERAL1_SMALL (4 vCPU, 16 GB, 1 A10G) or BUILD_GENERAL1_LARGE (32 vCPU, 255 GB, 4 V100); some regions only")
    .option(
      "--cache <s3-url>",
      "S3 cache for dependencies kept between runs, s3://bucket/prefix (the bucket must exist; the job may read and write only that prefix). Local cache modes are not offered: AWS drops a local cache after minutes unused, so a job that runs hours apart would never find it",
    )
    .option("--vpc-id <id>", "run inside this VPC (with --subnet and --security-group), e.g. to reach a private database")
    .option("--subnet <id>", "private subnet of --vpc-id with a NAT route to the internet, repeatable (at most 16)", collect)
    .option("--security-group <id>", "security group of --vpc-id, repeatable (at most 5)", collect)
    .option("--no-gpu", "back to a CPU container")
    .option("--no-cache", "remove the S3 cache")
    .option("--no-vpc", "take the job out of its VPC")
    .option("--max-parallel <n>", "how many runs may go at once, 1–100 (default: 1: a start while a run is going is refused)")
    .option("--retries <n>", "how many times CodeBuild re-runs a failed run itself, 0–10 (default: 0)")
    .option("--grace <duration>", "how late a run may succeed before the missed-run alarm fires, e.g. 30m, 2h (default: 10% of the gap, at least 15m)")
    .option("--expect-every <duration>", "watch a looser window than the schedule's longest gap, e.g. 26h, 3d (at most 7 days with the grace)")
    // The positive form first: commander then gives the option no default, so "not given" stays undefined.
    .option("--missed-run-alarm", "turn the missed-run and start-refused alarms back on (the default)")
    .option(
      "--no-missed-run-alarm",
      "no CloudWatch alarm when no run succeeds in time, nor when AWS refuses a scheduled start (deletes both alarms, $0.10 a month each)",
    )
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
      lazyAction(async () => {
        const { runInit } = await import("./commands/init.js");
        return (options: Record<string, unknown>, io) => runInit(initOptions(options), io);
      }),
    );

  program
    .command("plan")
    .description("show what apply would change for every job of support-job.json; changes nothing (exit 3: changes pending)")
    .option("--adopt", "plan to take over resources with the jobs' names that support-job did not create")
    .addHelpText(
      "after",
      `
Examples:
  $ support-job plan
  $ support-job plan --json | jq '.jobs[] | select(.changes)'

Exit codes: 0 AWS matches support-job.json · 3 changes are pending · 1 a job could not be read · 2 invalid input.
Jobs tagged in AWS from this file's repositories but not in it are listed as "not in support-job.json".`,
    )
    .action(lazyAction(async () => (await import("./commands/converge.js")).runPlan));

  program
    .command("apply")
    .description("converge every job of support-job.json: one plan, one confirmation, jobs applied in parallel")
    .option("-y, --yes", "do not ask (needed without a terminal)")
    .option("--prune", "also delete the jobs tagged in AWS (from this file's repositories) that support-job.json no longer holds")
    .option("--adopt", "take over resources with the jobs' names that support-job did not create")
    .addHelpText(
      "after",
      `
Examples:
  $ support-job apply
  $ support-job apply --yes
  $ support-job apply --prune

A failure in one job does not stop the others; it is reported with the job's name and the exit code is 1.
--prune deletes only resources tagged support-job:job=<name>, after the confirmation.`,
    )
    .action(lazyAction(async () => (await import("./commands/converge.js")).runApply));

  program.commandsGroup("Operate:");
  program
    .command("status")
    .description("show the job, its schedule, alerts, drift from support-job.json, and its last runs")
    .option("--name <name>", NAME_HELP)
    .option("--limit <n>", "how many runs to show, 1–100 (default: 20)")
    .addHelpText(
      "after",
      `
Examples:
  $ support-job status
  $ support-job status --name nightly-cleanup --limit 50
  $ support-job status --json | jq '.runs[] | select(.status != "SUCCEEDED")'

--json prints one document (shape: docs/status-json.md).`,
    )
    .action(lazyAction(async () => (await import("./commands/status.js")).runStatus));

  program
    .command("run-now")
    .description("start a run now; --wait shows its phase until it ends, --follow streams its log")
    .option("--name <name>", NAME_HELP)
    .option("--wait", "wait for the run to end; exit 0 only if it succeeded")
    .option("--wait-for-previous", "if a run is in progress (the project runs one at a time), wait for it to end, then start")
    .option("--follow", "stream the run's log until it ends; exit 0 only if it succeeded")
    .option("--env <KEY=VALUE>", "override an environment variable for this run, repeatable (KEY=ssm:/param, KEY=secretsmanager:id, KEY=plain:VALUE)", collect)
    .addHelpText(
      "after",
      `
Examples:
  $ support-job run-now
  $ support-job run-now --follow
  $ support-job run-now --wait --env DRY_RUN=true --name nightly-cleanup

Ctrl-C stops waiting, not the run (it prints the command that stops the run).
Exit codes with --wait/--follow: 0 the run succeeded · 1 it failed, timed out or was stopped · 130 interrupted
A run in progress (the project runs --max-parallel at a time, 1 by default): CodeBuild refuses the start, exit 1;
--wait-for-previous waits for it, then starts.`,
    )
    .action(lazyAction(async () => (await import("./commands/run-now.js")).runRunNow));

  program
    .command("logs")
    .description("print a run's whole log (default: the last run)")
    .argument("[run-id]", "the run's id (project:uuid, as status --json shows it)")
    .option("--name <name>", NAME_HELP)
    .option("--last", "the job's newest run (the default without a run id)")
    .addHelpText(
      "after",
      `
Examples:
  $ support-job logs --last
  $ support-job logs nightly-cleanup:0b6e9c1e-2f1d-4c1a-9a51-3c7f4a3d2e10
  $ support-job logs --last --name nightly-cleanup > last-run.log`,
    )
    .action(
      lazyAction(async () => {
        const { runLogs } = await import("./commands/logs.js");
        return (options: LogsOptions, io, args) => runLogs(args[0], options, io);
      }),
    );

  program
    .command("list")
    .description("list every support-job job in the region, with its schedule, state, last run and next run")
    .addHelpText(
      "after",
      `
Examples:
  $ support-job list
  $ support-job list --region eu-west-1 --json`,
    )
    .action(lazyAction(async () => (await import("./commands/list.js")).runList));

  program
    .command("pause")
    .description("turn the job's schedule off (run-now still works)")
    .option("--name <name>", NAME_HELP)
    .addHelpText(
      "after",
      `
Examples:
  $ support-job pause
  $ support-job pause --name nightly-cleanup`,
    )
    .action(lazyAction(async () => (await import("./commands/pause.js")).runPause));

  program
    .command("resume")
    .description("turn the job's schedule back on")
    .option("--name <name>", NAME_HELP)
    .addHelpText(
      "after",
      `
Examples:
  $ support-job resume
  $ support-job resume --name nightly-cleanup`,
    )
    .action(lazyAction(async () => (await import("./commands/pause.js")).runResume));

  program
    .command("destroy")
    .description("delete every AWS resource of the job (asks first; the runs' logs are kept)")
    .option("--name <name>", "the job to delete (default: support-job.json here; never guessed)")
    .option("-y, --yes", "do not ask (needed without a terminal)")
    .option("--delete-logs", "also delete the runs' logs (log group /aws/codebuild/<job>, only if tagged for the job)")
    .option("--account-change", "delete the job in your credentials' account although support-job.json places it in another (whose entry is kept)")
    .addHelpText(
      "after",
      `
Examples:
  $ support-job destroy
  $ support-job destroy --name nightly-cleanup --yes

Only resources tagged support-job:job=<name> are deleted. If it stops half-way, run it again to finish.
The runs' logs are kept (CloudWatch Logs keeps them for the job's --log-retention-days) unless --delete-logs.`,
    )
    .action(lazyAction(async () => (await import("./commands/destroy.js")).runDestroy));

  program.commandsGroup("Trust:");
  program
    .command("test-alert")
    .description("start a run that fails on purpose at once, to prove a failed run emails someone")
    .option("--name <name>", NAME_HELP)
    .addHelpText(
      "after",
      `
Examples:
  $ support-job test-alert
  $ support-job test-alert --name nightly-cleanup --json

The test run uses an inline buildspec that only prints why it fails and exits 1: no source is cloned and nothing
of the job's script runs. It shows in \`support-job status\` with the trigger "test-alert".
Exit codes: 0 the test run failed as intended (the alert is on its way) · 1 it did not, or the alerts are broken
(the message says what is missing) · 130 interrupted`,
    )
    .action(lazyAction(async () => (await import("./commands/test-alert.js")).runTestAlert));

  const permissions = program
    .command("permissions")
    .description("find the job's minimal IAM permissions by trying them on the command line")
    .addHelpText(
      "after",
      `
Examples:
  $ support-job permissions try -- aws s3 ls s3://acme-reports
  $ support-job permissions done`,
    );

  permissions
    .command("try")
    .description("run a command locally with exactly the job's own permissions (a role only you may assume)")
    .argument("<command...>", "the command and its arguments, after --")
    .option("--name <name>", NAME_HELP)
    // Without --, the command's own options are taken for support-job's.
    .showHelpAfterError("(put the command after --, e.g. support-job permissions try -- node -e 1; --help for usage)")
    .addHelpText(
      "after",
      `
Examples:
  $ support-job permissions try -- ./cleanup.sh --dry-run
  $ support-job permissions try --name nightly-cleanup -- aws dynamodb scan --table-name sessions

Creates (or updates) the IAM role support-job-<job>-try with the job's own policies, assumes it for one hour and
runs the command with those temporary credentials and the job's plain environment variables; nothing is written
to disk. An AccessDenied in the output names a missing permission: add it to the job's policy file, run
\`support-job init --yes\`, and try again. The command's exit code is support-job's.`,
    )
    .action(lazyAction(async () => (await import("./commands/permissions.js")).runPermissionsTry));

  permissions
    .command("done")
    .description("delete the role `permissions try` created (only if it is tagged for this job)")
    .option("--name <name>", NAME_HELP)
    .addHelpText(
      "after",
      `
Examples:
  $ support-job permissions done
  $ support-job permissions done --name nightly-cleanup`,
    )
    .action(lazyAction(async () => (await import("./commands/permissions.js")).runPermissionsDone));

  return program;
}

function printError(error: unknown, debug: boolean): void {
  const io = running.reporter;
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

/** Runs one command line (`argv` as process.argv has it) and returns its exit code; the process is left running. */
export async function main(argv: string[]): Promise<number> {
  running.reporter = undefined;
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
    if (argv.includes("--json") && !printedJson() && !(error instanceof PassThroughExit))
      printJsonError(errorCode(error), error instanceof Error ? error.message : String(error), exitCode);
    return exitCode;
  }
}

/** The process around main(): what bin.ts runs once Node has started. Sets process.exitCode. */
export async function run(): Promise<void> {
  // The SDK warns on every run that its releases after January 2027 need Node 22; this pinned release runs on
  // Node 20, so for users the warning is noise (kept with --debug).
  if (!process.argv.includes("--debug")) process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

  // `support-job status | head` closes the pipe early: that is the reader's choice, not an error.
  for (const stream of [process.stdout, process.stderr])
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw error;
    });

  // Prompts handle their own Ctrl-C (ExitPromptError); elsewhere the command's handler says what Ctrl-C left behind.
  process.on("SIGINT", () => {
    const message = interruptNow();
    if (message === undefined) return;
    running.reporter?.stopSpinner();
    process.stderr.write(`${paint.red("✘")} ${message}\n`);
    process.exit(ExitCode.interrupted);
  });

  process.exitCode = await main(process.argv);
}
