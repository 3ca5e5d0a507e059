/** AWS's own service models (botocore's JSON, installed with moto's Python), to hold requests to AWS's contract, not moto's. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

export interface ModelShape {
  type: string;
  required?: string[];
  members?: Record<string, { shape: string }>;
  enum?: string[];
  min?: number;
  max?: number;
  pattern?: string;
}

/** `service`/`version` as botocore's data folder names them, e.g. ("events", "2015-10-07"); the file may be gzipped. */
export function serviceModel(service: string, version: string): { shapes: Record<string, ModelShape> } {
  const botocore = execFileSync("python3", ["-c", "import botocore,os;print(os.path.dirname(botocore.__file__))"], { encoding: "utf8" }).trim();
  const base = join(botocore, "data", service, version, "service-2.json");
  let text: string;
  try {
    text = readFileSync(base, "utf8");
  } catch {
    text = gunzipSync(readFileSync(`${base}.gz`)).toString("utf8");
  }
  return JSON.parse(text) as { shapes: Record<string, ModelShape> };
}
