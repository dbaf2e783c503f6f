// Package ledger is ghostaudit's history store for CI tracking: it records
// every run (time, scope, tool version, totals, coverage) and every finding
// by its stable ID with first seen, last seen and the savings estimated at
// each sighting. From that history it diffs a run against a baseline (new,
// resolved, changed and still-open findings, realised savings), evaluates
// --fail-on thresholds and draws the identified-versus-realised trend.
//
// The store is an embedded SQLite file by default (modernc.org/sqlite, no
// cgo) and PostgreSQL (pgx through database/sql) for CI runners that share
// nothing. One SQL layer serves both: statements are written with "?"
// placeholders and rebound for PostgreSQL, and the few dialect differences
// (identity columns, numeric and boolean types) live in the migrations.
//
// A finding that disappears because its resource is gone or fixed is
// realised at its last estimated savings; one that disappears only because
// the current run did not cover its provider, account or region (a
// scanners.Gap) is not.
package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver
)

// dialect names the SQL flavour of a store.
type dialect string

const (
	dialectSQLite   dialect = "sqlite"
	dialectPostgres dialect = "postgres"
)

// Ledger is an open history store. It is safe for concurrent use; every
// write is one transaction.
type Ledger struct {
	db      *sql.DB
	dialect dialect
	dsn     string // redacted, for errors

	// Now stamps recorded_at; tests replace it.
	Now func() time.Time

	// midRecord, when set, is called inside Record's transaction after the
	// run and its findings are written and before the commit. Tests use it to
	// kill a writer mid-transaction.
	midRecord func(ctx context.Context, id RunID)
}

// Open opens (creating if needed) the ledger named by dsn and brings its
// schema up to date. A dsn starting with postgres:// or postgresql:// is a
// PostgreSQL connection URL; "sqlite:PATH" or a plain file path is an SQLite
// file (its directory is created). Errors name the DSN with any password
// redacted.
func Open(ctx context.Context, dsn string) (*Ledger, error) {
	l, err := open(dsn)
	if err != nil {
		return nil, err
	}
	if err := l.migrate(ctx, len(migrations)); err != nil {
		l.db.Close()
		return nil, err
	}
	return l, nil
}

// open connects without migrating.
func open(dsn string) (*Ledger, error) {
	red := RedactDSN(dsn)
	if strings.TrimSpace(dsn) == "" {
		return nil, errors.New("ledger: empty DSN: give a file path, sqlite:PATH or postgres://")
	}
	l := &Ledger{dsn: red, Now: time.Now}
	lower := strings.ToLower(dsn)
	switch {
	case strings.HasPrefix(lower, "postgres://"), strings.HasPrefix(lower, "postgresql://"):
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("ledger %s: %w", red, err)
		}
		l.db, l.dialect = db, dialectPostgres
	case strings.Contains(dsn, "://") && !strings.HasPrefix(lower, "sqlite:"):
		return nil, fmt.Errorf("ledger %s: unsupported DSN scheme: give a file path, sqlite:PATH, postgres:// or postgresql://", red)
	default:
		path := dsn
		if strings.HasPrefix(lower, "sqlite:") {
			path = strings.TrimPrefix(dsn[len("sqlite:"):], "//")
		}
		if path == "" {
			return nil, fmt.Errorf("ledger %s: no file path", red)
		}
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("ledger %s: %w", red, err)
			}
		}
		db, err := sql.Open("sqlite", sqliteURI(path))
		if err != nil {
			return nil, fmt.Errorf("ledger %s: %w", red, err)
		}
		// One connection: the CLI is one writer, and it keeps SQLite's
		// locking out of the picture inside a process.
		db.SetMaxOpenConns(1)
		l.db, l.dialect = db, dialectSQLite
	}
	return l, nil
}

// sqliteURI builds the modernc.org/sqlite DSN for a file: WAL so readers do
// not block the writer, a busy timeout for a concurrent CI job, foreign keys
// on, and BEGIN IMMEDIATE so a transaction takes the write lock up front.
func sqliteURI(path string) string {
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + esc + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_txlock=immediate"
}

// Close closes the store.
func (l *Ledger) Close() error { return l.db.Close() }

// String returns the redacted DSN.
func (l *Ledger) String() string { return l.dsn }

var kvPassword = regexp.MustCompile(`(?i)(password=)[^&\s]*`)

// RedactDSN returns dsn with any password replaced by "xxxxx", for logs
// and errors.
func RedactDSN(dsn string) string {
	out := dsn
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "" {
		out = u.Redacted()
	} else if i := strings.Index(dsn, "://"); i >= 0 {
		// Unparseable URL: blank anything between the first ':' after the
		// scheme and the '@'.
		rest := dsn[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if c := strings.Index(rest[:at], ":"); c >= 0 {
				rest = rest[:c+1] + "xxxxx" + rest[at:]
			}
		}
		out = dsn[:i+3] + rest
	}
	return kvPassword.ReplaceAllString(out, "${1}xxxxx")
}

// q rebinds a statement written with "?" placeholders for the dialect.
// Statements here never contain a literal '?'.
func (l *Ledger) q(s string) string {
	if l.dialect != dialectPostgres {
		return s
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// errf wraps an error with the ledger's redacted DSN.
func (l *Ledger) errf(format string, args ...any) error {
	return fmt.Errorf("ledger %s: "+format, append([]any{l.dsn}, args...)...)
}
