import type { ReadResource, Resource } from "./types.js";
import { tryRoleResource } from "./try-role.js";
import { CHAT_ROLE_POLICY, SCHEDULE_ROLE_POLICY, SERVICE_ROLE_POLICY } from "../desired/job.js";
import { chatResource, hasChatSigns } from "./chat.js";
import { jobPolicyResource } from "./job-policy.js";
import { legacyIamResource } from "./legacy.js";
import { logGroupResource } from "./log-group.js";
import { missedRunAlarmResource } from "./alarm.js";
import { alarmChatRuleResource } from "./alarm-chat-rule.js";
import { startRefusedAlarmResource } from "./start-refused-alarm.js";
import { projectResource } from "./project.js";
import { roleResource } from "./role.js";
import { alertRuleResource, scheduleRuleResource } from "./rule.js";
import { scheduleGroupResource, scheduleResource } from "./scheduler.js";
import { alertSubscriptionResource, alertTopicResource } from "./topic.js";

export const serviceRoleResource = roleResource("serviceRole", "CodeBuild service role", SERVICE_ROLE_POLICY);
const scheduleRoleResource = roleResource("scheduleRole", "schedule role", SCHEDULE_ROLE_POLICY, "scheduleRule");
const schedulerRoleResource = roleResource("schedulerRole", "scheduler role", SCHEDULE_ROLE_POLICY, "schedule");
/** Removed once the chat webhooks' targets are gone (the last --alert-webhook was dropped); read only for a job with signs of them. */
const chatRoleResource = roleResource("chatRole", "chat webhooks role", CHAT_ROLE_POLICY, "chatWebhooks", hasChatSigns);

/** Every resource of a job, in the order the plan lists them (apply order comes from each step's `after`). */
export const RESOURCES: readonly Resource<unknown>[] = [
  serviceRoleResource,
  jobPolicyResource,
  projectResource,
  logGroupResource,
  scheduleRoleResource,
  scheduleRuleResource,
  schedulerRoleResource,
  scheduleGroupResource,
  scheduleResource,
  alertTopicResource,
  alertSubscriptionResource,
  alertRuleResource,
  missedRunAlarmResource,
  startRefusedAlarmResource,
  chatRoleResource,
  chatResource,
  alarmChatRuleResource,
  legacyIamResource,
] as Resource<unknown>[];

/** What every command reads about a job: the planned resources and the try role. */
export const READS: readonly ReadResource<unknown>[] = [...RESOURCES, tryRoleResource as ReadResource<unknown>];
