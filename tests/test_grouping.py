"""The suite's speed rests on xdist_group: tests that share an expensive session fixture (an
assignment graded once, the main job run once) must run in one test process."""
import os

import pytest


@pytest.mark.xdist_group("grouping-check")
def test_grouped_tests_are_sent_to_one_worker(request):
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        pytest.skip("not run by pytest-xdist")
    # --dist loadgroup schedules by this suffix; without it, groups are scattered over workers.
    assert request.node.nodeid.endswith("@grouping-check"), (
        f"{request.node.nodeid}: pytest-xdist did not group this test (see requirements.txt)")
