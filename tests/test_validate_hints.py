"""A student's own run (Validate, or Run All in JupyterLab) names a known mistake under the same
rule as the grade's feedback: only when it explains every later failing check of the test cell.
Run in a real kernel, with the kernel start nbgrader validate uses."""
import nbformat
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

TEST_CELL = '''"""gradient_descent takes exactly number_steps steps and returns where it lands."""
from gdcourse.checks.gradient_descent import check_descent

check_descent(1.0, 0.2, 20, expect=0.6 ** 20)
check_descent(1.0, 0.1, 3, expect=0.512)
'''

ONE_STEP_TOO_FEW = '''
def gradient_descent(initial_theta, learning_rate, number_steps):
    theta = initial_theta
    for _ in range(number_steps - 1):
        theta = theta - learning_rate * 2 * theta
    return theta
'''

# One step too few at the first check, but not at the second: no known mistake explains both.
TOO_FEW_ONCE = '''
def gradient_descent(initial_theta, learning_rate, number_steps):
    theta = initial_theta
    steps = number_steps - 1 if learning_rate == 0.2 else number_steps + 3
    for _ in range(steps):
        theta = theta - learning_rate * 2 * theta
    return theta
'''


def run_test_cell(answer, tmp_path):
    nb = new_notebook(cells=[new_code_cell("from gdcourse.checks.kernel_start import start\nstart()"),
                             new_code_cell(answer), new_code_cell(TEST_CELL)])
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for o in nb.cells[2].outputs if o.output_type == "error"]
    assert len(errors) == 1, nb.cells[2].outputs
    return errors[0].ename, errors[0].evalue


def test_a_mistake_that_explains_every_check_is_named(tmp_path):
    name, message = run_test_cell(ONE_STEP_TOO_FEW, tmp_path)
    assert name == "WrongAnswer"
    assert message.startswith("gradient_descent(1.0, 0.2, 20) returned")
    assert "One step too few: the loop must run number_steps times." in message


def test_a_mistake_that_explains_one_check_only_is_not_named(tmp_path):
    name, message = run_test_cell(TOO_FEW_ONCE, tmp_path)
    assert name == "WrongAnswer"
    # The first failing check is reported, with the idea rather than a mistake's name.
    assert message.startswith("gradient_descent(1.0, 0.2, 20) returned")
    assert "One step too few" not in message and "Start at θ₀" in message
