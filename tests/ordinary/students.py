"""The class that hands in the two ordinary assignments of tests/ordinary/source.

STUDENTS maps assignment -> student -> notebook (its file name without ".ipynb") -> grade_id of an
answer cell -> the source the student leaves in that cell. A submission is the *released* notebook
(`nbgrader generate_assignment`) with those answer cells' sources replaced:

- the sentinel SOLUTION (the string "<solution>") stands for the source notebook's solution text:
  the cell's source with the `### BEGIN SOLUTION` / `### END SOLUTION` lines removed (a written
  markdown answer: its whole source);
- None, or a notebook or grade_id that is not listed, keeps the released cell as it is (the stub:
  `# YOUR CODE HERE` / `raise NotImplementedError()`, or "YOUR ANSWER HERE").

Cells that are not answer cells (tests, the manually graded task, headings) are never changed.

EXPECTED_STOCK_SCORES maps assignment -> student -> the total autograded score that stock
nbgrader 0.9 (a config with nothing but the course id) gives the submission, as read from
gradebook.db after `nbgrader autograde`. In plots-and-prose nobody scores Question 4's test: its
passing asserts print numpy's "divide by zero" RuntimeWarning to stderr, and stock nbgrader gives
a test cell with stderr output no points.
"""

SOLUTION = "<solution>"

# Question 1, wrong for a negative entry only: the third of the five visible asserts fails.
NORMALISE_WITH_ABS = '''\
def normalise(v):
    """v scaled to Euclidean length 1, as a new array."""
    return np.abs(v) / np.linalg.norm(v)'''

# Question 1, right for every visible assert; the hidden short vector (length 1e-3) comes out
# 0.1 long instead of 1.
NORMALISE_WITH_GUARD = '''\
def normalise(v):
    """v scaled to Euclidean length 1, as a new array."""
    length = np.linalg.norm(v)
    # guard against dividing by a tiny number
    return v / max(length, 0.01)'''

# Question 2, a line plot of the sorted samples instead of the histogram asked for.
LINE_PLOT = '''\
import matplotlib.pyplot as plt

rng = np.random.default_rng(7)
heights = np.sort(rng.normal(170, 8, size=500))
plt.plot(heights)
plt.title("Heights, sorted")
plt.show()'''

LINE_PLOT_PROSE = ("The sorted heights climb steeply at both ends and slowly through the middle, "
                   "where most of them are, around 170 cm.")

# Question 4, right, and warning like the solution does for a zero.
LOG_DIFFERENCE = '''\
def log_ratio(a, b):
    """The natural logarithm of a / b, elementwise."""
    return np.log(a) - np.log(b)'''

# two-notebooks: the end marks are kept, so "Stop. stop! STOP?" gives three different words.
WORD_COUNTS_KEEPING_MARKS = '''\
def word_counts(text):
    counts = {}
    for word in text.lower().split():
        counts[word] = counts.get(word, 0) + 1
    return counts'''

PLOTS_AND_PROSE_SOLVED = {"q1-normalise": SOLUTION, "q2-histogram": SOLUTION,
                          "q3-describe-histogram": SOLUTION, "q4-log-ratio": SOLUTION}

STUDENTS: dict[str, dict[str, dict[str, dict[str, str | None]]]] = {
    "plots-and-prose": {
        "solver": {"plots-and-prose": dict(PLOTS_AND_PROSE_SOLVED)},
        "one-assert-wrong": {"plots-and-prose": {**PLOTS_AND_PROSE_SOLVED,
                                                 "q1-normalise": NORMALISE_WITH_ABS}},
        "hidden-only-wrong": {"plots-and-prose": {**PLOTS_AND_PROSE_SOLVED,
                                                  "q1-normalise": NORMALISE_WITH_GUARD}},
        "warns-and-wrong-plot": {"plots-and-prose": {"q1-normalise": SOLUTION,
                                                     "q2-histogram": LINE_PLOT,
                                                     "q3-describe-histogram": LINE_PLOT_PROSE,
                                                     "q4-log-ratio": LOG_DIFFERENCE}},
        "untouched": {},
    },
    "two-notebooks": {
        "solver": {"1-answers": {"moving-average": SOLUTION, "word-counts": SOLUTION,
                                 "palindrome": SOLUTION}},
        "one-wrong": {"1-answers": {"moving-average": SOLUTION, "word-counts": WORD_COUNTS_KEEPING_MARKS,
                                    "palindrome": SOLUTION}},
        "untouched": {},
    },
}

EXPECTED_STOCK_SCORES: dict[str, dict[str, float]] = {
    "plots-and-prose": {
        "solver": 5.0,
        "one-assert-wrong": 2.0,
        "hidden-only-wrong": 3.0,
        "warns-and-wrong-plot": 5.0,
        "untouched": 0.0,
    },
    "two-notebooks": {
        "solver": 6.0,
        "one-wrong": 4.0,
        "untouched": 0.0,
    },
}
