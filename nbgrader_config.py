"""nbgrader configuration of the course "Gradient Descent with PyTorch".

Plain nbgrader commands (generate_assignment, autograde, generate_feedback, export, formgrader)
read this file when run from the course's folder.
"""
import os

from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearOutput, LimitOutput,
                                    OverwriteCells, OverwriteKernelspec, SaveAutoGrades)
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor

from gdcourse.feedback import GetGradesForFeedback, MarkHiddenTests, StudentFeedback
from gdcourse.flags import RecordFlags
from gdcourse.rebuild import RebuildFromRelease
from gdcourse.safe_execute import SafeExecute
from gdcourse.safe_reading import SafeNotebookExporter, report_unexpected_notebooks

c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file

c.CourseDirectory.course_id = "gradient-descent-pytorch"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))

# The gradebook is SQLite in the course folder (gradebook.db) unless GDCOURSE_DB_URL names another
# database, e.g. postgresql://grader@dbhost/gradient_descent for several graders at once.
if os.environ.get("GDCOURSE_DB_URL"):
    c.CourseDirectory.db_url = os.environ["GDCOURSE_DB_URL"]

# A cell may run for 60 s before it is stopped and marked as failed (the slowest reference
# solution runs well under 2 s; an endless loop must not stall a whole batch).
c.Execute.timeout = 60

# The stderr rule: every grading kernel imports gdcourse.grading_kernel first, which shows Python
# warnings on stdout, so a passing test cell never scores 0 because torch or matplotlib warned.
# Applies to `nbgrader validate` (the Validate button) and `nbgrader autograde` alike.
c.Execute.extra_arguments = [
    "--InteractiveShellApp.exec_lines=__import__('gdcourse.grading_kernel')",
]

# Students see their answer cells with this stub until they write their own code.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# --- Autograding untrusted submissions (docs/GRADING.md) ---------------------------------------
# Unreadable files (empty, not JSON, too large) are graded as unanswered, with a message; a
# submission without the assignment's notebook (renamed, say) is named plainly in the log.
c.Autograde.exporter_class = SafeNotebookExporter
c.Autograde.pre_convert_hook = report_unexpected_notebooks
# The graded notebook is the release notebook with the student's screened answers; hidden tests
# are put back by OverwriteCells and marked so that feedback never shows them.
c.Autograde.sanitize_preprocessors = [
    ClearOutput, RebuildFromRelease, OverwriteKernelspec, OverwriteCells, MarkHiddenTests,
    CheckCellMetadata,
]
# Students' code runs in a bubblewrap sandbox with resource limits (gdcourse.sandbox); without
# bubblewrap, autograde refuses unless c.SafeExecute.allow_unsandboxed = True (trusted code only).
c.Autograde.autograde_preprocessors = [
    SafeExecute, LimitOutput, SaveAutoGrades, AssignLatePenalties, RecordFlags, CheckCellMetadata,
]
# Feedback opens with a results table (per question: points, tests passed and failed, hints), and
# shows the visible part of each test and the hints of failed hidden tests, never their code.
c.GenerateFeedback.preprocessors = [GetGradesForFeedback, StudentFeedback, CSSHTMLHeaderPreprocessor]
