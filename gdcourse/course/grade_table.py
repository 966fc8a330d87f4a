"""The grade table: student x assignment from nbgrader's grades.csv, with the class mean."""
import csv
import os
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence

from gdcourse.grading.steps.flags import FLAG


def read_grades(csv_path: str | os.PathLike[str]
                ) -> tuple[dict[tuple[str, str], tuple[float, float]], list[str]]:
    """{(student, assignment): (score, max_score)} and the assignments, in order, from grades.csv."""
    grades: dict[tuple[str, str], tuple[float, float]]
    assignments: list[str]
    grades, assignments = {}, []
    with open(csv_path, newline="") as f:
        for row in csv.DictReader(f):
            assignment = row["assignment"]
            if assignment not in assignments:
                assignments.append(assignment)
            if row["timestamp"]:  # a student without a submission has an empty timestamp
                grades[(row["student_id"], assignment)] = (float(row["score"]), float(row["max_score"]))
    return grades, sorted(assignments)


def format_table(grades: Mapping[tuple[str, str], tuple[float, float]], assignments: Sequence[str],
                 flagged: Collection[tuple[str, str]] = frozenset()) -> str:
    """The table as text; a flagged submission's score is followed by FLAG (see gdcourse.flags)."""
    students = sorted({student for student, _ in grades})
    max_score = {a: max((m for (_, aa), (_, m) in grades.items() if aa == a), default=0)
                 for a in assignments}
    width = max([len("class mean"), *map(len, students)])
    columns = [max(len(a), 11) for a in assignments]
    lines = ["  ".join(["student".ljust(width), *(a.rjust(c) for a, c in zip(assignments, columns))])]
    totals: defaultdict[str, list[float]] = defaultdict(list)
    for student in students:
        cells = []
        for assignment, column in zip(assignments, columns):
            if (student, assignment) in grades:
                score, top = grades[(student, assignment)]
                totals[assignment].append(score)
                mark = f" {FLAG}" if (student, assignment) in flagged else ""
                cells.append(f"{score:g} / {top:g}{mark}".rjust(column))
            else:
                cells.append("—".rjust(column))
        lines.append("  ".join([student.ljust(width), *cells]))
    means = [(f"{sum(totals[a]) / len(totals[a]):.1f} / {max_score[a]:g}" if totals[a] else "—")
             .rjust(c) for a, c in zip(assignments, columns)]
    lines.append("  ".join(["class mean".ljust(width), *means]))
    return "\n".join(lines)
