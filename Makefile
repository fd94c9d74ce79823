# Sentra: `make run` starts everything, `make test` tests everything. Both install what they need.
.PHONY: run test test-unit test-integration lint compose-lint bench install clean

install:
	@scripts/bootstrap.sh

run: install
	.venv/bin/python -m shared.devrun

test: install
	.venv/bin/python -m pytest -q -p no:cacheprovider

test-unit: install
	.venv/bin/python -m pytest -q -p no:cacheprovider tests/unit

test-integration: install
	.venv/bin/python -m pytest -q -p no:cacheprovider tests/integration

lint: install
	.venv/bin/ruff check shared services tests bench
	.venv/bin/mypy shared services bench

compose-lint:
	deploy/lint-compose.sh

bench: install
	.venv/bin/python -m bench.chain

clean:
	rm -rf .venv .tools var
