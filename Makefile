# Oriel's build and test entry points. `make test` is what CI runs (.ci/run):
# on a fresh machine, as root, it installs and starts what the tests need,
# then runs every check. It needs no terminal and works with CI=true.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := test
.DELETE_ON_ERROR:
MAKEFLAGS += --no-print-directory

export DEBIAN_FRONTEND := noninteractive

GO ?= go
# Extra `go test` flags, e.g. make go-test TESTFLAGS='-run TestServe -v'.
# CI never reuses cached test results.
TESTFLAGS ?= $(if $(CI),-count=1)

.PHONY: test deps postgres node chromium js js-test fmt vet go-test fuzz build run bench

## test: everything CI checks, in order from cheapest to slowest.
test: deps js fmt vet go-test js-test fuzz

## deps: what the tests need on this machine.
deps: postgres node chromium

## postgres: start the local PostgreSQL when it is down, and wait until it answers.
postgres:
	@if ! pg_isready -q -h 127.0.0.1; then \
	  echo "Starting PostgreSQL"; \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start || true; \
	fi
	@for i in $$(seq 60); do pg_isready -q -h 127.0.0.1 && exit 0; sleep 1; done; \
	  echo "PostgreSQL is not answering on 127.0.0.1:5432" >&2; exit 1

## node: install the npm packages (from package-lock.json) when the repo has a package.json.
node: $(if $(wildcard package.json),node_modules/.package-lock.json)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

## chromium: install Debian's Chromium for the browser tests, unless it is there.
chromium: /usr/bin/chromium

/usr/bin/chromium:
	apt-get update -q
	apt-get install -y -q chromium

## js: rebuild the committed JavaScript bundles (the SDK in web/dist/sdk, the
## demo's React page) and fail when they differ from the committed ones.
JS_BUILT := web/dist/sdk internal/demo/partner/static/react-app.js

js: node
	npm run build:sdk
	npm run build:demo
	@if ! git diff --quiet -- $(JS_BUILT) || [ -n "$$(git status --porcelain -- $(JS_BUILT))" ]; then \
	  echo "Built JavaScript is stale: run 'npm run build:sdk && npm run build:demo' and commit the result." >&2; \
	  git status --short -- $(JS_BUILT) >&2; exit 1; \
	fi

## js-test: the SDK's type check and unit tests, then the node tests
## (browser tests in Chromium, JS compatibility checks).
js-test: node chromium
	npm run test:unit
	npm test

## fmt: fail, listing the files, when any Go file is not gofmt-ed.
fmt:
	@files=$$(find . \( -name node_modules -o -name '.?*' \) -prune -o -name '*.go' -print | xargs gofmt -l); \
	if [ -n "$$files" ]; then echo "These files need gofmt -w:"; echo "$$files"; exit 1; fi

vet:
	$(GO) vet ./...

## go-test: all Go tests with the race detector, on SQLite and PostgreSQL.
go-test: postgres
	$(GO) test -race -timeout 15m $(TESTFLAGS) ./...

## fuzz: a short run of every fuzz target (scripts/fuzz.sh finds them).
fuzz:
	scripts/fuzz.sh

## build: the oriel binary, in bin/.
build:
	$(GO) build -o bin/oriel ./cmd/oriel

## bench: the load benchmark (scripts/bench): Oriel beside a trivial Go
## handler, under wrk, on SQLite and PostgreSQL. Not part of `make test`.
bench: postgres
	scripts/bench $(BENCHFLAGS)

## run: the server in development mode on http://localhost:8080.
run:
	$(GO) run ./cmd/oriel serve --dev
