/**
 * Commands that build trust in a job before it matters: `test-alert` (prove a failure reaches someone) and
 * `permissions try|done` (try the job's own IAM permissions on the command line). Each command module is imported
 * only when it runs, so --help loads no AWS SDK.
 */
import type { Command } from "commander";
import type { ActionHelper } from "./cli-operate.js";

const NAME_HELP = "the job (default: support-job.json here, else the only job in the region)";

export function addTrustCommands(program: Command, action: ActionHelper): void {
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
    .action(
      action<{ name?: string }>(async (options, io) => {
        const { runTestAlert } = await import("./commands/test-alert.js");
        await runTestAlert(options, io);
      }),
    );

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
    .action(
      action<{ name?: string }>(async (options, io, args) => {
        const { runPermissionsTry } = await import("./commands/permissions.js");
        await runPermissionsTry(options, io, args);
      }),
    );

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
    .action(
      action<{ name?: string }>(async (options, io) => {
        const { runPermissionsDone } = await import("./commands/permissions.js");
        await runPermissionsDone(options, io);
      }),
    );
}
