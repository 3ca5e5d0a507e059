export { CodeBuildClient as Client } from "@aws-sdk/client-codebuild";
