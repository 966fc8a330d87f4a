"""nbgrader configuration of the course "Gradient Descent with PyTorch".

Plain nbgrader commands (generate_assignment, autograde, generate_feedback, export, formgrader)
read this file when run from the course's folder.
"""
import os

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (AssignLatePenalties, ClearOutput, DeduplicateIds,
                                    IgnorePattern, LimitOutput, OverwriteCells,
                                    OverwriteKernelspec, SaveAutoGrades)

from gdcourse.checks.nbgrader_settings import apply_common_settings
from gdcourse.grading.steps.execute import SafeExecute
from gdcourse.grading.feedback.student_feedback import GetGradesForFeedback, StudentFeedback
from gdcourse.grading.gradebook_guard import before_autograde
from gdcourse.grading.gradebook_stamp import read_in_process
from gdcourse.grading.steps.flags import RecordFlags
from gdcourse.grading.steps.metadata import CheckCellMetadataOnce
from gdcourse.grading.steps.reading import SafeNotebookExporter, report_unexpected_notebooks
from gdcourse.grading.steps.structure import CheckStructure
from gdcourse.grading.steps.verdicts import JudgeObservations

c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file

# The stderr rule, the one way this course grades differently from stock nbgrader on purpose.
# Stock nbgrader scores a test cell 0 when anything reaches stderr, a harmless warning from numpy
# or torch included, even if every assertion passed. Here Python warnings are shown on stdout
# instead: still in the feedback, never a failure. True grades as stock nbgrader does.
WARNINGS_FAIL_TESTS = False

# The course id, the cell timeout and the stderr rule, shared with the student edition's Validate.
apply_common_settings(c, warnings_fail_tests=WARNINGS_FAIL_TESTS)

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))

# A new gradebook is stamped with its schema's version read in this process, not by running the
# `alembic heads` command (1.7 s of CPU); the gradebook is the same (gdcourse.grading.gradebook_stamp).
read_in_process()

# The gradebook is SQLite in the course folder (gradebook.db) unless GDCOURSE_DB_URL names another
# database, e.g. postgresql+psycopg://grader@dbhost/gradient_descent for several graders at once.
if os.environ.get("GDCOURSE_DB_URL"):
    c.CourseDirectory.db_url = os.environ["GDCOURSE_DB_URL"]

# nbconvert checks the notebook against its format once, after all of a step's preprocessors,
# instead of after each of them.
c.Exporter.optimistic_validation = True

# nbgrader's exchange on one server: collect takes a submission only from the account of the
# student it names (gdcourse.grading.steps.exchange); the others are refused, and the log says so.
# Where every user is one account (Kubernetes: hub/z2jh-values.yaml sets
# GDCOURSE_SUBMITTERS_HAVE_ACCOUNTS=no), the files' owner says nothing of who handed in.
c.ExchangeFactory.collect = "gdcourse.grading.steps.exchange.OwnerCheckedCollect"
if os.environ.get("GDCOURSE_SUBMITTERS_HAVE_ACCOUNTS") == "no":
    c.OwnerCheckedCollect.require_owner = False

# Students see their answer cells with this stub until they write their own code.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# --- Autograding untrusted submissions (docs/GRADING.md) ---------------------------------------
# nbgrader's own steps, in nbgrader's order, with the course's inserted. Unreadable files (empty,
# not JSON, too large) are graded as unanswered, with a message; a submission without one of the
# release's notebooks (renamed, say) is named plainly in the log.
c.Autograde.exporter_class = SafeNotebookExporter


def before_each_submission(assignment, student, notebooks):
    """Before autograde's first write: a gradebook it cannot read stops it with one line, and a
    copy of the gradebook is kept (gdcourse.grading.gradebook_guard); then the notebooks."""
    before_autograde()
    report_unexpected_notebooks(assignment, student, notebooks)


c.Autograde.pre_convert_hook = before_each_submission
# The grading structure (which cell is a test, its points) is the instructor's: CheckStructure
# reports what a submission changed, puts deleted cells and the released metadata back; nbgrader's
# own steps restore the rest. What students write is never changed.
# nbgrader's metadata check is CheckCellMetadataOnce: the same checks with the schema compiled once
# (gdcourse.grading.steps.metadata).
c.Autograde.sanitize_preprocessors = [
    ClearOutput, CheckStructure, DeduplicateIds, OverwriteKernelspec, OverwriteCells,
    CheckCellMetadataOnce,
]
# Students' code runs in a bubblewrap sandbox with resource limits (gdcourse.grading.kernels.sandbox);
# without bubblewrap, autograde refuses unless c.SafeExecute.allow_unsandboxed = True (trusted
# code only). In the kernel the checks only observe; JudgeObservations decides each test's verdict
# here, against the instructor's solution run once per assignment (gdcourse.grading.solution.run).
c.Autograde.autograde_preprocessors = [
    SafeExecute, JudgeObservations, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
    SaveAutoGrades, AssignLatePenalties, RecordFlags, CheckCellMetadataOnce,
]
# Feedback opens with a results table (per question: points, tests passed and failed, hints),
# and never shows hidden tests: not their code, and nothing the kernel printed once they had run.
c.GenerateFeedback.preprocessors = [GetGradesForFeedback, StudentFeedback, CSSHTMLHeaderPreprocessor]
