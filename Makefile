# The course's commands. Each target sets up what it needs first (idempotent, quick when done).
#   make example   set up, then grade the bundled example class and print the grade table
#   make test      set up, then run the whole test suite
#   make lab       set up, then open JupyterLab on the student edition (students)
#   make formgrader set up, then open nbgrader's formgrader on the course (instructors)
#   make report    set up, then write the class report of every graded assignment (instructors)
#   make hub       set up, then run the course's JupyterHub for a class on this server (as root)
#   make screenshots set up, then remake the README's screenshots with the browser tests
#   make student-edition DEST=folder   write the student edition (what students get) into folder

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# nbgrader runs helper commands (alembic, jupyter) by name: they must come from the venv.
export PATH := $(abspath $(BIN)):$(PATH)
STAMP := $(VENV)/.installed
# JupyterHub's proxy (configurable-http-proxy, from npm, pinned in hub/package-lock.json), kept
# in the virtual environment's folder with everything else the course installs.
PROXY := $(VENV)/hub-proxy/node_modules/.bin/configurable-http-proxy
PYTEST_ARGS ?=

.PHONY: setup system-packages example test lab formgrader report hub screenshots release clean-grading student-edition

setup: $(STAMP) system-packages $(PROXY)

# bubblewrap, the sandbox autograde runs students' code in, and chromium, the browser the browser
# tests drive (apt-get on Debian/Ubuntu).
system-packages:
	@./scripts/install_system_packages.sh

# Re-install only when requirements.txt or the package metadata change. jsonschema's non-GPL IRI
# checker (rfc3987-syntax, which nbformat and jupyter_events pull in) builds some 35 Earley parsers
# when it is imported: 3 s in every process that imports nbformat (each nbgrader command, the
# batch's workers, a kernel that runs %run). No Jupyter schema uses the iri formats; without the
# checker jsonschema leaves them unchecked, so it is uninstalled.
$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip uninstall --quiet --yes rfc3987-syntax lark
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

$(PROXY): hub/package.json hub/package-lock.json | $(STAMP) system-packages
	mkdir -p $(VENV)/hub-proxy
	cp hub/package.json hub/package-lock.json $(VENV)/hub-proxy/
	cd $(VENV)/hub-proxy && npm ci --no-audit --no-fund --loglevel=error

example: setup
	$(BIN)/python -m gdcourse.course.example_class

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lab: setup
	$(BIN)/python -m gdcourse.course.lab

formgrader: setup
	$(BIN)/python -m gdcourse.course.lab --formgrader

# The class report (reports/index.html and a page per assignment) from the gradebook and
# autograded/; ASSIGNMENTS="01-gradient-descent ..." limits it.
report: setup
	$(BIN)/python -m gdcourse.course.class_report $(ASSIGNMENTS)

# A class on this server: hub/jupyterhub_config.py (docs/CLASS.md). Students' servers run from
# the virtual environment, so for a class it lives outside the course folder:
#   make hub VENV=/srv/gradient-descent-pytorch/venv
hub: setup
	$(BIN)/jupyterhub -f hub/jupyterhub_config.py

# The browser tests save their screenshots in docs/screenshots/ (commit them).
screenshots: setup
	GDCOURSE_SCREENSHOTS=1 $(BIN)/python -m pytest tests/test_browser_student.py tests/test_browser_instructor.py tests/test_class_report.py tests/test_conformance.py::test_a_grader_scores_a_students_plot_in_formgrader

# Regenerate release/ from source/ (commit the result).
release: setup
	$(BIN)/python -m gdcourse.course.release

# Remove nbgrader's working folders and the gradebook (the example class's grades with them).
clean-grading:
	rm -rf submitted autograded feedback gradebook.db grades.csv reports

# The student edition (lectures, release/, START.ipynb, the checks): what students get.
#   make student-edition DEST=../gradient-descent-student
student-edition: setup
	@test -n "$(DEST)" || (echo "Say where: make student-edition DEST=folder" && false)
	$(BIN)/python -m gdcourse.course.edition $(DEST)
