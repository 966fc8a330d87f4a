"""The mistake catalog: for each assignment, answers a student could write (the correct one and
common mistakes) with the autograded score each must get and the hints its feedback must show.

Format: docs/AUTHORING.md. One YAML file per assignment in catalog/; catalog/example_class.yaml
says which entry each example student submitted for each assignment.
"""
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml  # type: ignore[import-untyped, unused-ignore]  # no stubs installed


@dataclass(frozen=True)
class Entry:
    assignment: str
    id: str
    about: str
    score: float
    answers: dict[str, str | None] = field(default_factory=dict)  # answer key -> code/text, or None for the stub
    hints: tuple[str, ...] = ()
    by_relation: bool = False   # diagnosed by what its values show, not by a known mistake's name


def catalog_dir(course_root: str | os.PathLike[str]) -> Path:
    return Path(course_root) / "catalog"


def assignment_names(course_root: str | os.PathLike[str]) -> list[str]:
    """Every assignment of the course, in chapter order (the folders of source/)."""
    return sorted(p.name for p in (Path(course_root) / "source").iterdir() if p.is_dir())


def load_entries(course_root: str | os.PathLike[str], assignment: str) -> list[Entry]:
    """The catalog entries of one assignment, in file order ([] for an assignment without a
    catalog: any nbgrader assignment can be added to the course)."""
    path = catalog_dir(course_root) / f"{assignment}.yaml"
    if not path.is_file():
        return []
    data = yaml.safe_load(path.read_text())
    if data.get("assignment") != assignment:
        raise ValueError(f"catalog/{assignment}.yaml names assignment {data.get('assignment')!r}")
    entries: list[Entry]
    seen: set[str]
    entries, seen = [], set()
    for item in data["mistakes"]:
        if item["id"] in seen:
            raise ValueError(f"catalog/{assignment}.yaml: entry id {item['id']!r} appears twice")
        seen.add(item["id"])
        entries.append(Entry(assignment=assignment, id=item["id"], about=item["about"],
                             score=float(item["score"]), answers=dict(item.get("answers") or {}),
                             hints=tuple(item.get("hints") or ()),
                             by_relation=item.get("diagnosed") == "by relation"))
    return entries


def find_entry(course_root: str | os.PathLike[str], assignment: str, entry_id: str) -> Entry:
    for entry in load_entries(course_root, assignment):
        if entry.id == entry_id:
            return entry
    raise KeyError(f"catalog/{assignment}.yaml has no entry {entry_id!r}")


def example_class(course_root: str | os.PathLike[str]) -> dict[str, dict[str, Entry]]:
    """{student id: {assignment: catalog entry}} for the bundled example class."""
    data = yaml.safe_load((catalog_dir(course_root) / "example_class.yaml").read_text())
    return {student: {assignment: find_entry(course_root, assignment, entry_id)
                      for assignment, entry_id in picks.items()}
            for student, picks in data["students"].items()}
