/**
 * The commands that operate a job once init has created it: status, run-now, logs, list, pause, resume,
 * destroy. Each command module is imported only when it runs, so --help loads no AWS SDK.
 */
import type { Command } from "commander";
import type { Reporter } from "./ui/reporter.js";

/** The global options every command sees (as declared on the program in cli.ts). */
export interface OperateGlobals {
  region?: string;
  profile?: string;
  json?: boolean;
  debug?: boolean;
  color?: boolean;
}

/** The shape of cli.ts's `action` helper: wraps a command body into a commander action with the reporter. */
export type ActionHelper = <T extends object>(
  load: (options: T & OperateGlobals, io: Reporter, args: string[]) => Promise<void>,
) => (...received: unknown[]) => Promise<void>;

const collect = (value: string, previous: string[] = []) => [...previous, value];

const NAME_HELP = "the job (default: support-job.json here, else the only job in the region)";

export function addOperateCommands(program: Command, action: ActionHelper): void {
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
    .action(
      action<{ name?: string; limit?: string }>(async (options, io) => {
        const { runStatus } = await import("./commands/status.js");
        await runStatus(options, io);
      }),
    );

  program
    .command("run-now")
    .description("start a run now; --wait shows its phase until it ends, --follow streams its log")
    .option("--name <name>", NAME_HELP)
    .option("--wait", "wait for the run to end; exit 0 only if it succeeded")
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
Exit codes with --wait/--follow: 0 the run succeeded · 1 it failed, timed out or was stopped · 130 interrupted`,
    )
    .action(
      action<{ name?: string; wait?: boolean; follow?: boolean; env?: string[] }>(async (options, io) => {
        const { runRunNow } = await import("./commands/run-now.js");
        await runRunNow(options, io);
      }),
    );

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
      action<{ name?: string; last?: boolean }>(async (options, io, args) => {
        const { runLogs } = await import("./commands/logs.js");
        await runLogs(args[0], options, io);
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
    .action(
      action<Record<string, never>>(async (options, io) => {
        const { runList } = await import("./commands/list.js");
        await runList(options, io);
      }),
    );

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
    .action(
      action<{ name?: string }>(async (options, io) => {
        const { runPause } = await import("./commands/pause.js");
        await runPause(options, io);
      }),
    );

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
    .action(
      action<{ name?: string }>(async (options, io) => {
        const { runResume } = await import("./commands/pause.js");
        await runResume(options, io);
      }),
    );

  program
    .command("destroy")
    .description("delete every AWS resource of the job (asks first; the runs' logs are kept)")
    .option("--name <name>", "the job to delete (default: support-job.json here; never guessed)")
    .option("-y, --yes", "do not ask (needed without a terminal)")
    .addHelpText(
      "after",
      `
Examples:
  $ support-job destroy
  $ support-job destroy --name nightly-cleanup --yes

Only resources tagged support-job:job=<name> are deleted. If it stops half-way, run it again to finish.`,
    )
    .action(
      action<{ name?: string; yes?: boolean }>(async (options, io) => {
        const { runDestroy } = await import("./commands/destroy.js");
        await runDestroy(options, io);
      }),
    );
}
