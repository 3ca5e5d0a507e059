// CodeBuild as AWS answers it, built on moto: the proxy rewrites moto's answers and emulates what moto lacks.
//
// moto 5.2.1 differences handled here (checked against moto/codebuild/{models,responses}.py and by calls):
// - build times are ISO strings (AWS: epoch seconds) and every BatchGetBuilds turns a build SUCCEEDED, with an
//   endTime 1-5 minutes in the future, buildComplete left false and 9 more phases appended per call;
// - builds have a random buildNumber, initiator "rootme", canned environment/source and no log group or stream;
// - ListBuildsForProject is oldest first and unpaged; BatchGet* omit buildsNotFound/projectsNotFound;
// - projects carry `lastModifiedDate` (AWS: `lastModified`) and timeouts 0 when not given (AWS: 60 / 480);
// - CreateProject insists on source.location even for NO_SOURCE, and rejects AWS-valid types it does not know
//   (GITLAB sources, Lambda and XLARGE compute); fields it does not model (concurrentBuildLimit...) vanish;
// - UpdateProject is not implemented (HTTP 500);
// - StartBuild ignores concurrentBuildLimit: the proxy refuses a start while as many of the project's builds are
//   running as the limit allows, with AWS's AccountLimitExceededException (the "for the project" wording follows
//   AWS's account-level "Cannot have more than N builds in queue for the account"; not confirmed here). A build
//   counts as running once a read has shown it IN_PROGRESS (a script's step or a history entry), so tests that
//   start runs back to back without reading them are not refused.
import { randomUUID } from "node:crypto";
import { ACCOUNT_ID, awsError, type ErrorResponse } from "./aws-protocol.js";
import { BuildRecord, SUCCEEDED_STEP, toEpochSeconds, validateStep, type BuildLogs, type BuildSettings, type BuildStep } from "./codebuild-builds.js";

export interface Upstream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A JSON call straight to moto, outside the call log: the proxy's own bookkeeping. */
export type MotoJsonCall = (service: string, target: string, payload: unknown) => Promise<{ status: number; json: unknown }>;

export interface StartBuildRecord {
  buildId: string;
  projectName: string;
  /** The StartBuild request body as the client sent it (overrides, buildspecOverride, idempotencyToken...). */
  request: Record<string, unknown>;
}

export interface BuildControl {
  /** Outcomes for a known build: each later BatchGetBuilds that includes it shows the next step; the last sticks. */
  script(buildId: string, steps: BuildStep[]): void;
  /** Outcomes for the next build StartBuild creates (queued: one call per upcoming build). */
  scriptNext(steps: BuildStep[]): void;
  /** Pin facts about a build (times, initiator, a final status), e.g. to make run history. */
  set(buildId: string, settings: BuildSettings): void;
  /** Starts builds on moto directly (not in the call log) and applies `runs[i]` to the i-th; oldest first. */
  createHistory(projectName: string, runs: BuildSettings[]): Promise<string[]>;
  /** Build ids the proxy knows: all in registration order, or one project's by build number (oldest first). */
  ids(projectName?: string): string[];
  /** Every StartBuild request that reached moto or was answered from an idempotency token, in order. */
  readonly startRequests: readonly StartBuildRecord[];
  /** Initiator of builds started through StartBuild; AWS puts the calling user's name there. */
  defaultInitiator: string;
  /**
   * A test report the build wrote (buildspec `reports:`), in report group `<project>-<group>`: emulated, since moto
   * has no CodeBuild reports. The build's `reportArns` then lists it; BatchGetReports and DescribeTestCases answer it.
   */
  addReport(buildId: string, report: ScriptedReport): string;
}

/** A test report as a buildspec's `reports:` section would produce it (JUnit XML, say). */
export interface ScriptedReport {
  /** The report's name in the buildspec; the group is `<project>-<group>`, as CodeBuild auto-creates it. */
  group: string;
  testCases: {
    name: string;
    status: "SUCCEEDED" | "FAILED" | "ERROR" | "SKIPPED" | "UNKNOWN";
    prefix?: string;
    message?: string;
    durationInNanoSeconds?: number;
  }[];
}

export interface CodeBuildEmulationOptions {
  /** Write a few log lines into the build's CloudWatch Logs stream at StartBuild (for demos). */
  buildLogs?: boolean;
}

const JSON_TARGET = "CodeBuild_20161006";
const NO_LOCATION = "support-job-proxy:no-location";
const IDEMPOTENCY_WINDOW_MS = 5 * 60_000;
const PAGE_SIZE = 100;

