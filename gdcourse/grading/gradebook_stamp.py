"""A new gradebook's schema version, read in this process.

nbgrader stamps a gradebook it creates with the version of its schema, which it learns by running
the `alembic heads` command: a new Python, 1.7 s of CPU, for every new gradebook (every worker's
scratch gradebook, every new course folder). `alembic_head` reads the same version from the same
migration scripts through alembic's Python API, in milliseconds; `read_in_process` makes
nbgrader's Gradebook use it. The gradebook made is the same, table for table and row for row.
"""
from alembic.config import Config
from alembic.script import ScriptDirectory


def alembic_head() -> str:
    """The version `alembic heads` prints for nbgrader's migration scripts."""
    from nbgrader.dbutil import _temp_alembic_ini

    with _temp_alembic_ini("sqlite:////tmp/gradebook.db") as ini:
        heads = ScriptDirectory.from_config(Config(ini)).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"nbgrader's gradebook schema has {len(heads)} heads: {heads}")
    return heads[0]


def read_in_process() -> None:
    """nbgrader's Gradebook stamps new gradebooks with alembic_head."""
    import nbgrader.api

    nbgrader.api.get_alembic_version = alembic_head
