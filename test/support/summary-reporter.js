/**
 * Jest reporter that ends the run with one plain line, `jest: N passed, N failed, N skipped`, which
 * CI systems that do not know Jest's own summary can read.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `jest: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`;
    // at exit, so it comes after Jest's own summary
    process.once('exit', () => process.stderr.write(line));
  }
}
module.exports = SummaryReporter;
