package ledger

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/findings"
	"github.com/ghostaudit/ghostaudit/scanners"
)

// postgresEnv holds a PostgreSQL DSN (a database the test may create
// schemas in); without it the PostgreSQL half of the suite is skipped.
const postgresEnv = "GHOSTAUDIT_TEST_POSTGRES"

// forEachStore runs one test body against a fresh SQLite file and, when
// GHOSTAUDIT_TEST_POSTGRES is set, against a fresh PostgreSQL schema.
func forEachStore(t *testing.T, body func(t *testing.T, dsn string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		body(t, "sqlite:"+filepath.Join(t.TempDir(), "ledger", "ghostaudit.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		base := os.Getenv(postgresEnv)
		if base == "" {
			t.Skipf("%s is not set: PostgreSQL half of the suite skipped (testdata/start-postgres.sh starts one)", postgresEnv)
		}
		body(t, postgresSchema(t, base))
	})
}

// postgresSchema creates a throwaway schema and returns a DSN whose
// search_path points at it, so parallel tests never share tables.
func postgresSchema(t *testing.T, base string) string {
	t.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	schema := "ga_test_" + hex.EncodeToString(b[:])
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		db.Close()
		t.Fatalf("create schema on %s: %v", RedactDSN(base), err)
	}
	t.Cleanup(func() {
		if _, err := db.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		db.Close()
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}

func mustOpen(t *testing.T, dsn string) *Ledger {
	t.Helper()
	l, err := Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func mustRecord(t *testing.T, l *Ledger, res *findings.Result, scope Scope) RunID {
	t.Helper()
	id, err := l.Record(t.Context(), res, scope)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func rawCount(t *testing.T, l *Ledger, query string, args ...any) int {
	t.Helper()
	var n int
	if err := l.db.QueryRowContext(t.Context(), l.q(query), args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func dec(s string) *decimal.Decimal {
	d := decimal.RequireFromString(s)
	return &d
}

// fnd builds a finding the way the engine would: the ID from rule and key.
// savings "" is unpriced.
func fnd(rule, account, region, kind, id, savings string) findings.Finding {
	key := scanners.MakeKey("aws", account, region, kind, id)
	f := findings.Finding{
		ID: findings.FindingID(rule, key), Rule: rule, Category: findings.CategoryIdleInfrastructure,
		Provider: "aws", Account: account, Region: region, ResourceKind: kind, ResourceID: id, ResourceKey: key,
		Title: rule + " " + id, Currency: "USD",
	}
	if savings != "" {
		f.MonthlySavings = dec(savings)
		f.AnnualSavings = findings.Money(f.MonthlySavings.Mul(decimal.NewFromInt(12)))
	} else {
		f.Unpriced = "no price for " + kind
	}
	return f
}

func suppressed(f findings.Finding) findings.Finding {
	f.Suppression = &findings.Suppression{Rule: "*", Resource: f.ResourceKey, Reason: "kept for audit", Source: "tag ghostaudit:ignore"}
	return f
}

// result builds a findings.Result with totals computed as the engine does
// (priced, unsuppressed findings only).
func result(at time.Time, fs []findings.Finding, gaps ...scanners.Gap) *findings.Result {
	res := &findings.Result{
		Schema: findings.ResultSchema, ToolVersion: "v0.9.0-test", ScannedAt: at, Findings: fs, Gaps: gaps,
		Status:    []scanners.ScanStatus{{Scanner: "aws", Started: at, Succeeded: true}},
		Resources: 40,
	}
	t := findings.Totals{Currency: "USD", Findings: len(fs)}
	for i := range fs {
		f := &fs[i]
		switch {
		case f.Suppressed():
			t.Suppressed++
		case !f.Priced():
			t.Unpriced++
		}
		if f.Priced() {
			t.Priced++
		}
		if f.Counted() {
			t.MonthlySavings = t.MonthlySavings.Add(*f.MonthlySavings)
		}
	}
	t.AnnualSavings = t.MonthlySavings.Mul(decimal.NewFromInt(12))
	res.Totals = t
	return res
}

var t0 = time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)
