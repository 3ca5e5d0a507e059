/**
 * The IAM policy grammar, the sizes IAM enforces, and the grants that let a job escalate its own privileges.
 * Checked before any AWS call, so a bad policy never fails half-way through an apply.
 */
import { ECR_IMAGE, type PolicyDocument, type PolicyStatement, type ResolvedSettings } from "./types.js";

export type PolicyCheck = { ok: true; value: PolicyDocument } | { ok: false; problem: string };

/** IAM's limits, not counting white space (IAM User Guide, "IAM and AWS STS quotas"). */
export const MANAGED_POLICY_MAX = 6144;
export const ROLE_INLINE_POLICIES_MAX = 10240;

const TOP_KEYS = ["Version", "Id", "Statement"] as const;
const STATEMENT_KEYS = ["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition", "Principal", "NotPrincipal"] as const;
// IAM compares service prefixes case-insensitively: S3:GetObject is s3:GetObject.
const ACTION = /^(\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+)$/;
const CONDITION_OPERATORS = [
  "StringEquals",
  "StringNotEquals",
  "StringEqualsIgnoreCase",
  "StringNotEqualsIgnoreCase",
  "StringLike",
  "StringNotLike",
  "NumericEquals",
  "NumericNotEquals",
  "NumericLessThan",
  "NumericLessThanEquals",
  "NumericGreaterThan",
  "NumericGreaterThanEquals",
  "DateEquals",
  "DateNotEquals",
  "DateLessThan",
  "DateLessThanEquals",
  "DateGreaterThan",
  "DateGreaterThanEquals",
  "Bool",
  "BinaryEquals",
  "IpAddress",
  "NotIpAddress",
  "ArnEquals",
  "ArnLike",
  "ArnNotEquals",
  "ArnNotLike",
  "Null",
];

/** Characters IAM counts against a policy's size: white space is free. */
export function policySize(doc: unknown): number {
  return JSON.stringify(doc).replace(/\s/g, "").length;
}

/** Pure: a parsed JSON value → an identity policy document, or the first problem (naming the statement and key). */
export function checkPolicyDocument(doc: unknown, path: string): PolicyCheck {
  const bad = (problem: string): PolicyCheck => ({ ok: false, problem: `${path}${problem}` });
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return bad(" is not an IAM policy document");
  const record = doc as Record<string, unknown>;
  if (record.Version !== "2012-10-17") return bad(`: "Version" must be "2012-10-17"`);
  for (const key of Object.keys(record)) if (!(TOP_KEYS as readonly string[]).includes(key)) return bad(`: unknown key "${key}"${suggest(key, TOP_KEYS)}`);
  if (record.Id !== undefined && typeof record.Id !== "string") return bad(`: "Id" must be a string`);
  const statements = Array.isArray(record.Statement) ? record.Statement : record.Statement ? [record.Statement] : [];
  if (statements.length === 0) return bad(` has no "Statement"`);
  const out: PolicyStatement[] = [];
  const sids = new Set<string>();
  for (const [i, s] of statements.entries()) {
    const label = `statement ${i + 1}`;
    if (typeof s !== "object" || s === null || Array.isArray(s)) return bad(`: ${label} is not an object`);
    const st = s as Record<string, unknown>;
    const where = `: ${label}${typeof st.Sid === "string" && st.Sid ? ` ("${st.Sid}")` : ""}`;
    for (const key of Object.keys(st))
      if (!(STATEMENT_KEYS as readonly string[]).includes(key)) return bad(`${where}: unknown key "${key}"${suggest(key, STATEMENT_KEYS)}`);
    if ("Principal" in st || "NotPrincipal" in st) return bad(`${where} has a Principal: this is a resource policy, the job needs an identity policy`);
    if (st.Sid !== undefined) {
      // IAM accepts only ASCII letters and digits in an identity policy's Sid, and each once.
      if (typeof st.Sid !== "string" || !/^[A-Za-z0-9]*$/.test(st.Sid)) return bad(`${where}: "Sid" may hold only letters and digits`);
      if (st.Sid && sids.has(st.Sid)) return bad(`${where}: "Sid" "${st.Sid}" is used twice`);
      sids.add(st.Sid);
    }
    if (st.Effect !== "Allow" && st.Effect !== "Deny") return bad(`${where}: "Effect" must be "Allow" or "Deny"`);
    const actions = exactlyOne(st, "Action", "NotAction");
    if (typeof actions === "string") return bad(`${where}${actions}`);
    const resources = exactlyOne(st, "Resource", "NotResource");
    if (typeof resources === "string") return bad(`${where}${resources}`);
    for (const a of actions.values)
      if (typeof a !== "string" || !ACTION.test(a)) return bad(`${where}: "${String(a)}" in "${actions.key}" is not an action like s3:GetObject`);
    for (const r of resources.values)
      if (typeof r !== "string" || !(r === "*" || (r.startsWith("arn:") && r.split(":").length >= 6)))
        return bad(`${where}: "${String(r)}" in "${resources.key}" is not a resource ARN`);
    if (st.Condition !== undefined) {
      const problem = conditionProblem(st.Condition);
      if (problem) return bad(`${where}: "Condition" ${problem}`);
    }
    out.push(st as unknown as PolicyStatement);
  }
  const document: PolicyDocument = { Version: "2012-10-17", Statement: out };
  const size = policySize(document);
  if (size > MANAGED_POLICY_MAX)
    return bad(
      ` is ${size.toLocaleString("en-US")} characters (white space not counted); IAM allows ${MANAGED_POLICY_MAX.toLocaleString("en-US")} in a managed policy`,
    );
  return { ok: true, value: document };
}

