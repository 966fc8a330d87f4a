"""What the lectures import: figures and helpers that draw what the notebooks compute."""
