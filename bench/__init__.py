"""Speed benchmarks: `bash dev.sh bench` (or `python -m bench` in the venv) prints the figures."""
