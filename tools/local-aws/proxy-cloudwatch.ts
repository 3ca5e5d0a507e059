// CloudWatch as AWS answers it where moto 5.2.1 does not: EnableAlarmActions and DisableAlarmActions raise
// NotImplementedError there (HTTP 500). The proxy reads the alarm and puts it back with ActionsEnabled flipped,
// which is all that support-job (pause/resume) and its tests observe. PutMetricAlarm in moto keeps the tags.
import type { MotoJsonCall, Upstream } from "./proxy-codebuild.js";

const TARGET = "GraniteServiceVersion20100801";

/** The PutMetricAlarm fields of a metric alarm as DescribeAlarms returns it. */
const PUT_FIELDS = [
  "AlarmName",
  "AlarmDescription",
  "OKActions",
  "AlarmActions",
  "InsufficientDataActions",
  "MetricName",
  "Namespace",
  "Statistic",
  "ExtendedStatistic",
  "Dimensions",
  "Period",
  "Unit",
  "EvaluationPeriods",
  "DatapointsToAlarm",
  "Threshold",
  "ComparisonOperator",
  "TreatMissingData",
  "EvaluateLowSampleCountPercentile",
] as const;

export async function handleCloudWatch(action: string, body: Buffer, moto: MotoJsonCall): Promise<Upstream | undefined> {
  if (action !== "EnableAlarmActions" && action !== "DisableAlarmActions") return undefined;
  let request: { AlarmNames?: unknown };
  try {
    request = JSON.parse(body.toString("utf8")) as { AlarmNames?: unknown };
  } catch {
    return undefined;
  }
  const names = Array.isArray(request.AlarmNames) ? request.AlarmNames.filter((n): n is string => typeof n === "string") : [];
  const described = await moto("monitoring", `${TARGET}.DescribeAlarms`, { AlarmNames: names });
  const alarms = (described.json as { MetricAlarms?: Record<string, unknown>[] } | undefined)?.MetricAlarms ?? [];
  for (const alarm of alarms) {
    const put: Record<string, unknown> = { ActionsEnabled: action === "EnableAlarmActions" };
    for (const field of PUT_FIELDS) if (alarm[field] !== undefined && alarm[field] !== null) put[field] = alarm[field];
    await moto("monitoring", `${TARGET}.PutMetricAlarm`, put);
  }
  const body200 = Buffer.from("{}", "utf8");
  return { status: 200, headers: { "content-type": "application/x-amz-json-1.0", "content-length": String(body200.length) }, body: body200 };
}
