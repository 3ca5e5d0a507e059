export { CloudWatchClient as Client } from "@aws-sdk/client-cloudwatch";
