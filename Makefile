# Thin wrappers over dev.py, which needs only Python 3.11 and pip.
PY ?= python3
RESIDENTS ?= 20000

.PHONY: setup demo run test check format messages
setup:
	$(PY) dev.py setup
demo:
	$(PY) dev.py demo --residents $(RESIDENTS)
run:
	.venv/bin/pendopo serve --host 127.0.0.1 --port 8000
test:
	$(PY) dev.py test
check:
	$(PY) dev.py check
format:
	.venv/bin/ruff check --fix src bench dev.py tools
# Needs GNU gettext (xgettext, msgfmt): only when message ids change.
messages:
	cd src/pendopo && ../../.venv/bin/pendopo makemessages -l en --no-obsolete --no-location -i "tests/*" -i "*/tests/*"
	.venv/bin/python tools/fill_po.py
	cd src/pendopo && ../../.venv/bin/pendopo compilemessages
