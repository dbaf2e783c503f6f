package ledger

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestParseFailOn(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		expr, metric, op, value, rule string
	}{
		{"new-savings>=500", MetricNewSavings, ">=", "500", ""},
		{" total-savings >= 10000.50 ", MetricTotalSavings, ">=", "10000.5", ""},
		{"new-findings>3", MetricNewFindings, ">", "3", ""},
		{"rule=aws.ebs.unattached", MetricRule, "=", "0", "aws.ebs.unattached"},
		{"NEW-SAVINGS>=0", MetricNewSavings, ">=", "0", ""},
	} {
		th, err := ParseFailOn(tc.expr)
		if err != nil {
			t.Errorf("%q: %v", tc.expr, err)
			continue
		}
		if th.Metric != tc.metric || th.Op != tc.op || th.Value.String() != tc.value || th.Rule != tc.rule {
			t.Errorf("%q = %+v", tc.expr, th)
		}
	}
	for _, tc := range []struct{ expr, why string }{
		{"new-savings>=abc", `"abc" is not a number`},
		{"new-savings", "no operator"},
		{"savings>=5", `unknown metric "savings"`},
		{">=5", "no metric"},
		{"new-savings=5", "takes >= or >"},
		{"rule>=5", "rule takes ="},
		{"rule=", "is not a rule id"},
		{"total-savings>=-1", "negative"},
		{"new-findings>=1.5", "whole number"},
	} {
		_, err := ParseFailOn(tc.expr)
		if err == nil || !strings.Contains(err.Error(), tc.why) || !strings.Contains(err.Error(), `"`+tc.expr+`"`) {
			t.Errorf("%q: err = %v, want one naming the expression and %q", tc.expr, err, tc.why)
		}
	}
	ts, err := ParseFailOnAll([]string{"new-savings>=500, rule=aws.ebs.gp2", "new-findings>=1"})
	if err != nil || len(ts) != 3 {
		t.Errorf("ParseFailOnAll = %v, %v", ts, err)
	}
	if _, err := ParseFailOnAll([]string{"new-savings>=1,bogus"}); err == nil || !strings.Contains(err.Error(), `"bogus"`) {
		t.Errorf("ParseFailOnAll with a bad part: %v", err)
	}
}

func TestEvaluateOnAcceptanceDiff(t *testing.T) {
	t.Parallel()
	cur := scan2()
	d := Compare(FromResult(scan1()), FromResult(cur))
	exprs := []string{
		"new-savings>=12.34",        // crossed: exactly at the threshold
		"new-savings>12.34",         // not crossed
		"new-savings>=500",          // not crossed
		"total-savings>=142.34",     // crossed
		"total-savings>=10000",      // not crossed
		"new-findings>=1",           // crossed
		"new-findings>=2",           // not crossed
		"rule=aws.ebs.gp2",          // crossed: vol-h
		"rule=aws.ebs.snapshot.old", // not crossed: snap-g is suppressed
		"rule=aws.ebs.unattached",   // not crossed: vol-a is gone, vol-d was not seen
		"rule=aws.rds.idle",         // crossed: unpriced findings still count
	}
	ts, err := ParseFailOnAll(exprs)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range Evaluate(d, cur, ts) {
		got = append(got, c.Threshold.Expr+" => "+c.Actual+" | "+c.Message)
	}
	want := []string{
		"new-savings>=12.34 => 12.34 | new-savings>=12.34: 1 new findings save 12.34 USD/month",
		"total-savings>=142.34 => 142.34 | total-savings>=142.34: findings save 142.34 USD/month in total",
		"new-findings>=1 => 1 | new-findings>=1: 1 new findings",
		"rule=aws.ebs.gp2 => 1 | rule=aws.ebs.gp2: 1 unsuppressed findings (" + fH.ID + ")",
		"rule=aws.rds.idle => 1 | rule=aws.rds.idle: 1 unsuppressed findings (" + fF.ID + ")",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("crossed:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Without a baseline the new-* thresholds are not evaluated; the rest are.
	if c := Evaluate(nil, cur, ts); len(c) != 3 {
		t.Errorf("Evaluate without a diff crossed %d thresholds, want 3", len(c))
	}
	// Without the result, total and rule fall back on the diff's current side.
	if c := Evaluate(d, nil, ts); len(c) != 5 {
		t.Errorf("Evaluate without a result crossed %d thresholds, want 5", len(c))
	}
}

func TestOpenErrorsRedactPassword(t *testing.T) {
	t.Parallel()
	for dsn, want := range map[string]string{
		"postgres://ci:s3cret@db.example:5432/ledger?sslmode=require": "postgres://ci:xxxxx@db.example:5432/ledger?sslmode=require",
		"postgresql://ci@db/ledger?password=s3cret&sslmode=disable":   "postgresql://ci@db/ledger?password=xxxxx&sslmode=disable",
		"postgres://ci:s3cret@db:bad-port/ledger":                     "postgres://ci:xxxxx@db:bad-port/ledger",
		"/var/lib/ghostaudit/ledger.db":                               "/var/lib/ghostaudit/ledger.db",
	} {
		if got := RedactDSN(dsn); got != want {
			t.Errorf("RedactDSN(%q) = %q, want %q", dsn, got, want)
		}
	}
	// Nothing listens on port 1: the connection error must not leak the password.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, err := Open(ctx, "postgres://ci:s3cret@127.0.0.1:1/ledger?sslmode=disable&connect_timeout=5")
	if err == nil {
		t.Fatal("Open on a closed port succeeded")
	}
	if strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "postgres://ci:xxxxx@127.0.0.1:1/ledger") {
		t.Errorf("error = %v", err)
	}
	if _, err := Open(ctx, "mysql://ci:s3cret@db/ledger"); err == nil || !strings.Contains(err.Error(), "unsupported DSN scheme") ||
		strings.Contains(err.Error(), "s3cret") {
		t.Errorf("Open(mysql://) = %v", err)
	}
	if _, err := Open(ctx, "sqlite:"); err == nil || !strings.Contains(err.Error(), "no file path") {
		t.Errorf("Open(sqlite:) = %v", err)
	}
}

func TestBaselineReferences(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, dsn string) {
		ctx := t.Context()
		l := mustOpen(t, dsn)
		if _, err := l.Baseline(ctx, "previous", Scope{Name: "prod"}); err == nil || !strings.Contains(err.Error(), "no complete run") {
			t.Errorf("previous on an empty ledger: %v", err)
		}
		id := mustRecord(t, l, scan1(), Scope{Name: "prod"})
		for _, ref := range []string{"previous", "latest", id.String(), "run:" + id.String()} {
			s, err := l.Baseline(ctx, ref, Scope{Name: "prod"})
			if err != nil || s.Run != id || len(s.Findings) != 7 {
				t.Errorf("Baseline(%q) = %+v, %v", ref, s, err)
			}
		}
		for _, ref := range []string{"", "999", "no-such-file.json"} {
			if _, err := l.Baseline(ctx, ref, Scope{Name: "prod"}); err == nil {
				t.Errorf("Baseline(%q) succeeded", ref)
			}
		}
	})
}
