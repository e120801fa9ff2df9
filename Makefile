# Shortcuts; each target is also a plain command in README.md.
.PHONY: setup site test lint golden
setup:
	bash scripts/setup.sh --no-build
site:
	bash scripts/setup.sh
test:
	bash scripts/test.sh
lint:
	.venv/bin/ruff check generator tests
golden:
	.venv/bin/python -m tests.golden_update
