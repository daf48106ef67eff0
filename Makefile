# The two commands a newcomer needs are `make demo` and `make test`; both set up
# everything they use (Terraform and the Alibaba SDK come from PyPI, pinned).

VERSION  := 0.1.0
OS_ARCH  := linux_amd64
SOURCE   := registry.terraform.io/actiontrail/actiontrail
MIRROR   ?= $(HOME)/.terraform.d/plugins
CARGO    ?= cargo

.PHONY: demo test lint tools build install bench release

## demo: build, fetch Terraform, start the emulator and plan the examples with the newest Terraform
demo:
	bash scripts/demo.sh

## test: every test: unit, emulator, the official SDK against the emulator, real Terraform
## (the release tests in a process of their own, beside the rest: scripts/test.sh)
test: tools
	CARGO="$(CARGO)" bash scripts/test.sh

# The offline RustSec snapshot and its checker, beside the repository when present.
ADVISORIES ?= ../shared/tools/advisories.py

## lint: formatting, clippy, Cargo.lock against the RustSec advisories, and the release
## workflow with actionlint and zizmor (pinned, from PyPI, into tools/lint-venv)
lint:
	bash scripts/lint-tools.sh
	tools/lint-venv/bin/actionlint .github/workflows/*.yml
	tools/lint-venv/bin/zizmor --offline .github/workflows/
	python3 scripts/lint-tests.py --self-test && python3 scripts/lint-tests.py
	$(CARGO) fmt --check
	$(CARGO) clippy --locked --all-targets -- -D warnings
	@if [ -f $(ADVISORIES) ]; then \
		python3 $(ADVISORIES) Cargo.lock advisories-accepted.txt; \
	else \
		echo "lint: no advisory snapshot at $(ADVISORIES), so Cargo.lock was not checked;" \
			"\`cargo deny check advisories\` runs the same check against the online database" \
			"(accepted advisories: advisories-accepted.txt)" >&2; \
	fi

## tools: pinned Terraform 1.15.5, 1.0.3 and 0.13.5, hashicorp/null, the Python SDK, into tools/
tools:
	bash scripts/fetch-tools.sh

build:
	$(CARGO) build --locked --release

## install: the release binary into a filesystem mirror Terraform searches by default
install: build
	install -d $(MIRROR)/$(SOURCE)/$(VERSION)/$(OS_ARCH)
	install -m 0755 target/release/terraform-provider-actiontrail \
		$(MIRROR)/$(SOURCE)/$(VERSION)/$(OS_ARCH)/terraform-provider-actiontrail_v$(VERSION)
	@echo "installed $(SOURCE) $(VERSION) into $(MIRROR)"

## bench: plan-level and micro benchmarks; writes BENCHMARKS.md
bench: tools build
	bash scripts/bench.sh

## release: dist/ as the Terraform Registry takes it: this platform's zip, the manifest,
## SHA256SUMS and its signature by the RSA key GPG_FINGERPRINT names (scripts/release.sh)
release:
	bash scripts/release.sh