/** AWS-valid values moto's CreateProject rejects, mapped to ones it accepts; the proxy restores the originals. */
const MOTO_ENVIRONMENT_TYPES = new Set(["WINDOWS_CONTAINER", "LINUX_CONTAINER", "LINUX_GPU_CONTAINER", "ARM_CONTAINER"]);
const AWS_ONLY_ENVIRONMENT_TYPES = new Set([
  "LINUX_LAMBDA_CONTAINER",
  "ARM_LAMBDA_CONTAINER",
  "WINDOWS_SERVER_2019_CONTAINER",
  "WINDOWS_SERVER_2022_CONTAINER",
  "LINUX_EC2",
  "ARM_EC2",
  "WINDOWS_EC2",
  "MAC_ARM",
]);
const AWS_ONLY_COMPUTE = /^(BUILD_GENERAL1_XLARGE|BUILD_LAMBDA_\d+GB|ATTRIBUTE_BASED_COMPUTE|CUSTOM_INSTANCE_TYPE)$/;
const AWS_ONLY_SOURCE_TYPES = new Set(["GITLAB", "GITLAB_SELF_MANAGED"]);

/** CreateProject / UpdateProject fields, apart from `name` and `badgeEnabled`. */
const PROJECT_FIELDS = [
  "description",
  "source",
  "secondarySources",
  "sourceVersion",
  "secondarySourceVersions",
  "artifacts",
  "secondaryArtifacts",
  "cache",
  "environment",
  "serviceRole",
  "timeoutInMinutes",
  "queuedTimeoutInMinutes",
  "encryptionKey",
  "tags",
  "vpcConfig",
  "logsConfig",
  "fileSystemLocations",
  "buildBatchConfig",
  "concurrentBuildLimit",
  "autoRetryLimit",
] as const;

export class CodeBuildEmulation {
  readonly builds: BuildControl;

  private records = new Map<string, BuildRecord>();
  private buildCounters = new Map<string, number>();
  private nextScripts: BuildStep[][] = [];
  private startRequestLog: StartBuildRecord[] = [];
  private idempotency = new Map<string, { buildId: string; fingerprint: string; atMs: number }>();
  /** Project fields as the client sent them, shown instead of moto's (lossy or sanitised) echo. */
  private projectFields = new Map<string, Record<string, unknown>>();
  /** Creation times that survive the delete-and-create of an emulated UpdateProject. */
  private projectCreated = new Map<string, number>();
  /** Build ids moto forgot when an emulated UpdateProject re-created their project. */
  private orphanedBuildIds = new Map<string, string[]>();
  /** In-flight UpdateProject emulations: other calls about the same project wait so they never see it missing. */
  private projectLocks = new Map<string, Promise<unknown>>();
  private initiator = "dev";
  /** Emulated reports by ARN, with their test cases (shapes of botocore's CodeBuild Report and TestCase). */
  private reports = new Map<string, { report: Record<string, unknown>; testCases: Record<string, unknown>[] }>();

