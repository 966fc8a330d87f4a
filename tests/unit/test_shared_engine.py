"""A worker's scratch gradebook keeps one database engine (gdcourse.grading.batch.shared_engine):
every Gradebook nbgrader opens on it reuses that engine and sees what the others wrote; any other
gradebook is opened, and closed, as nbgrader does."""
import nbgrader.api
import nbgrader.preprocessors.saveautogrades as saveautogrades

from gdcourse.grading.batch import shared_engine
from gdcourse.grading.batch.worker import empty_gradebook


def test_gradebooks_on_a_shared_url_reuse_one_engine_and_others_do_not(tmp_path):
    shared, other = tmp_path / "scratch.db", tmp_path / "course.db"
    for path in (shared, other):
        path.write_bytes(empty_gradebook())
    shared_url, other_url = f"sqlite:///{shared}", f"sqlite:///{other}"
    shared_engine.share_engines_for(shared_url)
    try:
        engines = []
        for student in ("ada", "bruno", "chen"):
            # nbgrader's steps open the gradebook by the name their own module holds
            with saveautogrades.Gradebook(shared_url) as gradebook:
                gradebook.add_student(student)
                engines.append(gradebook.engine)
        assert len({id(engine) for engine in engines}) == 1
        with nbgrader.api.Gradebook(shared_url) as gradebook:
            assert sorted(s.id for s in gradebook.students) == ["ada", "bruno", "chen"]

        with saveautogrades.Gradebook(other_url) as first:
            first.add_student("dara")
        with saveautogrades.Gradebook(other_url) as second:
            assert second.engine is not first.engine
            assert [s.id for s in second.students] == ["dara"]
    finally:
        shared_engine.forget(shared_url)
    assert shared_url not in shared_engine._engines
