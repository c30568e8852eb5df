"""Runs the unittest tests of one module and writes their outcomes as JSON.

usage: runtests.py MODULE RESULTS_JSON

MODULE is a file name in this directory without ".py". The JSON is a list of
{"name", "outcome", "details", "seconds"} objects, one a test method, in the
order they ran; outcome is "ok", "fail" or "skip". A skip is a failure to the
Go side, which reports it. The log of the run goes to stderr.
"""

import json
import os
import sys
import time
import unittest


class Recorder(unittest.TextTestResult):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.records = {}

    def record(self, test):
        test = getattr(test, "test_case", test)  # a subtest's parent
        name = getattr(test, "_testMethodName", None) or str(test)
        if name not in self.records:
            self.records[name] = {"name": name, "outcome": "ok", "details": [], "seconds": 0.0}
        return self.records[name]

    def note(self, test, outcome, text):
        rec = self.record(test)
        if outcome == "fail" or rec["outcome"] == "ok":
            rec["outcome"] = outcome
        label = str(test) if test is not getattr(test, "test_case", test) else ""
        rec["details"].append(f"{label}\n{text}".strip())

    def startTest(self, test):
        super().startTest(test)
        self.record(test)["started"] = time.monotonic()

    def stopTest(self, test):
        super().stopTest(test)
        rec = self.record(test)
        rec["seconds"] = round(time.monotonic() - rec.pop("started", time.monotonic()), 3)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.note(test, "fail", self._exc_info_to_string(err, test))

    def addError(self, test, err):
        super().addError(test, err)
        self.note(test, "fail", self._exc_info_to_string(err, test))

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self.note(subtest, "fail", self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.note(test, "skip", f"skipped: {reason}")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self.note(test, "fail", "unexpected success")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    module, out = sys.argv[1], sys.argv[2]
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    suite = unittest.defaultTestLoader.loadTestsFromName(module)
    runner = unittest.TextTestRunner(stream=sys.stderr, verbosity=2, resultclass=Recorder)
    result = runner.run(suite)
    with open(out, "w") as f:
        json.dump(list(result.records.values()), f, indent=1)
    sys.exit(0 if result.wasSuccessful() and not result.skipped else 1)


if __name__ == "__main__":
    main()
