"""Print 'LABEL: N passed, N failed, N skipped' for a subunit v2 stream."""

import sys

import subunit
import testtools


def main():
    label = sys.argv[1] if len(sys.argv) > 1 else 'tests'
    summary = testtools.StreamSummary()
    summary.startTestRun()
    subunit.ByteStreamToStreamResult(
        sys.stdin.buffer, non_subunit_name='stdout'
    ).run(summary)
    summary.stopTestRun()
    failed = len(summary.errors) + len(summary.failures)
    skipped = len(summary.skipped)
    passed = summary.testsRun - failed - skipped
    print(f'{label}: {passed} passed, {failed} failed, {skipped} skipped')


if __name__ == '__main__':
    main()
