/**
 * The guided questions of `init`, in order. Returns plain answers (RawSettings), never calls AWS itself (the VPC
 * lists come from the `network` lister init passes in, asked only when the user opens that question) and writes
 * nothing but a buildspec the user said yes to (the scaffold): Ctrl-C at any question leaves everything as it was.
 * Each answer starts from `prefilled` (flags over
 * support-job.json), so re-running init edits the job; a question whose flag was given is not asked.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { localTimeZone } from "../schedule/index.js";
import { DEFAULT_ALERT_ON, DEFAULTS, GPU_COMPUTE, MAX_ALERT_WEBHOOKS } from "../settings/types.js";
import {
  checkArch,
  checkCache,
  checkComputeType,
  checkLogRetention,
  checkQueuedTimeout,
  checkRepository,
  checkSchedule,
  checkTimezone,
  type RawSettings,
} from "../settings/validate.js";
import type { NamedChoice } from "../resources/network.js";
import { paint } from "../ui/style.js";
import { terminal, type Ask } from "./prompts.js";
import * as q from "./questions.js";
import {
  buildspecWarning,
  defaultBuildspec,
  findBuildspecs,
  isExecutable,
  readWorkspace,
  remoteHasBranch,
  scaffoldBuildspec,
  scriptProblem,
  type Workspace,
} from "./workspace.js";

export interface WizardContext {
  cwd: string;
  /** Answers given as flags: those questions are not asked. */
  given: RawSettings;
  /** The prompts (default: the terminal); tests pass scripted ones. */
  ask?: Ask | undefined;
  /** The folder's git remote, branch and top folder (default: read with git from cwd). */
  workspace?: Workspace | undefined;
  /** This computer's time zone and clock, for the schedule preview. */
  localZone?: string | undefined;
  now?: (() => Date) | undefined;
  /** Whether a branch is on the remote (default: `git ls-remote` in the checkout); undefined: cannot tell. */
  remoteHasBranch?: ((branch: string) => boolean | undefined) | undefined;
  /** The account's VPCs and a VPC's private subnets and security groups, for the advanced VPC question. */
  network?: NetworkLister | undefined;
}

interface NetworkLister {
  vpcs(): Promise<NamedChoice[]>;
  detail(vpcId: string): Promise<{ subnets: (NamedChoice & { route: string })[]; securityGroups: NamedChoice[] }>;
}

interface Session {
  answers: RawSettings;
  given: RawSettings;
  ask: Ask;
  cwd: string;
  workspace: Workspace;
  localZone: string;
  now: () => Date;
  network: NetworkLister | undefined;
  /** The job already has saved settings: answering is editing. */
  editing: boolean;
  remoteHasBranch: (branch: string) => boolean | undefined;
}

type Question = (s: Session) => Promise<void>;

/** The questions, in the order they are asked. */
const QUESTIONS: readonly Question[] = [
  repository,
  jobName,
  branch,
  buildspec,
  schedule,
  computeSize,
  imageAndTimeout,
  alertEmail,
  alertStatuses,
  environment,
  permissions,
];

export async function runWizard(prefilled: RawSettings, context: WizardContext): Promise<RawSettings> {
  const session: Session = {
    answers: { ...prefilled },
    given: context.given,
    ask: context.ask ?? terminal,
    cwd: context.cwd,
    workspace: context.workspace ?? readWorkspace(context.cwd),
    localZone: context.localZone ?? localTimeZone(),
    now: context.now ?? (() => new Date()),
    network: context.network,
    editing: prefilled.name !== undefined && !isGiven(context.given, "name"),
    remoteHasBranch: context.remoteHasBranch ?? ((branch) => remoteHasBranch(context.workspace?.root ?? context.cwd, branch)),
  };
  session.ask.say(
    session.editing
      ? `Editing job ${paint.bold(prefilled.name ?? "")}: each answer starts from support-job.json.`
      : "Set up a support job: a script from your repository, run on a schedule in AWS CodeBuild, with email alerts.",
  );
  session.ask.say(paint.dim("Enter takes the answer in (brackets). Ctrl-C stops; nothing changes until you confirm the plan.\n"));
  for (const question of QUESTIONS) await question(session);
  return session.answers;
}

