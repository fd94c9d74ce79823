# Sentra: `make run` starts everything, `make test` tests everything. Both install what they need.
.PHONY: run test test-unit test-integration faults lint audit compose-lint bench install clean

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

# The fault suite at length: 20 seeds (replay one with FAULT_SEEDS=<seed>).
faults: install
	FAULT_SEEDS=$${FAULT_SEEDS:-1:20} FAULT_IKM=$${FAULT_IKM:-150} FAULT_SECONDS=$${FAULT_SECONDS:-20} \
		FAULT_IMPORT_ROWS=$${FAULT_IMPORT_ROWS:-3000} \
		.venv/bin/python -m pytest -q -p no:cacheprovider -s tests/faults

lint: install
	.venv/bin/ruff check shared services tests bench
	.venv/bin/mypy shared services bench
	.venv/bin/python -m shared.depaudit

# pip-audit over uv.lock's pins. Prints "NOT AUDITED" when the vulnerability service cannot check
# them (exit 0; SENTRA_AUDIT_REQUIRED=1 makes that a failure), exit 1 on a known vulnerability.
audit: install
	.venv/bin/python -m shared.depaudit

compose-lint:
	deploy/lint-compose.sh

bench: install
	.venv/bin/python -m bench.chain
	.venv/bin/python -m bench.catalogue

# The console's pages at 1280 and 390 px into docs/screenshots/ (the browser test that also checks their weight).
screenshots: install
	SENTRA_SCREENSHOTS_DIR=docs/screenshots .venv/bin/python -m pytest -q -p no:cacheprovider \
		tests/integration/test_console.py -k every_page

clean:
	rm -rf .venv .tools var
