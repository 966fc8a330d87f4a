"""The steps nbgrader_config.py puts into nbgrader's own commands: reading submitted files,
putting the grading structure back, running the notebook in the sandbox, judging the records,
flagging what grading ignored, and collecting from the exchange."""