function isGiven(given: RawSettings, field: keyof RawSettings): boolean {
  const value = given[field];
  return value !== undefined && !(Array.isArray(value) && value.length === 0);
}

const asked = (s: Session, field: keyof RawSettings) => !isGiven(s.given, field);

/** Running inside a checkout of the job's repository: its files and branch are the job's. */
const insideRepository = (s: Session) => q.sameRepository(s.workspace.repository, s.answers.repository);

const warn = (s: Session, text: string) => s.ask.say(`${paint.yellow("!")} ${text}`);

// ---------------------------------------------------------------------------------------------------

async function repository(s: Session): Promise<void> {
  if (!asked(s, "repository")) return;
  const override = isGiven(s.given, "sourceType") ? s.answers.sourceType : undefined;
  const before = s.answers.repository;
  const typed = (await s.ask.text(q.repositoryQuestion(before ?? s.workspace.repository, override))).trim();
  if (!override) {
    const host = q.hostOf(typed) ?? "";
    if (checkRepository(typed).ok) s.answers.sourceType = undefined;
    // A host support-job cannot place: ask which kind of server it is, unless support-job.json already says.
    else if (!(s.answers.sourceType && host === q.hostOf(before))) s.answers.sourceType = await s.ask.choose(q.sourceTypeQuestion(host, s.answers.sourceType));
  }
  const located = checkRepository(typed, s.answers.sourceType);
  s.answers.repository = located.ok ? located.value.location : typed;
}

async function jobName(s: Session): Promise<void> {
  if (!asked(s, "name")) return;
  const suggestion = s.answers.name ?? q.nameFromRepository(s.answers.repository);
  s.answers.name = (await s.ask.text(q.nameQuestion(suggestion, s.editing))).trim();
}

async function branch(s: Session): Promise<void> {
  if (!asked(s, "branch")) return;
  const suggestion = s.answers.branch ?? (insideRepository(s) ? s.workspace.branch : undefined);
  s.answers.branch = (await s.ask.text(q.branchQuestion(suggestion))).trim() || undefined;
}

