// Package scanners defines the contract between ghostaudit's scanners and
// the rest of the tool: the Scanner interface, the records a scanner emits
// (Resource, Seat, Gap), the Registry of built-in scanners, the Runner that
// executes them with failure isolation, and the Inventory they produce.
//
// Nothing in this package talks to a cloud; provider packages such as
// scanners/aws do, and they only emit records through a Sink.
package scanners

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/spf13/pflag"
)

// Scanner enumerates one provider's resources and seats.
//
// Scan returns an error only when nothing useful could be produced (for
// example no usable credentials); partial failures such as one denied region
// are reported as Gaps through the sink and Scan returns nil.
type Scanner interface {
	Scan(ctx context.Context, sink Sink) error
}

// Sink receives what a scanner finds. Implementations are safe for
// concurrent use, so a scanner may emit from many goroutines.
type Sink interface {
	Resource(Resource)
	Seat(Seat)
	Gap(Gap)
}

// Options is a scanner's typed option struct. Every scanner has one; the
// CLI binds its flags as --<scanner>-<option> and env GHOSTAUDIT_<SCANNER>_<OPTION>.
type Options interface {
	// AddFlags registers the options on fs; flag names carry the scanner prefix.
	AddFlags(fs *pflag.FlagSet)
	// Validate reports the first invalid option, naming it.
	Validate() error
	// Redacted returns a copy safe to log or report: secrets are replaced.
	// Only the redacted form is ever logged.
	Redacted() Options
}

// Progress receives coarse progress events; it may be nil. Implementations
// are safe for concurrent use.
type Progress interface {
	// Total announces how many units of work (e.g. account × region scopes)
	// a scanner has found to do; it may be called again as more are found.
	Total(scanner string, units int)
	// Step reports that one unit of work finished.
	Step(scanner, scope string)
	// Found reports records emitted so far by a scanner.
	Found(scanner string, records int)
}

// Env is what the CLI hands every scanner: injected so tests control it.
type Env struct {
	Logger     *slog.Logger     // already scoped with scanner=<name>
	Now        func() time.Time // the scan clock; every ObservedAt comes from it
	HTTPClient *http.Client     // shared transport; nil means the SDK default
	Progress   Progress         // may be nil
}

// Credentials describes whether a scanner can find credentials without
// scanning, for default scanner selection and `scanners list`.
type Credentials struct {
	Found bool
	// Source says where they were found, or, when not found, how to provide them.
	Source string
}

// Info describes a scanner to the registry.
type Info struct {
	Name        string   // "aws", "gcp", "m365": unique, lower case, also the flag/env prefix
	Description string   // one line for `scanners list`
	Kinds       []string // what it can emit: "aws.ebs.volume", "m365.license.sku", ...
	// NewOptions returns the scanner's typed options with documented defaults.
	NewOptions func() Options
	// New builds a scanner; it does not contact the provider.
	New func(Options, Env) (Scanner, error)
	// DetectCredentials reports, cheaply and without network calls, whether
	// the scanner is likely to find credentials. Nil means "never by default".
	DetectCredentials func(Options) Credentials
}

// ErrNoCredentials is wrapped by a scanner that could not find usable
// credentials. The CLI maps it to exit code 4.
var ErrNoCredentials = errors.New("no usable credentials")

// ErrReadOnly is wrapped by a client-side guard that refused to send an
// operation that is not on the scanner's read allow-list.
var ErrReadOnly = errors.New("refused by the read-only guard: operation is not on the read allow-list")
