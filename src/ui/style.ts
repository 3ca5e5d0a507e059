/** Colours through chalk, off when NO_COLOR is set, --no-color is passed, or output is not a terminal. */
import { Chalk } from "chalk";

let chalk = new Chalk();

export function setColor(enabled: boolean): void {
  chalk = new Chalk({ level: enabled ? (Math.max(chalk.level, 1) as 1 | 2 | 3) : 0 });
}

export function colorAllowed(stream: NodeJS.WriteStream, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  if ("NO_COLOR" in process.env && process.env.NO_COLOR !== "") return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== "0") return true;
  return Boolean(stream.isTTY);
}

export const paint = {
  green: (s: string) => chalk.green(s),
  red: (s: string) => chalk.red(s),
  yellow: (s: string) => chalk.yellow(s),
  cyan: (s: string) => chalk.cyan(s),
  dim: (s: string) => chalk.dim(s),
  bold: (s: string) => chalk.bold(s),
};
