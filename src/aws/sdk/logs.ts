export { CloudWatchLogsClient as Client } from "@aws-sdk/client-cloudwatch-logs";
