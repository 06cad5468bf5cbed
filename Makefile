# Aether: `make demo` runs the lab, `make test` runs every test. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help
CONFIGURATION ?= Release
DOTNET ?= dotnet
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1

DEBIAN_PACKAGES := chromium kea-dhcp4-server kea-ctrl-agent kea-admin freeradius freeradius-postgresql freeradius-utils \
	nats-server postgresql nftables iproute2 isc-dhcp-client iperf3 libpcap0.8 curl dnsutils gettext-base \
	python3 iputils-ping procps util-linux dnsmasq-base dbus-daemon

.PHONY: help deps build web web-test lint test test-unit test-lab demo load churn down status clean

help:
	@echo "make demo   - install what is missing, build, start the lab and leave it running"
	@echo "make test   - install what is missing, build, lint the contracts and run every test"
	@echo "make down   - stop the lab and remove everything it made"
	@echo "make status - show what the lab is running"
	@echo "make load   - the load test against the running lab (lab/load.sh --count N --rate R for more)"
	@echo "make churn  - subscribers joining and leaving for 5 minutes; checks nothing keeps growing (lab/churn.sh)"

deps: .deps-debian node_modules/.bin/buf

.deps-debian: Makefile
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages: $$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -q && apt-get install -y -q --no-install-recommends $$missing; \
	fi
	@touch $@

node_modules/.bin/buf: package.json
	npm install --no-audit --no-fund --loglevel=error
	@touch $@

build: web
	$(DOTNET) build Aether.sln -c $(CONFIGURATION) -warnaserror

# The dashboard (web/), built into web/dist and served by the controller.
web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error

web: web/node_modules/.package-lock.json
	cd web && npm run build

web-test: web/node_modules/.package-lock.json
	cd web && npm run lint && npm run typecheck && npm test

lint: node_modules/.bin/buf
	npx --no-install buf lint

# The lab tests run after the others, alone: they drive real traffic and time-outs through a shared machine.
test: deps build lint web-test
	$(DOTNET) test Aether.sln -c $(CONFIGURATION) --no-build --filter "Category!=Lab" --logger "console;verbosity=normal"
	$(DOTNET) test tests/Aether.Lab.Tests -c $(CONFIGURATION) --no-build --logger "console;verbosity=normal"

test-unit: build
	$(DOTNET) test Aether.sln -c $(CONFIGURATION) --no-build --filter "Category!=Lab"

test-lab: deps build
	$(DOTNET) test tests/Aether.Lab.Tests -c $(CONFIGURATION) --no-build --logger "console;verbosity=normal"

demo: deps build
	lab/demo.sh

load: build
	lab/load.sh

churn: build
	lab/churn.sh

down:
	lab/lab.sh down

status:
	lab/lab.sh status

clean: down
	$(DOTNET) clean Aether.sln -c $(CONFIGURATION)
	rm -f .deps-debian
