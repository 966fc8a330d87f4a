"""Gradient Descent with PyTorch: what the lectures and the assignments' tests import.

  checks/   what test cells import: each check calls your function and judges what came back
  lecture/  the figures of the lectures
"""