  constructor(
    private readonly moto: MotoJsonCall,
    private readonly options: CodeBuildEmulationOptions = {},
  ) {
    // The getters below run with the object literal as `this`: they reach the emulation through `self`.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    this.builds = {
      script: (buildId, steps) => this.recordFor(buildId).script(steps),
      scriptNext: (steps) => {
        if (steps.length === 0) throw new Error("a build script needs at least one step");
        steps.forEach(validateStep);
        this.nextScripts.push(steps);
      },
      set: (buildId, settings) => this.recordFor(buildId).apply(settings),
      createHistory: (projectName, runs) => this.createHistory(projectName, runs),
      ids: (projectName) => {
        const known = [...this.records.values()];
        if (projectName === undefined) return known.map((record) => record.id);
        return known
          .filter((record) => record.projectName === projectName)
          .sort((a, b) => a.buildNumber - b.buildNumber)
          .map((record) => record.id);
      },
      get startRequests() {
        return self.startRequestLog;
      },
      get defaultInitiator() {
        return self.initiator;
      },
      set defaultInitiator(value: string) {
        self.initiator = value;
      },
      addReport: (buildId, report) => this.addReport(buildId, report),
    };
  }

  reset(): void {
    this.records.clear();
    this.buildCounters.clear();
    this.nextScripts = [];
    this.startRequestLog = [];
    this.idempotency.clear();
    this.projectFields.clear();
    this.projectCreated.clear();
    this.orphanedBuildIds.clear();
    this.initiator = "dev";
    this.reports.clear();
  }

  /**
   * Handles the CodeBuild actions moto gets wrong. Returns undefined for actions that pass through untouched.
   * `forward` sends a (possibly rewritten) body to moto with the client's headers.
   */
  async handle(action: string, body: Buffer, region: string, forward: (body: Buffer) => Promise<Upstream>): Promise<Upstream | undefined> {
    const request = parseObject(body.toString("utf8"));
    if (request === undefined) return undefined;
    switch (action) {
      case "CreateProject":
        return this.createProject(request, forward);
      case "UpdateProject":
        return this.updateProject(request);
      case "DeleteProject":
        return this.deleteProject(request, body, forward);
      case "BatchGetProjects":
        return this.batchGetProjects(request, body, forward);
      case "StartBuild":
        return this.startBuild(request, body, region, forward);
      case "BatchGetBuilds":
        return this.batchGetBuilds(request, body, forward);
      case "StopBuild":
        return this.stopBuild(request, body, forward);
      case "ListBuildsForProject":
        return this.listBuildsForProject(request, body, forward);
      case "BatchGetReports":
        return this.batchGetReports(request);
      case "DescribeTestCases":
        return this.describeTestCases(request);
      default:
        return undefined;
    }
  }

  // ---- projects ----

  private async createProject(request: Record<string, unknown>, forward: (body: Buffer) => Promise<Upstream>): Promise<Upstream> {
    const upstream = await forward(jsonBuffer(forMoto(request)));
    const answer = parseObject(upstream.body.toString("utf8"));
    const project = answer?.["project"];
    if (upstream.status !== 200 || !isRecord(project)) return upstream;
    const name = stringOf(request["name"]) ?? "";
    this.projectFields.set(name, pickFields(request));
    this.orphanedBuildIds.delete(name);
    this.projectCreated.delete(name);
    return jsonUpstream(200, { project: this.renderProject(project) });
  }

  /**
   * moto has no UpdateProject, so: read the project, merge the update the way AWS does (fields present replace,
   * absent ones stay, tags included), delete it and create the merged one.
   * Cost of this emulation, checked in moto 5.2.1: CreateProject resets moto's per-project build list, so
   * ListBuildsForProject would forget earlier builds (BatchGetBuilds still finds them). The proxy keeps those
   * ids and merges them back in, so history survives an update as it does on AWS.
   */
  private updateProject(request: Record<string, unknown>): Promise<Upstream> {
    const name = stringOf(request["name"]) ?? "";
    const run = async (): Promise<Upstream> => {
      const current = await this.fetchProject(name);
      if (current === undefined) {
        return errorUpstream(
          awsError(
            "codebuild",
            { json: "ResourceNotFoundException", query: "ResourceNotFoundException" },
            `Project cannot be found: arn:aws:codebuild:us-east-1:${ACCOUNT_ID}:project/${name}`,
            { json: 400, query: 400 },
          ),
        );
      }
      const previous: Record<string, unknown> = { name, ...pickFields(current) };
      const badge = current["badge"];
      if (isRecord(badge) && typeof badge["badgeEnabled"] === "boolean") previous["badgeEnabled"] = badge["badgeEnabled"];
      const merged: Record<string, unknown> = { ...previous, ...pickFields(request), name };
      if (typeof request["badgeEnabled"] === "boolean") merged["badgeEnabled"] = request["badgeEnabled"];
      // AWS: "To remove this limit, set this value to -1."
      if (merged["concurrentBuildLimit"] === -1) delete merged["concurrentBuildLimit"];

      const listed = await this.moto("codebuild", `${JSON_TARGET}.ListBuildsForProject`, { projectName: name });
      const ids = isRecord(listed.json) ? stringArray(listed.json["ids"]) : [];
      const orphaned = this.orphanedBuildIds.get(name) ?? [];
      this.orphanedBuildIds.set(name, [...orphaned, ...ids.filter((id) => !orphaned.includes(id))]);

      await this.moto("codebuild", `${JSON_TARGET}.DeleteProject`, { name });
      const created = await this.moto("codebuild", `${JSON_TARGET}.CreateProject`, forMoto(merged));
      const project = isRecord(created.json) ? created.json["project"] : undefined;
      if (created.status !== 200 || !isRecord(project)) {
        // The merged project was invalid: put the old one back and pass moto's validation error on.
        await this.moto("codebuild", `${JSON_TARGET}.CreateProject`, forMoto(previous));
        return motoError(created.status, created.json);
      }
      const createdAt = toEpochSeconds(current["created"]);
      if (createdAt !== undefined && !this.projectCreated.has(name)) this.projectCreated.set(name, createdAt);
      this.projectFields.set(name, pickFields(merged));
      return jsonUpstream(200, { project: this.renderProject(project) });
    };
    const done = run();
    this.projectLocks.set(name, done);
    return done.finally(() => {
      if (this.projectLocks.get(name) === done) this.projectLocks.delete(name);
    });
  }

  private async deleteProject(request: Record<string, unknown>, body: Buffer, forward: (body: Buffer) => Promise<Upstream>): Promise<Upstream> {
    const name = stringOf(request["name"]) ?? "";
    await this.projectLocks.get(name);
    const upstream = await forward(body);
    if (upstream.status === 200) {
      this.projectFields.delete(name);
      this.projectCreated.delete(name);
      this.orphanedBuildIds.delete(name);
    }
    return upstream;
  }

  private async batchGetProjects(request: Record<string, unknown>, body: Buffer, forward: (body: Buffer) => Promise<Upstream>): Promise<Upstream> {
    const names = stringArray(request["names"]);
    await Promise.all(names.map((name) => this.projectLocks.get(name)));
    const upstream = await forward(body);
    const answer = parseObject(upstream.body.toString("utf8"));
    if (upstream.status !== 200 || answer === undefined) return upstream;
    const projects = (Array.isArray(answer["projects"]) ? answer["projects"] : []).filter(isRecord);
    const rendered = projects.map((project) => this.renderProject(project));
    const found = new Set(rendered.flatMap((project) => [stringOf(project["name"]), stringOf(project["arn"])]));
    const projectsNotFound = names.filter((name) => !found.has(name));
    return jsonUpstream(200, { projects: rendered, projectsNotFound });
  }

  private async fetchProject(name: string): Promise<Record<string, unknown> | undefined> {
    const { status, json } = await this.moto("codebuild", `${JSON_TARGET}.BatchGetProjects`, { names: [name] });
    if (status !== 200 || !isRecord(json) || !Array.isArray(json["projects"])) return undefined;
    const project: unknown = json["projects"][0];
    return isRecord(project) ? this.renderProject(project) : undefined;
  }

  /** moto's project in AWS's shape. */
  private renderProject(motoProject: Record<string, unknown>): Record<string, unknown> {
    const project: Record<string, unknown> = { ...motoProject };
    const name = stringOf(project["name"]) ?? "";
    const lastModified = toEpochSeconds(project["lastModified"] ?? project["lastModifiedDate"]);
    delete project["lastModifiedDate"];
    if (lastModified !== undefined) project["lastModified"] = lastModified;
    const created = this.projectCreated.get(name) ?? toEpochSeconds(project["created"]);
    if (created !== undefined) project["created"] = created;
    if (project["timeoutInMinutes"] === 0) project["timeoutInMinutes"] = 60;
    if (project["queuedTimeoutInMinutes"] === 0) project["queuedTimeoutInMinutes"] = 480;
    const source = project["source"];
    if (isRecord(source) && source["location"] === NO_LOCATION) {
      const { location: _placeholder, ...rest } = source;
      project["source"] = rest;
    }
    const sent = this.projectFields.get(name);
    if (sent !== undefined) {
      for (const [field, value] of Object.entries(sent)) {
        // moto turns a bare role name into an ARN, as AWS does: keep its version.
        if (field !== "serviceRole") project[field] = value;
      }
    }
    return project;
  }

  // ---- builds ----

  private async startBuild(request: Record<string, unknown>, body: Buffer, region: string, forward: (body: Buffer) => Promise<Upstream>): Promise<Upstream> {
    const projectName = stringOf(request["projectName"]) ?? "";
    await this.projectLocks.get(projectName);
    const token = stringOf(request["idempotencyToken"]);
    if (token !== undefined) {
      const replay = this.replayIdempotent(projectName, token, request);
      if (replay !== undefined) return replay;
    }
    const refused = this.overConcurrencyLimit(projectName);
    if (refused !== undefined) return refused;
    const upstream = await forward(body);
    const answer = parseObject(upstream.body.toString("utf8"));
    const build = answer?.["build"];
    if (upstream.status !== 200 || !isRecord(build)) return upstream;

    const record = await this.register(build, region, request);
    record.steps = this.nextScripts.shift() ?? [SUCCEEDED_STEP];
    this.startRequestLog.push({ buildId: record.id, projectName, request });
    if (token !== undefined) {
      this.idempotency.set(`${projectName}\n${token}`, {
        buildId: record.id,
        fingerprint: fingerprint(request),
        atMs: Date.now(),
      });
    }
    if (this.options.buildLogs === true) await this.writeDemoLogs(record);
    return jsonUpstream(200, { build: this.renderBuild(build, record) });
  }

  /** The project's concurrentBuildLimit reached: AWS refuses the start (it is not queued). */
  private overConcurrencyLimit(projectName: string): Upstream | undefined {
    const limit = this.projectFields.get(projectName)?.["concurrentBuildLimit"];
    if (typeof limit !== "number" || limit < 1) return undefined;
    const running = [...this.records.values()].filter(
      (record) => record.projectName === projectName && record.observed > 0 && record.currentStep().status === "IN_PROGRESS",
    ).length;
    if (running < limit) return undefined;
    return errorUpstream(
      awsError(
        "codebuild",
        { json: "AccountLimitExceededException", query: "AccountLimitExceededException" },
        `Cannot have more than ${limit} builds in queue for the project`,
        { json: 400, query: 400 },
      ),
    );
  }

  /** AWS: the same token within 5 minutes returns the same build; with other parameters it is an error. */
  private replayIdempotent(projectName: string, token: string, request: Record<string, unknown>): Upstream | undefined {
    const key = `${projectName}\n${token}`;
    const previous = this.idempotency.get(key);
    if (previous === undefined || Date.now() - previous.atMs > IDEMPOTENCY_WINDOW_MS) return undefined;
    if (previous.fingerprint !== fingerprint(request)) {
      // Message wording is ours; AWS documents "a parameter mismatch error" without quoting it.
      return errorUpstream(
        awsError("codebuild", { json: "InvalidInputException", query: "InvalidInput" }, `Idempotency token ${token} was used with different parameters`, {
          json: 400,
          query: 400,
        }),
      );
    }
    const record = this.records.get(previous.buildId);
    if (record === undefined) return undefined;
    this.startRequestLog.push({ buildId: record.id, projectName, request });
    return jsonUpstream(200, { build: this.renderBuild(this.motoShape(record), record) });
  }

  private async batchGetBuilds(request: Record<string, unknown>, body: Buffer, forward: (body: Buffer) => Promise<Upstream>): Promise<Upstream> {
    const ids = [...new Set(stringArray(request["ids"]))];
    const upstream = await forward(body);
    const answer = parseObject(upstream.body.toString("utf8"));
    if (upstream.status !== 200 || answer === undefined) return upstream;
    const byId = new Map<string, Record<string, unknown>>();
    for (const build of Array.isArray(answer["builds"]) ? answer["builds"] : []) {
      if (isRecord(build) && typeof build["id"] === "string") byId.set(build["id"], build);
    }
    const builds: Record<string, unknown>[] = [];
    const buildsNotFound: string[] = [];
    for (const id of ids) {
      const build = byId.get(id);
      if (build === undefined) {
        buildsNotFound.push(id);
        continue;
      }
      const record = this.records.get(id) ?? (await this.register(build, "us-east-1", undefined));
      record.observed += 1;
      builds.push(this.renderBuild(build, record));
    }
    return jsonUpstream(200, { builds, buildsNotFound });
  }

  private async stopBuild(request: Record<string, unknown>, body: Buffer, forward: (body: Buffer) => Promise<Upstream>): Promise<Upstream> {
    const upstream = await forward(body);
    const answer = parseObject(upstream.body.toString("utf8"));
    const build = answer?.["build"];
    if (upstream.status !== 200 || !isRecord(build)) return upstream;
    const record = this.records.get(stringOf(build["id"]) ?? "") ?? (await this.register(build, "us-east-1", undefined));
    const shown = record.currentStep();
    if (shown.status === "IN_PROGRESS") {
      const phase = shown.phase ?? "BUILD";
      record.steps = [{ status: "STOPPED", failedPhase: phase === "QUEUED" || phase === "SUBMITTED" ? "QUEUED" : phase }];
      record.observed = 1;
    }
    return jsonUpstream(200, { build: this.renderBuild(build, record) });
  }

  private async listBuildsForProject(request: Record<string, unknown>, body: Buffer, forward: (body: Buffer) => Promise<Upstream>): Promise<Upstream> {
    const projectName = stringOf(request["projectName"]) ?? "";
    await this.projectLocks.get(projectName);
    const upstream = await forward(body);
    const answer = parseObject(upstream.body.toString("utf8"));
    if (upstream.status !== 200 || answer === undefined) return upstream;

    const orphaned = this.orphanedBuildIds.get(projectName) ?? [];
    const all = [...new Set([...orphaned, ...stringArray(answer["ids"])])];
    // AWS sorts by build number and defaults to DESCENDING (newest first).
    const ordered = all
      .map((id, index) => ({ id, index, number: this.records.get(id)?.buildNumber ?? 0 }))
      .sort((a, b) => a.number - b.number || a.index - b.index)
      .map(({ id }) => id);
    if (request["sortOrder"] !== "ASCENDING") ordered.reverse();
    // The API reference: "If the project has more than 100 builds, setting the sort order will result in an error."
    if (request["sortOrder"] !== undefined && all.length > PAGE_SIZE)
      return errorUpstream(
        awsError("codebuild", { json: "InvalidInputException", query: "InvalidInput" }, "sortOrder cannot be set for a project with more than 100 builds", {
          json: 400,
          query: 400,
        }),
      );

    let offset = 0;
    const token = stringOf(request["nextToken"]);
    if (token !== undefined) {
      const decoded = decodeToken(token);
      if (decoded === undefined) {
        return errorUpstream(awsError("codebuild", { json: "InvalidInputException", query: "InvalidInput" }, "Invalid nextToken", { json: 400, query: 400 }));
      }
      offset = decoded;
    }
    const page = ordered.slice(offset, offset + PAGE_SIZE);
    const result: Record<string, unknown> = { ids: page };
    if (offset + PAGE_SIZE < ordered.length) result["nextToken"] = encodeToken(offset + PAGE_SIZE);
    return jsonUpstream(200, result);
  }

  private async createHistory(projectName: string, runs: BuildSettings[]): Promise<string[]> {
    const base = this.buildCounters.get(projectName) ?? 0;
    this.buildCounters.set(projectName, base + runs.length);
    const ids: string[] = new Array<string>(runs.length);
    const project = await this.fetchProject(projectName);
    if (project === undefined) throw new Error(`createHistory: no CodeBuild project ${projectName} in moto`);
    // moto is threaded: a few at a time keeps 300 runs around a second.
    for (let start = 0; start < runs.length; start += 10) {
      await Promise.all(
        runs.slice(start, start + 10).map(async (run, offset) => {
          const index = start + offset;
          const { status, json } = await this.moto("codebuild", `${JSON_TARGET}.StartBuild`, { projectName });
          const build = isRecord(json) ? json["build"] : undefined;
          if (status !== 200 || !isRecord(build)) throw new Error(`createHistory: StartBuild answered ${status}`);
          const record = this.registerWith(build, "us-east-1", project, {}, base + index + 1);
          record.apply({ status: "SUCCEEDED", ...run });
          ids[index] = record.id;
        }),
      );
    }
    return ids;
  }

  // ---- reports (moto has none) ----

  private addReport(buildId: string, scripted: ScriptedReport): string {
    const record = this.recordFor(buildId);
    const region = record.logs.cloudWatchLogsArn.split(":")[3] ?? "us-east-1";
    const group = `${record.projectName}-${scripted.group}`;
    const arn = `arn:aws:codebuild:${region}:${ACCOUNT_ID}:report/${group}:${randomUUID()}`;
    const counts: Record<string, number> = {};
    for (const test of scripted.testCases) counts[test.status] = (counts[test.status] ?? 0) + 1;
    const created = record.startMs / 1000 + 30;
    const duration = scripted.testCases.reduce((sum, t) => sum + (t.durationInNanoSeconds ?? 1_000_000), 0);
    const failed = (counts["FAILED"] ?? 0) + (counts["ERROR"] ?? 0) > 0;
    const report: Record<string, unknown> = {
      arn,
      type: "TEST",
      name: group,
      reportGroupArn: `arn:aws:codebuild:${region}:${ACCOUNT_ID}:report-group/${group}`,
      executionId: `arn:aws:codebuild:${region}:${ACCOUNT_ID}:build/${buildId}`,
      status: failed ? "FAILED" : "SUCCEEDED",
      created,
      expired: created + 30 * 86_400,
      exportConfig: { exportConfigType: "NO_EXPORT" },
      truncated: false,
      testSummary: { total: scripted.testCases.length, statusCounts: counts, durationInNanoSeconds: duration },
    };
    const testCases = scripted.testCases.map((t) => ({
      reportArn: arn,
      testRawDataPath: "reports/junit.xml",
      prefix: t.prefix ?? "",
      name: t.name,
      status: t.status,
      durationInNanoSeconds: t.durationInNanoSeconds ?? 1_000_000,
      message: t.message ?? "",
      expired: created + 30 * 86_400,
      testSuiteName: scripted.group,
    }));
    this.reports.set(arn, { report, testCases });
    record.reportArns.push(arn);
    return arn;
  }

  /** BatchGetReports: 1–100 ARNs (botocore's ReportArns), unknown ones in reportsNotFound. */
  private batchGetReports(request: Record<string, unknown>): Upstream {
    const arns = stringArray(request["reportArns"]);
    if (arns.length < 1 || arns.length > 100) return errorUpstream(codebuildError("InvalidInputException", "reportArns must hold 1 to 100 ARNs"));
    const found = arns.filter((arn) => this.reports.has(arn));
    return jsonUpstream(200, {
      reports: found.map((arn) => this.reports.get(arn)!.report),
      reportsNotFound: arns.filter((arn) => !this.reports.has(arn)),
    });
  }

  /** DescribeTestCases: filter by status and keyword (name or prefix), maxResults 1–100 (default 50), paged. */
  private describeTestCases(request: Record<string, unknown>): Upstream {
    const arn = stringOf(request["reportArn"]) ?? "";
    const stored = this.reports.get(arn);
    if (stored === undefined) return errorUpstream(codebuildError("ResourceNotFoundException", `Report ${arn} not found`));
    const filter = isRecord(request["filter"]) ? request["filter"] : {};
    const status = stringOf(filter["status"]);
    const keyword = stringOf(filter["keyword"]);
    const max = typeof request["maxResults"] === "number" ? request["maxResults"] : 50;
    if (max < 1 || max > 100) return errorUpstream(codebuildError("InvalidInputException", "maxResults must be 1 to 100"));
    const matching = stored.testCases.filter(
      (t) =>
        (status === undefined || t["status"] === status) &&
        (keyword === undefined || String(t["name"]).includes(keyword) || String(t["prefix"]).includes(keyword)),
    );
    const offset = decodeToken(stringOf(request["nextToken"]) ?? "") ?? 0;
    const page = matching.slice(offset, offset + max);
    return jsonUpstream(200, { testCases: page, ...(offset + max < matching.length ? { nextToken: encodeToken(offset + max) } : {}) });
  }

  private recordFor(buildId: string): BuildRecord {
    const record = this.records.get(buildId);
    if (record === undefined) throw new Error(`unknown build ${buildId}: start it through the proxy first`);
    return record;
  }

  private async register(build: Record<string, unknown>, region: string, startRequest: Record<string, unknown> | undefined): Promise<BuildRecord> {
    const projectName = stringOf(build["projectName"]) ?? "";
    const project = await this.fetchProject(projectName);
    const number = (this.buildCounters.get(projectName) ?? 0) + 1;
    this.buildCounters.set(projectName, number);
    return this.registerWith(build, region, project ?? {}, startRequest ?? {}, number);
  }

  private registerWith(
    build: Record<string, unknown>,
    region: string,
    project: Record<string, unknown>,
    startRequest: Record<string, unknown>,
    buildNumber: number,
  ): BuildRecord {
    const id = stringOf(build["id"]) ?? "";
    const projectName = stringOf(build["projectName"]) ?? "";
    const startMs = (toEpochSeconds(build["startTime"]) ?? Date.now() / 1000) * 1000;
    const record = new BuildRecord(id, projectName, buildNumber, startMs, this.initiator, logsFor(id, projectName, region, project));
    record.snapshot = snapshotFor(project, startRequest);
    this.records.set(id, record);
    return record;
  }

  private renderBuild(motoBuild: Record<string, unknown>, record: BuildRecord): Record<string, unknown> {
    // moto's endTime is an ISO string, and present even when the shown step is still in progress.
    const { endTime: _motoEndTime, ...fromMoto } = motoBuild;
    const build: Record<string, unknown> = { ...fromMoto, ...record.snapshot, ...record.render(Date.now()) };
    if (record.reportArns.length > 0) build["reportArns"] = [...record.reportArns];
    if (build["artifacts"] === null) build["artifacts"] = { location: "" };
    return build;
  }

  /** Enough of a moto build to render one the proxy answers itself (idempotent replay). */
  private motoShape(record: BuildRecord): Record<string, unknown> {
    return {
      id: record.id,
      arn: `arn:aws:codebuild:us-east-1:${ACCOUNT_ID}:build/${record.id}`,
      projectName: record.projectName,
      artifacts: { location: "" },
      cache: { type: "NO_CACHE" },
    };
  }

  private async writeDemoLogs(record: BuildRecord): Promise<void> {
    const { groupName, streamName } = record.logs;
    const stamp = new Date().toISOString().replace("T", " ").replace("Z", "");
    const lines = [
      `[Container] ${stamp} Running on CodeBuild On-demand (local moto)`,
      `[Container] ${stamp} Entering phase BUILD`,
      `[Container] ${stamp} Running command ./support.sh`,
      "support job: nothing to do (this is a local demo build)",
      `[Container] ${stamp} Phase complete: BUILD State: SUCCEEDED`,
    ];
    await this.moto("logs", "Logs_20140328.CreateLogGroup", { logGroupName: groupName });
    await this.moto("logs", "Logs_20140328.CreateLogStream", { logGroupName: groupName, logStreamName: streamName });
    const now = Date.now();
    await this.moto("logs", "Logs_20140328.PutLogEvents", {
      logGroupName: groupName,
      logStreamName: streamName,
      logEvents: lines.map((message, i) => ({ timestamp: now + i, message })),
    });
  }
}