function exactlyOne(st: Record<string, unknown>, key: string, notKey: string): { key: string; values: unknown[] } | string {
  if (key in st && notKey in st) return `: has both "${key}" and "${notKey}"; keep one`;
  const which = key in st ? key : notKey in st ? notKey : undefined;
  if (!which) return ` has no "${key}"`;
  const value = st[which];
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0) return `: "${which}" is empty`;
  return { key: which, values };
}

function conditionProblem(condition: unknown): string | undefined {
  if (typeof condition !== "object" || condition === null || Array.isArray(condition))
    return 'must be an object like {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}';
  const entries = Object.entries(condition as Record<string, unknown>);
  if (entries.length === 0) return "is empty";
  for (const [operator, block] of entries) {
    const bare = operator.replace(/^(ForAllValues|ForAnyValue):/, "").replace(/IfExists$/, "");
    if (!CONDITION_OPERATORS.includes(bare) || (bare === "Null" && operator.endsWith("IfExists")))
      return `has an unknown operator "${operator}"${suggest(bare, CONDITION_OPERATORS)}`;
    if (typeof block !== "object" || block === null || Array.isArray(block)) return `"${operator}" must map condition keys to values`;
    const keys = Object.entries(block as Record<string, unknown>);
    if (keys.length === 0) return `"${operator}" is empty`;
    for (const [key, value] of keys) {
      if (!/^[A-Za-z0-9-]+:[^\s]+$/.test(key)) return `"${operator}": "${key}" is not a condition key like aws:SourceIp`;
      const values = Array.isArray(value) ? value : [value];
      if (values.length === 0) return `"${operator}": "${key}" has no value`;
      if (values.some((v) => !["string", "number", "boolean"].includes(typeof v)))
        return `"${operator}": "${key}" must be a string, number, boolean or a list of them`;
    }
  }
  return undefined;
}

/** "(did you mean "Condition"?)" for a key one or two edits away from a known one. */
function suggest(key: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best ? ` (did you mean "${best}"?)` : "";
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const here = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = here;
    }
  }
  return row[b.length]!;
}

// ---------------------------------------------------------------------------------------------------

/** A grant that gives the job more than its own work: accepted only after a warning and an explicit yes. */
export interface DangerousGrant {
  /** "statement 2 ("Admin")" or the policy ARN. */
  where: string;
  /** What it allows and why that is dangerous, in one sentence. */
  why: string;
}

