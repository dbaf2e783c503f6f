# ghostaudit developer targets. `make test` is what CI runs (.ci/run).
GO      ?= go
BIN     ?= bin/ghostaudit
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.buildVersion=$(VERSION)

.PHONY: all build test demo bench bench-workbook verify-workbook lint fmt-check fuzz clean

all: lint test

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/ghostaudit

# Offline and deterministic: scanners run against the in-process simulators.
test:
	$(GO) test -count=1 ./...

# The demo audit: simulators in-process, workbook in ghostaudit-demo.xlsx.
demo:
	$(GO) run ./cmd/ghostaudit demo

# Benchmarks report ratios measured side by side in one run.
bench: bench-workbook
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Findings sheet of 100k and 1M rows × 15 columns: excelize StreamWriter vs
# Python XlsxWriter constant_memory (python3-xlsxwriter), wall time and
# peak RSS each in its own process, with the ratio table.
BENCH_ROWS ?= 100000,1000000
bench-workbook:
	$(GO) build -o bin/xlsxbench ./report/cmd/xlsxbench
	./bin/xlsxbench -rows $(BENCH_ROWS)

# The demo workbook checked by LibreOffice: each sheet prints on its pages
# (Executive Summary on one), cached values equal LibreOffice's own
# recalculation. Installs libreoffice-calc and poppler-utils when apt-get
# is available; otherwise prints why it was skipped and succeeds.
VERIFY_DIR ?= /tmp/ghostaudit-verify
verify-workbook:
	@if ! command -v soffice >/dev/null || ! command -v pdftoppm >/dev/null; then \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    echo "verify-workbook: installing libreoffice-calc poppler-utils"; \
	    (timeout 1500 apt-get update -qq && DEBIAN_FRONTEND=noninteractive timeout 1500 apt-get install -y -qq --no-install-recommends libreoffice-calc poppler-utils >/dev/null) \
	      || echo "verify-workbook: apt-get install failed"; \
	  fi; \
	fi
	@if ! command -v soffice >/dev/null || ! command -v pdftoppm >/dev/null; then \
	  echo "verify-workbook: SKIPPED: LibreOffice (soffice) or poppler-utils not installed and not installable here"; exit 0; \
	fi; \
	mkdir -p $(VERIFY_DIR) && \
	$(GO) run ./cmd/ghostaudit demo -o xlsx=$(VERIFY_DIR)/demo.xlsx --format none >/dev/null && \
	GHOSTAUDIT_VERIFY_WORKBOOK=1 GHOSTAUDIT_VERIFY_XLSX=$(VERIFY_DIR)/demo.xlsx GHOSTAUDIT_VERIFY_OUT=$(VERIFY_DIR) \
	  $(GO) test -count=1 -run '^TestVerifyWorkbook$$' -v ./report/ && \
	echo "verify-workbook: ok; PDF, PNG and CSVs in $(VERIFY_DIR)"

lint: fmt-check
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l cmd scanners findings report testdata); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

# A short run of every fuzz target (parsers of untrusted input).
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzDecodeInventory -fuzztime 20s ./scanners/
	$(GO) test -run '^$$' -fuzz FuzzParseCSV -fuzztime 20s ./findings/pricing/
	$(GO) test -run '^$$' -fuzz FuzzText -fuzztime 20s ./report/sanitize/
	$(GO) test -run '^$$' -fuzz FuzzLoad -fuzztime 20s ./scanners/aws/awssim/

clean:
	rm -rf bin ghostaudit-demo.xlsx
