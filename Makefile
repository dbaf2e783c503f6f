# ghostaudit developer targets. `make test` is what CI runs (.ci/run).
GO      ?= go
BIN     ?= bin/ghostaudit
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.buildVersion=$(VERSION)

.PHONY: all build test demo bench lint fmt-check fuzz clean

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
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

lint: fmt-check
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l cmd scanners findings report internal testdata); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

# A short run of every fuzz target (parsers of untrusted input).
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzDecodeInventory -fuzztime 20s ./scanners/
	$(GO) test -run '^$$' -fuzz FuzzParseCSV -fuzztime 20s ./findings/pricing/
	$(GO) test -run '^$$' -fuzz FuzzText -fuzztime 20s ./report/sanitize/
	$(GO) test -run '^$$' -fuzz FuzzLoad -fuzztime 20s ./scanners/aws/awssim/

clean:
	rm -rf bin ghostaudit-demo.xlsx
