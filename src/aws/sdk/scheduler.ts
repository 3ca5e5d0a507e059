export { SchedulerClient as Client } from "@aws-sdk/client-scheduler";