/** Actions that let whoever holds them raise their own privileges (Rhino Security Labs' IAM escalation paths). */
const ESCALATION: { actions: string[]; why: string }[] = [
  {
    actions: [
      "iam:CreatePolicyVersion",
      "iam:SetDefaultPolicyVersion",
      "iam:AttachUserPolicy",
      "iam:AttachGroupPolicy",
      "iam:AttachRolePolicy",
      "iam:PutUserPolicy",
      "iam:PutGroupPolicy",
      "iam:PutRolePolicy",
      "iam:AddUserToGroup",
    ],
    why: "lets the job grant itself (or any user or role) any permission",
  },
  {
    actions: ["iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"],
    why: "lets the job create credentials for another user and act as them",
  },
  { actions: ["iam:UpdateAssumeRolePolicy"], why: "lets the job make any role trust it, then act as that role" },
  {
    actions: ["iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary", "iam:PutRolePermissionsBoundary", "iam:PutUserPermissionsBoundary"],
    why: "lets the job lift the permissions boundary that limits a role or user",
  },
  { actions: ["lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration"], why: "lets the job run its own code with another function's role" },
  { actions: ["codebuild:UpdateProject", "codebuild:CreateProject"], why: "lets the job run its own commands with any project's service role" },
];

/** Grants the README promises a warning for: `*` on `*`, IAM escalation actions, PassRole or AssumeRole on every role. */
export function dangerousGrants(document: PolicyDocument | undefined, policyArns: readonly string[]): DangerousGrant[] {
  const found: DangerousGrant[] = [];
  for (const [i, st] of (document?.Statement ?? []).entries()) {
    if (st.Effect !== "Allow") continue;
    const where = `statement ${i + 1}${st.Sid ? ` ("${st.Sid}")` : ""}`;
    const resources = list(st.Resource);
    const everyResource = resources.includes("*") || st.NotResource !== undefined;
    // NotAction with Allow grants every action but the listed ones: as broad as "*".
    const actions = st.NotAction !== undefined ? ["*"] : list(st.Action);
    if (actions.includes("*") && everyResource) {
      found.push({ where, why: "allows every action on every resource" });
      continue;
    }
    if (actions.some((a) => a.toLowerCase() === "iam:*")) {
      found.push({ where, why: "allows iam:*, which lets the job give itself any permission in the account" });
      continue;
    }
    const allows = (action: string) => actions.some((pattern) => glob(pattern).test(action));
    const everyRole = st.NotResource !== undefined || resources.some((r) => r === "*" || /:iam::[^:]*:\*$/.test(r) || /:role\/(?:[^*]*\/)?\*$/.test(r));
    if (everyRole && allows("iam:PassRole"))
      found.push({
        where,
        why: "allows iam:PassRole on every role, which lets the job hand any role (an administrator's too) to a service it starts and act with it",
      });
    if (everyRole && allows("sts:AssumeRole"))
      found.push({ where, why: "allows sts:AssumeRole on every role, which lets the job become any role that trusts the account" });
    for (const group of ESCALATION) {
      const hit = group.actions.filter(allows);
      if (hit.length) found.push({ where, why: `allows ${hit.join(", ")}, which ${group.why}` });
    }
  }
  for (const arn of policyArns) {
    if (/:policy\/(AdministratorAccess|PowerUserAccess|IAMFullAccess)$/.test(arn)) found.push({ where: arn, why: "grants near-administrator access" });
  }
  return found;
}

/** An IAM action pattern (`*` any run, `?` one character; case-insensitive) as a regular expression. */
function glob(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  );
}

function list(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Where the job's ARNs point (desired/names.ts's Where, by shape: settings do not depend on the desired state). */
interface Place {
  account: string;
  region: string;
  partition: string;
}

/**
 * The CodeBuild service role's inline policy: its own log group, and what the settings reference (parameters,
 * secrets, a CodeCommit repository, an ECR image). Here, not in desired/, because validation checks its size.
 */
