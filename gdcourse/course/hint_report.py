"""What the course's feedback tells students about a set of answers: grade them, then write a
report a reader can judge, answer by answer (the hint evaluation of docs/AUTHORING.md).

    python -m gdcourse.course.hint_report SET.yaml [--out REPORT.md] [--json RESULTS.json]

SET.yaml lists answers as a student would hand them in, with what is really wrong in each:

    answers:
      - id: forgets-the-factor-two
        assignment: 01-gradient-descent
        mistake: the gradient of θ² is computed as θ
        cells:                       # answer cells, keyed by the function each defines
          get_gradient_square_function: |
            def get_gradient_square_function(theta):
                return theta

Every other answer cell gets the solution. Each answer is graded, in a copy of the course, by the
batch command (as `nbgrader autograde` grades it), and its feedback generated; the report gives,
per answer, the true mistake, the score and every failed test's hint as the student reads it.
A set made for an evaluation stays out of the catalog: hints must not be written to it.
"""
import argparse
import html
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import nbformat
import yaml  # type: ignore[import-untyped, unused-ignore]  # no stubs installed
from nbgrader.api import Gradebook

from ..grading.notebook_cells import course_notebook
from .course_folder import copy_course
from .nbgrader_commands import command_env, nbgrader
from .submissions import fill_answers, write_submission

TABLE = re.compile(r'<div class="gdcourse-results">.*?</table>', re.DOTALL)
ROW = re.compile(r'<li[^>]*>(.*?)</li>', re.DOTALL)


def read_set(path: Path) -> list[dict[str, Any]]:
    answers: list[dict[str, Any]] = yaml.safe_load(Path(path).read_text())["answers"]
    ids = [a["id"] for a in answers]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise SystemExit(f"{path}: ids used twice: {', '.join(duplicates)}")
    return answers


def failed_hints(page: str) -> list[str]:
    """The failed tests of a feedback page's results table, each with its hint, as text."""
    table = TABLE.search(page)
    if not table:
        return []
    found = []
    for row in ROW.findall(table.group(0)):
        text = html.unescape(re.sub(r"<[^>]+>", " ", row))
        text = re.sub(r"[ \t]+", " ", text).strip()
        if text.startswith("✗"):
            found.append(text)
    return found


def grade_set(course_root: Path, answers: list[dict[str, Any]], work: Path) -> dict[str, dict[str, Any]]:
    root = copy_course(course_root, work)
    assignments = sorted({a["assignment"] for a in answers})
    for assignment in assignments:
        nbgrader(root, "generate_assignment", assignment, "--force", log_file=work / "grading.log")
    for answer in answers:
        source = nbformat.read(course_notebook(root, "source", answer["assignment"]), as_version=4)
        release = nbformat.read(course_notebook(root, "release", answer["assignment"]), as_version=4)
        write_submission(root, answer["id"], answer["assignment"],
                         fill_answers(source, release, answer["cells"]))
    done = subprocess.run([sys.executable, "-m", "gdcourse.grading.batch", *assignments,
                           "--course", str(root), "--log", str(work / "grading.log")],
                          env=command_env(), cwd=root, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(done.stdout[-3000:] + done.stderr[-3000:])
    for assignment in assignments:
        nbgrader(root, "generate_feedback", assignment, "--force", log_file=work / "grading.log")
    results: dict[str, dict[str, Any]] = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        for answer in answers:
            assignment = answer["assignment"]
            submission = gradebook.find_submission(assignment, answer["id"])
            page = root / "feedback" / answer["id"] / assignment / f"{assignment}.html"
            results[answer["id"]] = {
                "assignment": assignment, "mistake": answer["mistake"].strip(),
                "score": submission.code_score, "max_score": submission.max_code_score,
                "hints": failed_hints(page.read_text()) if page.is_file() else [],
            }
    return results


def report(results: dict[str, dict[str, Any]]) -> str:
    lines = ["# What the feedback says", "",
             "For each answer: its true mistake, then every failed test with its hint. Judge each "
             "answer as **names** (the feedback names this mistake), **generic** (true, but would "
             "fit many mistakes), **misleading** (points elsewhere) or **nothing**.", ""]
    for key, result in results.items():
        lines += [f"## {key} ({result['assignment']}, {result['score']:g} / {result['max_score']:g})",
                  "", f"**The mistake:** {result['mistake']}", ""]
        lines += [f"- {hint}" for hint in result["hints"]] or ["- (no test failed)"]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gdcourse.course.hint_report",
                                     description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("set", type=Path)
    parser.add_argument("--course", type=Path, default=Path.cwd())
    parser.add_argument("--out", type=Path, default=Path("hint-report.md"))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    answers = read_set(args.set)
    with tempfile.TemporaryDirectory(prefix="gdcourse-hints-") as work:
        results = grade_set(args.course.resolve(), answers, Path(work))
    args.out.write_text(report(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    print(f"{len(results)} answers graded: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