/** Where AWS would put the build's log stream: the project's logsConfig, else /aws/codebuild/<project>. */
function logsFor(buildId: string, projectName: string, region: string, project: Record<string, unknown>): BuildLogs {
  const uuid = buildId.slice(buildId.indexOf(":") + 1);
  const logsConfig = project["logsConfig"];
  const cloudWatch = isRecord(logsConfig) ? logsConfig["cloudWatchLogs"] : undefined;
  const groupName = (isRecord(cloudWatch) ? stringOf(cloudWatch["groupName"]) : undefined) ?? `/aws/codebuild/${projectName}`;
  const streamPrefix = isRecord(cloudWatch) ? stringOf(cloudWatch["streamName"]) : undefined;
  const streamName = streamPrefix === undefined ? uuid : `${streamPrefix}/${uuid}`;
  return {
    groupName,
    streamName,
    deepLink: `https://console.aws.amazon.com/cloudwatch/home?region=${region}#logEvent:group=${groupName};stream=${streamName}`,
    cloudWatchLogsArn: `arn:aws:logs:${region}:${ACCOUNT_ID}:log-group:${groupName}:log-stream:${streamName}`,
  };
}

/** The build's copy of its project's settings, with StartBuild's overrides applied (moto's are canned). */
function snapshotFor(project: Record<string, unknown>, request: Record<string, unknown>): Record<string, unknown> {
  const snapshot: Record<string, unknown> = {};
  const environment = isRecord(project["environment"]) ? { ...project["environment"] } : undefined;
  if (environment !== undefined) {
    const variables = Array.isArray(environment["environmentVariables"]) ? environment["environmentVariables"].filter(isRecord) : [];
    const overrides = Array.isArray(request["environmentVariablesOverride"]) ? request["environmentVariablesOverride"].filter(isRecord) : [];
    const overridden = new Set(overrides.map((variable) => variable["name"]));
    environment["environmentVariables"] = [...variables.filter((variable) => !overridden.has(variable["name"])), ...overrides];
    if (typeof request["environmentTypeOverride"] === "string") environment["type"] = request["environmentTypeOverride"];
    if (typeof request["computeTypeOverride"] === "string") environment["computeType"] = request["computeTypeOverride"];
    if (typeof request["imageOverride"] === "string") environment["image"] = request["imageOverride"];
    if (typeof request["privilegedModeOverride"] === "boolean") environment["privilegedMode"] = request["privilegedModeOverride"];
    snapshot["environment"] = environment;
  }
  if (isRecord(project["source"])) {
    const source = { ...project["source"] };
    if (typeof request["buildspecOverride"] === "string") source["buildspec"] = request["buildspecOverride"];
    if (typeof request["sourceTypeOverride"] === "string") source["type"] = request["sourceTypeOverride"];
    if (typeof request["sourceLocationOverride"] === "string") source["location"] = request["sourceLocationOverride"];
    snapshot["source"] = source;
  }
  const sourceVersion = stringOf(request["sourceVersion"]) ?? stringOf(project["sourceVersion"]);
  if (sourceVersion !== undefined) snapshot["sourceVersion"] = sourceVersion;
  const serviceRole = stringOf(request["serviceRoleOverride"]) ?? stringOf(project["serviceRole"]);
  if (serviceRole !== undefined) snapshot["serviceRole"] = serviceRole;
  const timeout = request["timeoutInMinutesOverride"] ?? project["timeoutInMinutes"];
  if (typeof timeout === "number") snapshot["timeoutInMinutes"] = timeout;
  const queued = request["queuedTimeoutInMinutesOverride"] ?? project["queuedTimeoutInMinutes"];
  if (typeof queued === "number") snapshot["queuedTimeoutInMinutes"] = queued;
  if (isRecord(project["cache"])) snapshot["cache"] = request["cacheOverride"] ?? project["cache"];
  if (typeof project["encryptionKey"] === "string") snapshot["encryptionKey"] = request["encryptionKeyOverride"] ?? project["encryptionKey"];
  return snapshot;
}

