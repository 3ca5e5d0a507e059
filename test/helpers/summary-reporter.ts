/**
 * Ends a test run with the plain closing line CI tools read: "Tests: N passed, N failed[, N skipped]", preceded by
 * one line per file and reason for tests that were skipped with a reason, so such a skip (a missing tmux) is never silent.
 */
import type { Reporter, TestModule } from "vitest/node";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    /** "file: reason" → how many tests it skipped. */
    const whySkipped = new Map<string, number>();
    for (const module of testModules)
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state === "passed") passed++;
        else if (result.state === "failed") failed++;
        else {
          skipped++;
          // Only a skip that gave its reason (context.skip(condition, note)); a -t filter skips the rest too.
          if (result.state !== "skipped" || result.note === undefined) continue;
          const key = `${module.relativeModuleId}: ${result.note}`;
          whySkipped.set(key, (whySkipped.get(key) ?? 0) + 1);
        }
      }
    let text = "\n";
    for (const [key, count] of whySkipped) text += `Skipped ${count} test${count === 1 ? "" : "s"} in ${key}\n`;
    process.stdout.write(`${text}${whySkipped.size ? "\n" : ""}Tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}\n`);
  }
}