async function buildspec(s: Session): Promise<void> {
  if (!asked(s, "buildspec")) return;
  const inside = insideRepository(s);
  // Outside any checkout the folder may still hold the scripts; a checkout of another repository says nothing.
  const found = inside || !s.workspace.repository ? findBuildspecs(s.workspace.root) : [];
  let suggestion = s.answers.buildspec ?? defaultBuildspec(found);
  for (;;) {
    const path = (await s.ask.text(q.buildspecQuestion(suggestion, found))).trim().replace(/^\.\//, "") || DEFAULTS.buildspec;
    const warning = inside ? buildspecWarning(s.workspace.root, path) : undefined;
    if (warning) warn(s, warning);
    if (warning && existsSync(s.workspace.root) && !existsSync(join(s.workspace.root, path)) && (await scaffold(s, path))) {
      s.answers.buildspec = path;
      return;
    }
    if (!warning || (await s.ask.yesNo(q.keepBuildspecQuestion(path)))) {
      s.answers.buildspec = path;
      return;
    }
    suggestion = path;
  }
}

/**
 * The buildspec is not in the checkout: offer a minimal one that runs a script the user names, show it, write it
 * only on yes, and say what to commit and push (and whether the job's branch is on the remote yet).
 */
async function scaffold(s: Session, path: string): Promise<boolean> {
  if (!(await s.ask.yesNo({ message: `Write a minimal buildspec at ${path} that runs a script of yours?`, default: true }))) return false;
  const root = s.workspace.root;
  const script = (
    await s.ask.text({
      message: "Script to run (path in the repository)",
      help: "It runs from the repository's top folder in CodeBuild, e.g. scripts/cleanup.sh.",
      validate: (value) => scriptProblem(root, value) ?? true,
    })
  )
    .trim()
    .replace(/^\.\//, "");
  const executable = isExecutable(root, script);
  s.ask.say(
    executable
      ? `${script} is executable: the buildspec runs it as ./${script}.`
      : `${script} is not executable (no x bit): the buildspec runs it through its interpreter.`,
  );
  const text = scaffoldBuildspec(script, executable);
  s.ask.say(`${path}:\n${text.replace(/^/gm, "  ").trimEnd()}`);
  if (!(await s.ask.yesNo({ message: `Write ${path}?`, default: true }))) return false;
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text, { flag: "wx" });
  const branch = s.answers.branch ?? s.workspace.branch;
  s.ask.say(
    `Wrote ${path}. CodeBuild clones the repository, not this folder: commit and push it${branch ? ` to ${branch}` : ""} before the first run (git add ${path} && git commit -m "Add ${path}" && git push).`,
  );
  if (branch && s.remoteHasBranch(branch) === false)
    warn(s, `branch ${branch} is not on the remote (origin) yet: push it (git push -u origin ${branch}) before the first run.`);
  return true;
}

async function schedule(s: Session): Promise<void> {
  if (!asked(s, "schedule")) {
    const expression = s.answers.schedule ?? "";
    if (!q.isRate(expression) && asked(s, "timezone")) s.answers.timezone = await timezone(s);
    const zone = checkTimezone(s.answers.timezone ?? "");
    // A wrong flag is reported after the wizard, by validation, with the flag's name.
    if (checkSchedule(expression).ok && zone.ok) for (const line of q.schedulePreview(expression, zone.value, s.localZone, s.now())) s.ask.say(line);
    return;
  }
  for (;;) {
    const expression = await scheduleExpression(s);
    // A rate runs every N units whatever the clock says: no zone to ask, and UTC keeps a plain EventBridge rule.
    const zone = asked(s, "timezone") ? (q.isRate(expression) ? "UTC" : await timezone(s)) : (s.answers.timezone ?? DEFAULTS.timezone);
    for (const line of q.schedulePreview(expression, zone, s.localZone, s.now())) s.ask.say(line);
    if (await s.ask.yesNo(q.confirmScheduleQuestion())) {
      s.answers.schedule = expression;
      s.answers.timezone = zone;
      return;
    }
  }
}

async function scheduleExpression(s: Session): Promise<string> {
  const current = s.answers.schedule ? { schedule: s.answers.schedule, timezone: s.answers.timezone ?? DEFAULTS.timezone } : undefined;
  const preset = await s.ask.choose(q.scheduleQuestion(current));
  switch (preset) {
    case "keep":
      return s.answers.schedule ?? "";
    case "minutes":
    case "hours":
    case "days":
      return q.presetExpression(preset, { every: Number(await s.ask.text(q.everyQuestion(preset))) });
    case "daily":
    case "weekdays":
      return q.presetExpression(preset, { time: await s.ask.text(q.timeQuestion()) });
    case "weekly": {
      const weekday = await s.ask.choose(q.weekdayQuestion());
      return q.presetExpression(preset, { weekday, time: await s.ask.text(q.timeQuestion()) });
    }
    case "monthly": {
      const dayOfMonth = Number(await s.ask.text(q.dayOfMonthQuestion()));
      return q.presetExpression(preset, { dayOfMonth, time: await s.ask.text(q.timeQuestion()) });
    }
    case "expression":
      return q.presetExpression(preset, { expression: await s.ask.text(q.expressionQuestion(s.answers.schedule)) });
  }
}

async function timezone(s: Session): Promise<string> {
  const zone = await s.ask.choose(q.timezoneQuestion(s.answers.timezone, s.localZone));
  if (zone !== q.OTHER_ZONE) return zone;
  const typed = checkTimezone(await s.ask.text(q.otherZoneQuestion(s.answers.timezone)));
  return typed.ok ? typed.value : DEFAULTS.timezone;
}

async function computeSize(s: Session): Promise<void> {
  const askType = asked(s, "computeType");
  const askArch = asked(s, "arch");
  if (!askType && !askArch) return;
  const type = checkComputeType(s.answers.computeType ?? "");
  const arch = checkArch(s.answers.arch ?? "");
  const current = q.computeKey(type.ok ? type.value : DEFAULTS.computeType, arch.ok ? arch.value : DEFAULTS.arch);
  const only = { computeType: askType ? undefined : s.answers.computeType?.toUpperCase(), arch: askArch || !arch.ok ? undefined : arch.value };
  const chosen = q.parseComputeKey(await s.ask.choose(q.computeQuestion(current, only)));
  s.answers.computeType = chosen.computeType;
  s.answers.arch = chosen.arch;
}

async function imageAndTimeout(s: Session): Promise<void> {
  const arch = checkArch(s.answers.arch ?? "");
  if (!arch.ok) return;
  // The image follows the architecture unless the user picked one that still fits it.
  if (asked(s, "image")) s.answers.image = s.answers.image === undefined ? undefined : q.imageFor(s.answers.image, arch.value);
  const chat = asked(s, "alertWebhooks");
  // Image, timeout and chat all given as flags: the rest of the advanced settings get their own "change them?".
  if (!asked(s, "image") && !asked(s, "timeout") && !chat) return extras(s);
  const image = s.answers.image ?? q.imageFor(undefined, arch.value);
  const timeout = s.answers.timeout ?? DEFAULTS.timeoutMinutes;
  const hooks = [...(s.answers.alertWebhooks ?? [])];
  const advanced = q.advancedQuestion(asked(s, "image") ? image : undefined, asked(s, "timeout") ? timeout : undefined, chat ? hooks.length : undefined);
  if (!(await s.ask.yesNo(advanced))) return;
  if (asked(s, "image")) s.answers.image = (await s.ask.text(q.imageQuestion(image, arch.value))).trim();
  if (asked(s, "timeout")) s.answers.timeout = Number((await s.ask.text(q.timeoutQuestion(timeout))).trim());
  // Overlap, retries and the missed-run alarm: Enter keeps each default.
  if (asked(s, "maxParallel")) s.answers.maxParallel = Number((await s.ask.text(q.maxParallelQuestion(s.answers.maxParallel ?? DEFAULTS.maxParallel))).trim());
  if (asked(s, "retries")) s.answers.retries = Number((await s.ask.text(q.retriesQuestion(s.answers.retries ?? DEFAULTS.retries))).trim());
  if (asked(s, "grace") && s.answers.missedRunAlarm !== false) s.answers.grace = (await s.ask.text(q.graceQuestion(s.answers.grace))).trim() || undefined;
  if (chat) {
    // Saved webhooks (by key) stay; --no-alert-webhook removes them. Each new URL is kept only in memory.
    while (hooks.length < MAX_ALERT_WEBHOOKS) {
      const value = (await s.ask.text(q.webhookQuestion(hooks.length))).trim();
      if (!value) break;
      hooks.push(value);
    }
    s.answers.alertWebhooks = hooks;
  }
  await extras(s, true);
}

/**
 * Log retention, queued timeout, GPU, cache and VPC: asked after the image and timeout once the user opened the
 * advanced settings (each with Enter keeping it), or behind their own "change them?" when those were flags.
 */
async function extras(s: Session, opened = false): Promise<void> {
  const fields = ["logRetentionDays", "queuedTimeout", "gpu", "cache", "vpcId"] as const;
  if (!fields.some((f) => asked(s, f))) return;
  const retention = checkLogRetention(s.answers.logRetentionDays ?? "");
  const queued = checkQueuedTimeout(s.answers.queuedTimeout ?? "");
  const gpu = s.answers.gpu === true || s.answers.gpu === "true";
  const cache = checkCache(s.answers.cache ?? "");
  const now = {
    logRetentionDays: retention.ok ? retention.value : DEFAULTS.logRetentionDays,
    queuedTimeout: queued.ok ? queued.value : DEFAULTS.queuedTimeoutMinutes,
    gpu,
    cache: cache.ok && cache.value ? `s3://${cache.value.bucket}/${cache.value.prefix}` : undefined,
    vpcId: s.answers.vpcId || undefined,
  };
  if (!opened && !(await s.ask.yesNo(q.extrasQuestion(now)))) return;
  if (asked(s, "logRetentionDays")) s.answers.logRetentionDays = await s.ask.choose(q.logRetentionQuestion(now.logRetentionDays));
  if (asked(s, "queuedTimeout")) s.answers.queuedTimeout = Number((await s.ask.text(q.queuedTimeoutQuestion(now.queuedTimeout))).trim());
  const computeType = (s.answers.computeType ?? DEFAULTS.computeType).toUpperCase();
  if (asked(s, "gpu") && GPU_COMPUTE[computeType] && (s.answers.arch ?? DEFAULTS.arch) === "x86_64")
    s.answers.gpu = await s.ask.yesNo(q.gpuQuestion(gpu, computeType));
  if (asked(s, "cache")) s.answers.cache = (await s.ask.text(q.cacheQuestion(now.cache))).trim();
  if (asked(s, "vpcId") && s.network) await vpc(s, s.network, now.vpcId);
}

async function vpc(s: Session, network: NetworkLister, current: string | undefined): Promise<void> {
  let vpcs: NamedChoice[];
  try {
    vpcs = await network.vpcs();
  } catch (error) {
    warn(
      s,
      `Could not list the account's VPCs (${error instanceof Error ? error.message : String(error)}); pass --vpc-id, --subnet and --security-group instead.`,
    );
    return;
  }
  const vpcId = await s.ask.choose(q.vpcQuestion(vpcs, current));
  if (vpcId === q.NO_VPC) {
    s.answers.vpcId = "";
    s.answers.subnets = [];
    s.answers.securityGroups = [];
    return;
  }
  const detail = await network.detail(vpcId);
  s.answers.vpcId = vpcId;
  s.answers.subnets = await s.ask.pick(q.subnetsQuestion(detail.subnets, s.answers.subnets ?? []));
  s.answers.securityGroups = await s.ask.pick(q.securityGroupsQuestion(detail.securityGroups, s.answers.securityGroups ?? []));
}

async function alertEmail(s: Session): Promise<void> {
  if (!asked(s, "email")) return;
  s.answers.email = (await s.ask.text(q.emailQuestion(s.answers.email))).trim();
}

async function alertStatuses(s: Session): Promise<void> {
  if (!asked(s, "alertOn")) return;
  const current = s.answers.alertOn;
  const list = current === undefined ? [...DEFAULT_ALERT_ON] : Array.isArray(current) ? current : current.split(",");
  s.answers.alertOn = await s.ask.pick(q.alertQuestion(list));
}

async function environment(s: Session): Promise<void> {
  if (!asked(s, "env")) return;
  const entries = [...(s.answers.env ?? [])];
  for (;;) {
    const action = await s.ask.choose(q.envMenuQuestion(entries));
    if (action.kind === "done") break;
    if (action.kind === "remove") entries.splice(entries.indexOf(action.item), 1);
    if (action.kind === "add") {
      const name = (await s.ask.text(q.envNameQuestion(entries.map(q.envName)))).trim();
      const kind = await s.ask.choose(q.envKindQuestion(name));
      entries.push(q.envEntry(name, kind, await s.ask.text(q.envValueQuestion(name, kind))));
    }
  }
  s.answers.env = entries;
}

async function permissions(s: Session): Promise<void> {
  const allow = { arns: asked(s, "policyArns"), file: asked(s, "policyFile") };
  if (!allow.arns && !allow.file) return;
  const arns = [...(s.answers.policyArns ?? [])];
  let file = s.answers.policyFile;
  for (;;) {
    const action = await s.ask.choose(q.permissionsMenuQuestion(arns, file, allow));
    if (action.kind === "done") break;
    if (action.kind === "add") arns.push((await s.ask.text(q.policyArnQuestion(arns))).trim());
    if (action.kind === "file") file = (await s.ask.text(q.policyFileQuestion(file, s.cwd))).trim();
    if (action.kind === "remove" && action.item === file) file = undefined;
    else if (action.kind === "remove") arns.splice(arns.indexOf(action.item), 1);
  }
  s.answers.policyArns = arns;
  s.answers.policyFile = file;
}