/** A CreateProject request moto accepts; the proxy shows the original fields back (see renderProject). */
function forMoto(request: Record<string, unknown>): Record<string, unknown> {
  const sanitised: Record<string, unknown> = { ...request };
  delete sanitised["badgeEnabled"];
  const source = request["source"];
  if (isRecord(source)) {
    const copy = { ...source };
    // AWS needs no location for these two; moto insists on one.
    const locationless = copy["type"] === "NO_SOURCE" || copy["type"] === "CODEPIPELINE";
    if (locationless && (typeof copy["location"] !== "string" || copy["location"] === "")) copy["location"] = NO_LOCATION;
    if (typeof copy["type"] === "string" && AWS_ONLY_SOURCE_TYPES.has(copy["type"])) copy["type"] = "GITHUB";
    sanitised["source"] = copy;
  }
  const environment = request["environment"];
  if (isRecord(environment)) {
    const copy = { ...environment };
    const type = copy["type"];
    if (typeof type === "string" && AWS_ONLY_ENVIRONMENT_TYPES.has(type) && !MOTO_ENVIRONMENT_TYPES.has(type)) {
      copy["type"] = type.startsWith("ARM") ? "ARM_CONTAINER" : "LINUX_CONTAINER";
    }
    if (typeof copy["computeType"] === "string" && AWS_ONLY_COMPUTE.test(copy["computeType"])) {
      copy["computeType"] = "BUILD_GENERAL1_SMALL";
    }
    sanitised["environment"] = copy;
  }
  return sanitised;
}

