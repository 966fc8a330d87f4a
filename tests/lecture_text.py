"""What a lecture says: its Markdown as one text with every run of whitespace made one space, so
that the tests pinning a quoted fact find its sentence however the lines are broken."""
import functools
import re

import nbformat

from course import ROOT


def flat(text):
    return re.sub(r"\s+", " ", text)


@functools.lru_cache(maxsize=None)
def lecture_text(name):
    """The Markdown of notebooks/NAME.ipynb, flattened."""
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    return flat("\n".join(c.source for c in nb.cells if c.cell_type == "markdown"))


def assert_says(name, *sentences):
    """Each sentence is in the lecture's Markdown (whitespace-insensitive)."""
    text = lecture_text(name)
    missing = [sentence for sentence in sentences if flat(sentence) not in text]
    assert not missing, f"{name} no longer says: {missing}"
