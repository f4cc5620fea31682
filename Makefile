# The two commands a new user needs (see README): `make demo` and `make test`.
.PHONY: setup demo test lint bench

setup:
	bash scripts/setup.sh

demo: setup
	.venv/bin/assetgraph --db demo.db app --demo

test: setup
	.venv/bin/ruff check graph ingest queries app tests bench
	.venv/bin/python -m pytest -q

lint: setup
	.venv/bin/ruff check graph ingest queries app tests bench