function pickFields(source: Record<string, unknown>): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const field of PROJECT_FIELDS) {
    if (source[field] !== undefined) picked[field] = source[field];
  }
  return picked;
}

function fingerprint(request: Record<string, unknown>): string {
  const { idempotencyToken: _token, ...rest } = request;
  return JSON.stringify(rest, Object.keys(rest).sort());
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString("base64url");
}

function decodeToken(token: string): number | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    const offset = isRecord(parsed) ? parsed["offset"] : undefined;
    return typeof offset === "number" && Number.isInteger(offset) && offset >= 0 ? offset : undefined;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text === "" ? "{}" : text);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function stringOf(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function jsonBuffer(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), "utf8");
}

function jsonUpstream(status: number, value: unknown): Upstream {
  return {
    status,
    headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": randomUUID() },
    body: jsonBuffer(value),
  };
}

/** moto's error for a call the proxy made itself, with the header the SDK reads the code from. */
function motoError(status: number, json: unknown): Upstream {
  const type = isRecord(json) ? stringOf(json["__type"]) : undefined;
  const upstream = jsonUpstream(status >= 400 ? status : 500, json ?? { __type: "InternalFailure", message: "moto failed" });
  if (type !== undefined) upstream.headers["x-amzn-errortype"] = type;
  return upstream;
}

function codebuildError(code: string, message: string): ErrorResponse {
  return awsError("codebuild", { json: code, query: code }, message, { json: 400, query: 400 });
}

function errorUpstream(error: ErrorResponse): Upstream {
  return { status: error.status, headers: error.headers, body: Buffer.from(error.body, "utf8") };
}
