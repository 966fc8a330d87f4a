"""nbgrader's collect, taking a submission only from the account of the student it names.

On one server, nbgrader's exchange is a folder every account writes into, and the name of a
submission (`STUDENT+ASSIGNMENT+TIMESTAMP+RANDOM`) is whatever the submitting account's nbgrader
says: `nbgrader submit --student=ada`, or a changed setting, files a submission in ada's name.
Stock collect takes the latest submission of each name and only logs a warning when its files
belong to someone else, so the latest one wins, whoever handed it in.

Here (`c.ExchangeFactory.collect`, nbgrader_config.py) a submission counts only when the account
that owns its folder is the student it names: the others are not collected, and the log says who
handed in what in whose name. Of the submissions that count, the latest is collected, as stock
collect does; so the victim's own work is what gets graded.

Where every user is one account (JupyterHub on Kubernetes, where every pod runs as uid 1000, or a
test that plays every role), ownership says nothing: turn the check off there
(`c.OwnerCheckedCollect.require_owner = False`) and use an exchange that knows who hands in
(ngshare; docs/CLASS.md).
"""
import os
import pwd
import shutil
import tempfile
from typing import Any

from nbgrader.exchange.default.collect import ExchangeCollect
from traitlets import Bool


def owner_of(path: str | os.PathLike[str]) -> str:
    """The account name that owns `path` (its uid when the machine has no name for it)."""
    uid = os.stat(path).st_uid
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


class OwnerCheckedCollect(ExchangeCollect):

    require_owner = Bool(
        True, help="Collect a submission only when its folder belongs to the account of the "
                   "student it names. Off where every user is one account (Kubernetes).",
    ).tag(config=True)

    def _handed_in_by_named_student(self, record: dict[str, Any]) -> bool:
        """Whether the submission `record` was handed in by the account of the student it names;
        when not, the instructor is told once."""
        if not self.require_owner:
            return True
        path = os.path.join(self.inbound_path, record["filename"])
        owner = owner_of(path)
        if owner == record["username"]:
            return True
        refused: set[str] = getattr(self, "_refused", set())
        if path not in refused:
            self._refused = refused | {path}
            self.log.error("Not collected: %s is handed in under the name %s by the account %s. "
                           "Only a submission handed in by the student's own account counts; "
                           "their own latest submission, if any, is collected instead.",
                           record["filename"], record["username"], owner)
        return False

    def _sort_by_timestamp(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """A student's submissions, the latest first: those their own account handed in come
        before any other (stock collect then takes the first)."""
        ordered = super()._sort_by_timestamp(records)
        theirs = [r for r in ordered if self._handed_in_by_named_student(r)]
        return theirs + [r for r in ordered if r not in theirs]

    def copy_files(self) -> None:
        self.src_records: list[dict[str, Any]] = [
            r for r in self.src_records if self._handed_in_by_named_student(r)]
        super().copy_files()

    def do_copy(self, src: str, dest: str, log: Any = None) -> None:
        """nbgrader's copy of a submission, without its symbolic links. Students write into the
        exchange's inbound folder themselves; collect, run by the instructor, would copy whatever
        a link there names (the source notebook, hidden tests and all) into the submission, and
        so into the kernel that grades it. A link is left out, and the log says so."""
        links = [os.path.join(folder, name) for folder, folders, files in os.walk(src)
                 for name in folders + files if os.path.islink(os.path.join(folder, name))]
        if not links:
            return super().do_copy(src, dest, log)
        for link in links:
            self.log.error("Not collected: %s in %s is a link, not a file: a submission's links "
                           "are left out.", os.path.relpath(link, src), os.path.basename(src))
        with tempfile.TemporaryDirectory(prefix="gdcourse-collect-") as scratch:
            files = os.path.join(scratch, os.path.basename(src))
            shutil.copytree(src, files, symlinks=True)
            for link in links:
                os.remove(os.path.join(files, os.path.relpath(link, src)))
            super().do_copy(files, dest, log)
