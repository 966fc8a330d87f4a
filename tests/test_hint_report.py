"""The hint evaluation's tool (python -m gdcourse.course.hint_report): a set of answers graded in a
copy of the course, and a report of what each one's feedback says, for a reader to judge."""
import json
import subprocess
import sys

import pytest

from course import ROOT

pytestmark = pytest.mark.xdist_group("hint-report")

SET = """\
answers:
  - id: forgets-the-factor-two
    assignment: 01-gradient-descent
    mistake: the gradient of θ² is computed as θ
    cells:
      get_gradient_square_function: |
        def get_gradient_square_function(theta):
            return theta
  - id: right-but-written-otherwise
    assignment: 01-gradient-descent
    mistake: none, a right answer
    cells:
      get_gradient_square_function: |
        def get_gradient_square_function(theta):
            return theta + theta
"""


def test_a_set_of_answers_is_graded_and_reported(tmp_path):
    (tmp_path / "set.yaml").write_text(SET)
    done = subprocess.run([sys.executable, "-m", "gdcourse.course.hint_report", str(tmp_path / "set.yaml"),
                           "--course", str(ROOT), "--out", str(tmp_path / "report.md"),
                           "--json", str(tmp_path / "results.json")],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    results = json.loads((tmp_path / "results.json").read_text())
    wrong, right = results["forgets-the-factor-two"], results["right-but-written-otherwise"]
    assert right["hints"] == [] and right["score"] == right["max_score"] == 8
    assert wrong["score"] < 8
    assert any("get_gradient_square_function(3.0) returned 3, expected 6" in hint
               for hint in wrong["hints"]), wrong["hints"]
    report = (tmp_path / "report.md").read_text()
    assert "## forgets-the-factor-two (01-gradient-descent, 3 / 8)" in report
    assert "**The mistake:** the gradient of θ² is computed as θ" in report
    assert "- (no test failed)" in report
    # Nothing of the course folder changed: the set is graded in a copy.
    assert not (ROOT / "submitted" / "forgets-the-factor-two").exists()
