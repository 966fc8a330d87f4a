"""The main job: grade the bundled example class end to end with nbgrader.

1. generate the release of every chapter (nbgrader generate_assignment);
2. add the students to the gradebook (nbgrader db student import catalog/example_students.csv)
   and put their submissions in place (made from the mistake catalog);
3. autograde them: `python -m gdcourse.grading.batch` (nbgrader's Autograde on every core, see
   gdcourse.grading.batch; `nbgrader autograde` gives the same grades, one notebook at a time);
4. generate their feedback (nbgrader generate_feedback);
5. export grades.csv (nbgrader export);
6. write the class report (gdcourse.course.class_report) into reports/;
7. print the grade table.

nbgrader's own output goes to grading.log in the course folder.
"""
import argparse
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from .catalog import Entry, assignment_names, example_class
from .class_report import write_reports
from .course_folder import gradebook_url
from gdcourse.grading.steps.flags import FLAG, flagged_submissions
from .grade_table import format_table, read_grades
from .nbgrader_commands import NbgraderFailed, nbgrader, run_command
from .release import generate_releases
from .submissions import submission_from_entry, write_submission


def step(message: str) -> Callable[[], None]:
    """Print what is about to happen; returns a function that prints how long it took."""
    print(f"{message} ...", end="", flush=True)
    started = time.perf_counter()
    return lambda: print(f" {time.perf_counter() - started:.1f} s", flush=True)


STUDENT_LIST = "catalog/example_students.csv"  # their names, for formgrader and exports


def put_submissions_in_place(course_root: str | os.PathLike[str],
                             students: Mapping[str, Mapping[str, Entry]]) -> None:
    for student, picks in students.items():
        for assignment, entry in picks.items():
            folder = Path(course_root) / "submitted" / student / assignment
            shutil.rmtree(folder, ignore_errors=True)  # a previous run's copy, replaced whole
            write_submission(course_root, student, assignment, submission_from_entry(course_root, entry))


def batch_autograde(course_root: str | os.PathLike[str], assignments: Iterable[str],
                    log_file: str | os.PathLike[str]) -> None:
    """Autograde (regrade) every submission of `assignments` with the course's batch command;
    its output and nbgrader's log go to `log_file`."""
    args = [*assignments, "--force", "--log", str(log_file)]
    run_command(course_root, [sys.executable, "-m", "gdcourse.grading.batch", *args],
                f"python -m gdcourse.grading.batch {' '.join(args)}", log_file)


def run(course_root: str | os.PathLike[str]) -> None:
    course_root = Path(course_root).resolve()
    log = course_root / "grading.log"
    log.write_text("")
    students = example_class(course_root)
    # Every assignment of source/ is released; the example class has submissions for some.
    assignments = [a for a in assignment_names(course_root)
                   if any(a in picks for picks in students.values())]

    done = step(f"Generating the release of {len(assignment_names(course_root))} assignments")
    generate_releases(course_root, log_file=log)
    done()
    done = step(f"Putting {len(students)} example students' submissions in submitted/")
    nbgrader(course_root, "db", "student", "import", str(course_root / STUDENT_LIST), log_file=log)
    put_submissions_in_place(course_root, students)
    done()
    submissions = sum(len(picks) for picks in students.values())
    done = step(f"Autograding {submissions} submissions of {len(assignments)} assignments on every core")
    batch_autograde(course_root, assignments, log_file=log)
    done()
    # One run for every autograded assignment (nbgrader reads "*" as a pattern): one start of
    # nbgrader and of the warm kernels that replay notebooks for the feedback.
    done = step(f"Generating feedback for {len(assignments)} assignments")
    nbgrader(course_root, "generate_feedback", "*", "--force", log_file=log)
    done()
    done = step("Exporting grades.csv")
    nbgrader(course_root, "export", "--to", str(course_root / "grades.csv"), log_file=log)
    done()
    done = step("Writing the class report")
    report = write_reports(course_root, assignments)
    done()

    grades, graded = read_grades(course_root / "grades.csv")
    flagged = flagged_submissions(gradebook_url(course_root))
    print()
    print(format_table(grades, graded, flagged))
    print()
    print("Scores include the manually graded answers, which count 0 until graded in formgrader.")
    if flagged:
        print(f"{FLAG} flagged for review: see the comments in formgrader.")
    print(f"Feedback: {course_root / 'feedback'}/<student>/<assignment>/")
    print(f"Class report: {report}")
    print(f"nbgrader's log: {log}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Grade the bundled example class.")
    parser.add_argument("--course", default=".", help="the course folder (default: here)")
    try:
        run(parser.parse_args().course)
    except NbgraderFailed as error:
        print(f"\n{error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