export function serviceRoleStatements(
  settings: Pick<ResolvedSettings, "name" | "env" | "repository" | "image" | "cache" | "vpc">,
  where: Place,
  logGroupArn: string,
): PolicyStatement[] {
  const { account, partition } = where;
  const statements: PolicyStatement[] = [
    {
      Sid: "WriteOwnBuildLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: [logGroupArn, `${logGroupArn}:*`],
    },
  ];
  // One statement per kind of reference the variables make, only when there is one.
  const reads = (Sid: string, Action: string, Resource: string[]): PolicyStatement[] =>
    Resource.length ? [{ Sid, Effect: "Allow", Action: [Action], Resource }] : [];
  const ofType = (type: string) => settings.env.filter((e) => e.type === type).map((e) => e.value);
  statements.push(
    ...reads(
      "ReadOwnParameters",
      "ssm:GetParameters",
      ofType("PARAMETER_STORE").map((name) => parameterArn(name, where)),
    ),
    ...reads("ReadOwnSecrets", "secretsmanager:GetSecretValue", [...new Set(ofType("SECRETS_MANAGER").map((ref) => secretArn(ref, where)))]),
  );
  const codecommit = /^https:\/\/git-codecommit\.([a-z0-9-]+)\.amazonaws\.com\/v1\/repos\/(.+)$/.exec(settings.repository);
  if (codecommit)
    statements.push({
      Sid: "CloneOwnRepository",
      Effect: "Allow",
      Action: ["codecommit:GitPull"],
      Resource: [`arn:${partition}:codecommit:${codecommit[1]}:${account}:${codecommit[2]}`],
    });
  const ecr = ECR_IMAGE.exec(settings.image);
  if (ecr) {
    // GetAuthorizationToken has no resource-level permissions: AWS requires "*" for it.
    statements.push({ Sid: "EcrLogin", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: ["*"] });
    statements.push({
      Sid: "PullOwnImage",
      Effect: "Allow",
      Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
      Resource: [`arn:${partition}:ecr:${ecr[2]}:${ecr[1]}:repository/${ecr[3]}`],
    });
  }
  // A buildspec `reports:` section: CodeBuild creates report groups named <project>-<report> through the role.
  statements.push({
    Sid: "WriteOwnTestReports",
    Effect: "Allow",
    Action: [
      "codebuild:CreateReportGroup",
      "codebuild:CreateReport",
      "codebuild:UpdateReport",
      "codebuild:BatchPutTestCases",
      "codebuild:BatchPutCodeCoverages",
    ],
    Resource: [`arn:${partition}:codebuild:${where.region}:${account}:report-group/${settings.name}-*`],
  });
  if (settings.cache)
    statements.push(
      {
        Sid: "ReadWriteOwnCache",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject"],
        Resource: [`arn:${partition}:s3:::${settings.cache.bucket}/${settings.cache.prefix}/*`],
      },
      { Sid: "LocateCacheBucket", Effect: "Allow", Action: ["s3:GetBucketLocation"], Resource: [`arn:${partition}:s3:::${settings.cache.bucket}`] },
    );
  if (settings.vpc) statements.push(...vpcStatements(settings.vpc.subnets, where));
  return statements;
}

/**
 * What CodeBuild needs to run in a VPC (CodeBuild user guide, "Allow CodeBuild access to AWS services required to
 * create a VPC network interface"): the Describe calls and the ENI create/delete have no resource scope, so `*`;
 * the permission to attach an interface is limited to CodeBuild and to exactly the job's subnets.
 */
function vpcStatements(subnets: readonly string[], { account, region, partition }: Place): PolicyStatement[] {
  return [
    {
      Sid: "ManageBuildNetworkInterfaces",
      Effect: "Allow",
      Action: [
        "ec2:CreateNetworkInterface",
        "ec2:DescribeDhcpOptions",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DeleteNetworkInterface",
        "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeVpcs",
      ],
      Resource: ["*"],
    },
    {
      Sid: "AttachBuildNetworkInterfacesInOwnSubnets",
      Effect: "Allow",
      Action: ["ec2:CreateNetworkInterfacePermission"],
      Resource: [`arn:${partition}:ec2:${region}:${account}:network-interface/*`],
      Condition: {
        StringEquals: {
          "ec2:AuthorizedService": "codebuild.amazonaws.com",
          "ec2:Subnet": subnets.map((s) => `arn:${partition}:ec2:${region}:${account}:subnet/${s}`),
        },
      },
    },
  ];
}

function parameterArn(name: string, { account, region, partition }: Place): string {
  if (name.startsWith("arn:")) return name;
  return `arn:${partition}:ssm:${region}:${account}:parameter${name.startsWith("/") ? "" : "/"}${name}`;
}

/** A secret reference is secret-id[:json-key[:stage[:version]]]; the ARN of a named secret ends in a random suffix. */
export function secretArn(ref: string, { account, region, partition }: Place): string {
  if (ref.startsWith("arn:")) return ref.split(":").slice(0, 7).join(":");
  const id = ref.split(":")[0] ?? ref;
  return `arn:${partition}:secretsmanager:${region}:${account}:secret:${id}-??????`;
}
