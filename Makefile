# gifshelf: `make run` to try it, `make test` to check it. Nothing else needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= 2
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/gifshelf

.PHONY: install run serve test test-postgres lint format check demo clean messages

$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

run: $(BIN)/.installed  ## migrate, load the demo library, serve on 127.0.0.1:8000
	$(BIN)/python manage.py compile_catalogues
	GIFSHELF_DEBUG=1 $(BIN)/python manage.py migrate --no-input
	GIFSHELF_DEBUG=1 $(BIN)/python manage.py load_demo --url http://$(HOST):$(PORT)/
	GIFSHELF_DEBUG=1 $(BIN)/python manage.py rehash_frames --no-progress
	GIFSHELF_DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

install: $(BIN)/.installed  ## the virtualenv with requirements.txt (again after an upgrade)

# serve installs into a missing virtualenv but never reinstalls at start (a
# restart must not reach for the package index): `make install` does that.
serve:  ## production: check, migrate, collectstatic, gunicorn (README)
	test -f $(BIN)/.installed || $(MAKE) install
	$(BIN)/python manage.py serve

demo: $(BIN)/.installed  ## (re)load the demo library without serving
	$(BIN)/python manage.py compile_catalogues
	GIFSHELF_DEBUG=1 $(BIN)/python manage.py migrate --no-input
	GIFSHELF_DEBUG=1 $(BIN)/python manage.py load_demo --url http://$(HOST):$(PORT)/
	GIFSHELF_DEBUG=1 $(BIN)/python manage.py rehash_frames --no-progress

test: $(BIN)/.installed  ## the whole suite (browser tests skip without Chromium)
	$(BIN)/python manage.py makemigrations --check --dry-run --no-color > /dev/null \
		|| (echo "Model changes without a migration: run makemigrations." && exit 1)
	$(BIN)/python manage.py compile_catalogues
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test-postgres: $(BIN)/.installed  ## the whole suite against the local PostgreSQL
	DATABASE_URL=$(POSTGRES_URL) $(MAKE) test

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(BIN)/.installed  ## collect new strings into the catalogues (needs GNU gettext)
	$(BIN)/python manage.py makemessages --locale ru --no-obsolete --add-location file --ignore '.venv/*' --ignore 'bench/*'
	$(BIN)/python manage.py compile_catalogues

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles .pytest_cache .ruff_cache
