# Nyth: two commands on a fresh machine – `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_CHILDREN ?= 300

.PHONY: demo test system-packages install assets messages messages-extract migrate serve smoke proof lint audit bench-seed bench-national bench-report bench-identity check-deploy backup clean

# Stamps: reinstall only when the pinned requirements or package lock change.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

# GOV.UK Frontend compiled with Nyth's settings into core/static/govuk (served by WhiteNoise).
assets: node_modules/.installed
	npm run --silent build

# Compile the Welsh catalogues (.po files are committed; .mo files are built).
messages: $(VENV)/.installed
	NYTH_DEMO=1 $(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0

# After changing user-facing text: extract new messages into locale/cy, then translate them
# (core/tests/test_i18n.py fails while any message lacks Welsh).
messages-extract: $(VENV)/.installed
	NYTH_DEMO=1 $(MANAGE) makemessages -l cy --no-location --ignore=.venv --ignore=node_modules \
		--ignore=locale-django --ignore=var --ignore='*/tests/*'

migrate: $(VENV)/.installed
	NYTH_DEMO=1 $(MANAGE) migrate --noinput -v 0

# The seeds send no email (the referrers are invented); the logins are printed last, above the server.
# The task worker (imports, emails) runs in the background beside runserver and stops with it.
demo: install assets messages
	NYTH_DEMO=1 $(MANAGE) migrate --noinput -v 0
	NYTH_DEMO=1 $(MANAGE) seed_demo --children $(DEMO_CHILDREN) --seed 2026 --no-progress --quiet-logins
	NYTH_DEMO=1 $(MANAGE) seed_referrals --seed 2026
	NYTH_DEMO=1 $(MANAGE) seed_assessments
	NYTH_DEMO=1 $(MANAGE) seed_support
	NYTH_DEMO=1 NYTH_SITE_URL=http://$(HOST):$(PORT) $(MANAGE) seed_demo --logins-only
	NYTH_DEMO=1 NYTH_SITE_URL=http://$(HOST):$(PORT) $(MANAGE) run_worker --no-reload & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		NYTH_DEMO=1 NYTH_SITE_URL=http://$(HOST):$(PORT) $(MANAGE) runserver $(HOST):$(PORT)

# Debian packages the suite drives for real: Chromium (browser journeys), gettext (catalogues),
# nginx (the forged X-Forwarded-For test through a real proxy), systemd (systemd-analyze verify of
# deploy/). Installed when missing and run as root (bounded: the package mirror is on the network);
# otherwise the command to run is printed.
DEBIAN_PACKAGES := chromium gettext nginx-light systemd
system-packages:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v msgfmt >/dev/null 2>&1 || missing="$$missing gettext"; \
	{ command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx; } || missing="$$missing nginx-light"; \
	command -v systemd-analyze >/dev/null 2>&1 || missing="$$missing systemd"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    timeout 600 apt-get update -qq && DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "*** Missing Debian packages:$$missing -- run: sudo apt-get install$$missing"; \
	  fi; \
	fi

test: system-packages install assets messages
	$(VENV)/bin/pytest

# Lint, format and types: ruff's rules (ruff.toml), ruff's format (the one mass reformat is listed
# in .git-blame-ignore-revs), and mypy with django-stubs (settings and strictness in pyproject.toml).
# The same three run before each commit with .pre-commit-config.yaml (local hooks, this venv).
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

# Supply chain: bandit (no medium or high findings), pip-audit and npm audit (each CHECKED or
# NOT CHECKED; an advisory not in .ci/advisories-ignore.toml fails). AUDIT_FLAGS=--strict makes
# NOT CHECKED fail too.
audit: $(VENV)/.installed
	$(PY) tools/supply_chain.py --timeout 120 $(AUDIT_FLAGS)

# Production settings must pass Django's deployment checks, and must serve pages: the smoke
# suite runs gunicorn with production settings over a scratch database (see smoke/conftest.py).
check-deploy: $(VENV)/.installed
	SECRET_KEY=$$($(PY) -c 'import secrets;print(secrets.token_urlsafe(50))') ALLOWED_HOSTS=nyth.example.org \
		$(MANAGE) check --deploy --fail-level WARNING
	$(MAKE) smoke

smoke: install assets messages
	$(VENV)/bin/pytest -q smoke

# Issue 10's proof: the smoke suite with the RQ worker on Redis (DB 5) and PostgreSQL, including
# the long tests (10,000-row web import, killed worker recovered, backup restored): smoke/conftest.py.
PROOF_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/nyth_proof
proof: install assets messages
	NYTH_SMOKE_FULL=1 NYTH_SMOKE_TASK_BACKEND=rq DATABASE_URL=$(PROOF_DATABASE_URL) $(VENV)/bin/pytest -q smoke

# Production: collect the static files (hashed names, compressed), then gunicorn with
# deploy/gunicorn.conf.py and the task worker side by side; Ctrl-C stops both. Needs the
# production environment (SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL…; see docs/deploy.md).
serve: $(VENV)/.installed
	$(MANAGE) collectstatic --noinput -v 0
	$(PY) tools/serve.py

# A backup of the database (pg_dump custom format, or SQLite's online backup) under var/backups.
backup: $(VENV)/.installed
	$(MANAGE) backup

# Seeding at scale on PostgreSQL (needs DATABASE_URL): prints the time taken.
bench-seed: install
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) seed_demo --children 100000 --seed 1 --quiet-logins

# National scale (issue 12 D): a Wales-wide synthetic data set in DATABASE_URL's database (PostgreSQL
# only; use a scratch database such as nyth_national), then the manager's and practitioner's pages
# timed. Writes bench/results/national_pages.json and .md (LABEL names the run).
bench-national: install
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) seed_national --children 100000 --contacts-per-child 20
	$(PY) bench/national_pages.py --label $(or $(LABEL),latest)

# The quarterly return at national scale (issue 15): each indicator as Nyth computes it against a
# hand-written SQL query (bench/report_sql/), numbers checked equal, medians of 5 runs, and the region
# page (the suppressed report, all indicators) timed. DATABASE_URL: a database seeded by seed_national
# (run again, it tops up one seeded before it made events and measurements). Not part of CI.
# Writes bench/results/report.json and bench/results/report_explain/.
bench-report: install
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) seed_national --children $(or $(CHILDREN),100000) --contacts-per-child 20
	$(PY) bench/report.py $(if $(PERIOD),--period $(PERIOD))

# Identity matching: precision, recall and lookup time on a labelled synthetic set in a database of its
# own (created and dropped; never the demo database). Set DATABASE_URL to PostgreSQL for the timing
# that counts; on SQLite it runs too, with a note. Writes bench/results/identity.json.
bench-identity: $(VENV)/.installed
	$(PY) bench/identity.py

clean:
	rm -rf $(VENV) node_modules core/static/govuk var
