/**
 * A tiny JSON Schema (draft-07) checker for the keywords schema/support-job.schema.json uses: type, properties,
 * required, additionalProperties, propertyNames, items, enum, const, pattern and local $ref. Not a general
 * validator: a keyword it does not know is an error, so the schema cannot grow past what this checks.
 */
type Schema = Record<string, unknown>;

const KNOWN = new Set([
  "$schema",
  "$id",
  "title",
  "description",
  "type",
  "properties",
  "required",
  "additionalProperties",
  "propertyNames",
  "items",
  "enum",
  "const",
  "pattern",
  "$ref",
  "definitions",
]);

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/** The problems of `value` against `schema` (empty: valid), each with the JSON path it is at. */
export function validate(schema: Schema, value: unknown, root: Schema = schema, path = "$"): string[] {
  for (const key of Object.keys(schema)) if (!KNOWN.has(key)) throw new Error(`json-schema.ts does not know the keyword ${key}`);
  if (typeof schema.$ref === "string") {
    const target = schema.$ref
      .replace(/^#\//, "")
      .split("/")
      .reduce<unknown>((node, part) => (node as Schema)[part], root);
    return validate(target as Schema, value, root, path);
  }
  const problems: string[] = [];
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    const actual = typeOf(value);
    if (!types.includes(actual) && !(actual === "integer" && types.includes("number"))) return [`${path}: is ${actual}, not ${types.join(" or ")}`];
  }
  if (schema.const !== undefined && JSON.stringify(schema.const) !== JSON.stringify(value)) problems.push(`${path}: must be ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value)))
    problems.push(`${path}: ${JSON.stringify(value)} is not one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}`);
  if (typeof schema.pattern === "string" && typeof value === "string" && !new RegExp(schema.pattern, "u").test(value))
    problems.push(`${path}: "${value}" does not match ${schema.pattern}`);
  if (Array.isArray(value) && schema.items) value.forEach((item, i) => problems.push(...validate(schema.items as Schema, item, root, `${path}[${i}]`)));
  if (typeOf(value) === "object") {
    const record = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[]) if (!(key in record)) problems.push(`${path}: ${key} is required`);
    for (const [key, item] of Object.entries(record)) {
      if (schema.propertyNames) problems.push(...validate(schema.propertyNames as Schema, key, root, `${path} key "${key}"`));
      if (properties[key]) problems.push(...validate(properties[key], item, root, `${path}.${key}`));
      else if (schema.additionalProperties === false) problems.push(`${path}: ${key} is not allowed`);
      else if (typeof schema.additionalProperties === "object") problems.push(...validate(schema.additionalProperties as Schema, item, root, `${path}.${key}`));
    }
  }
  return problems;
}
