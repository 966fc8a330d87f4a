"""nbgrader settings of every user's server on the course's JupyterHub: where nbgrader's exchange
is (hub/jupyterhub_config.py sets GDCOURSE_EXCHANGE)."""
import os

c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file

c.Exchange.root = os.environ["GDCOURSE_EXCHANGE"]
