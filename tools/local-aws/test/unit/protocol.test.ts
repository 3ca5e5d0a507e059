// The proxy's pure parts: naming calls, classifying them, fault answers and build phases.
import { describe, expect, it } from "vitest";
import { identifyCall, isWrite, schedulerAction } from "../../aws-protocol.js";
import { phasesFor } from "../../codebuild-builds.js";
import { FaultRules, faultOutcome, seededRandom } from "../../faults.js";

const auth = (service: string): string => `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=abc`;

describe("identifyCall", () => {
  it("reads the service from the credential scope and the action from X-Amz-Target", () => {
    const call = identifyCall("POST", "/", { authorization: auth("codebuild"), "x-amz-target": "CodeBuild_20161006.StartBuild" }, Buffer.from("{}"));
    expect(call).toEqual({ service: "codebuild", action: "StartBuild", region: "us-east-1" });
  });

  it("reads query-protocol actions from the form body", () => {
    const call = identifyCall("POST", "/", { authorization: auth("iam") }, Buffer.from("Action=CreateRole&Version=2010-05-08"));
    expect(call.action).toBe("CreateRole");
    expect(call.service).toBe("iam");
  });

  it("names Scheduler's REST operations from method and path", () => {
    expect(schedulerAction("POST", "/schedules/nightly")).toBe("CreateSchedule");
    expect(schedulerAction("GET", "/schedules/nightly")).toBe("GetSchedule");
    expect(schedulerAction("PUT", "/schedules/nightly")).toBe("UpdateSchedule");
    expect(schedulerAction("DELETE", "/schedules/nightly")).toBe("DeleteSchedule");
    expect(schedulerAction("GET", "/schedules")).toBe("ListSchedules");
    expect(schedulerAction("POST", "/schedule-groups/jobs")).toBe("CreateScheduleGroup");
    expect(schedulerAction("GET", "/schedule-groups")).toBe("ListScheduleGroups");
    expect(schedulerAction("GET", "/tags/arn%3Aaws%3Ascheduler")).toBe("ListTagsForResource");
    expect(schedulerAction("POST", "/tags/arn%3Aaws%3Ascheduler")).toBe("TagResource");
    expect(schedulerAction("DELETE", "/tags/arn%3Aaws%3Ascheduler")).toBe("UntagResource");
    const viaHeaders = identifyCall("GET", "/schedules/nightly?groupName=default", { authorization: auth("scheduler") }, Buffer.alloc(0));
    expect(viaHeaders.action).toBe("GetSchedule");
  });

  it("counts reads by prefix and everything else as a write", () => {
    for (const read of ["GetRole", "ListTargetsByRule", "DescribeRule", "BatchGetBuilds", "GetCallerIdentity", "FilterLogEvents"]) {
      expect(isWrite(read), read).toBe(false);
    }
    for (const write of ["PutRule", "StartBuild", "AssumeRole", "Subscribe", "SetTopicAttributes", "RemoveTargets", "TagResource"]) {
      expect(isWrite(write), write).toBe(true);
    }
  });
});

describe("fault rules", () => {
  it("fail the given number of matching calls, first matching rule first", () => {
    const rules = new FaultRules(seededRandom(1));
    rules.add({ service: "iam", action: /^Create/, times: 2, fault: "throttle" });
    expect(rules.match("iam", "GetRole")).toBeUndefined();
    expect(rules.match("codebuild", "CreateProject")).toBeUndefined();
    expect(rules.match("iam", "CreateRole")).toBe("throttle");
    expect(rules.match("iam", "CreatePolicy")).toBe("throttle");
    expect(rules.match("iam", "CreateRole")).toBeUndefined();
  });

  it("replay the same failures for the same seed", () => {
    const run = (seed: number): boolean[] => {
      const rules = new FaultRules(seededRandom(seed));
      rules.add({ probability: 0.3, fault: "http503" });
      return Array.from({ length: 40 }, () => rules.match("events", "PutRule") !== undefined);
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
    const failures = run(7).filter(Boolean).length;
    expect(failures).toBeGreaterThan(3);
    expect(failures).toBeLessThan(25);
  });

  it("answer throttling in each protocol's own spelling", () => {
    const json = faultOutcome("throttle", { service: "events", action: "PutRule", region: "us-east-1", body: Buffer.from("{}"), path: "/" });
    expect(json).toMatchObject({
      kind: "respond",
      response: { status: 400, headers: { "x-amzn-errortype": "ThrottlingException" } },
    });
    const query = faultOutcome("throttle", { service: "sns", action: "CreateTopic", region: "us-east-1", body: Buffer.from("Action=CreateTopic"), path: "/" });
    expect(query.kind === "respond" && query.response.body).toContain("<Code>Throttling</Code>");
    expect(query.kind === "respond" && query.response.body).toContain("<Type>Sender</Type>");
  });
});

describe("build phases", () => {
  it("stop at the phase in progress", () => {
    const { currentPhase, phases } = phasesFor({ status: "IN_PROGRESS", phase: "INSTALL" });
    expect(currentPhase).toBe("INSTALL");
    expect(phases.map((phase) => phase.phaseType)).toEqual(["SUBMITTED", "QUEUED", "PROVISIONING", "DOWNLOAD_SOURCE", "INSTALL"]);
    expect(phases.at(-1)?.phaseStatus).toBeUndefined();
  });

  it("put the failure reason on the failed phase and finish the build", () => {
    const { currentPhase, phases } = phasesFor({
      status: "FAILED",
      failedPhase: "PRE_BUILD",
      reason: { statusCode: "COMMAND_EXECUTION_ERROR", message: "exit status 2" },
    });
    expect(currentPhase).toBe("COMPLETED");
    const failed = phases.find((phase) => phase.phaseStatus === "FAILED");
    expect(failed).toEqual({
      phaseType: "PRE_BUILD",
      phaseStatus: "FAILED",
      contexts: [{ statusCode: "COMMAND_EXECUTION_ERROR", message: "exit status 2" }],
    });
    expect(phases.map((phase) => phase.phaseType).slice(-2)).toEqual(["FINALIZING", "COMPLETED"]);
  });
});
