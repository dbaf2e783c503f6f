package report

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/ghostaudit/ghostaudit/findings"
	"github.com/ghostaudit/ghostaudit/findings/pricing"
	"github.com/ghostaudit/ghostaudit/scanners"
)

// JSON writes the findings.Result as indented JSON, schema
// findings.ResultSchema. Strings are JSON strings: a hostile name stays
// data, so no sanitizing is applied (consumers get the raw values).
type JSON struct{}

// Format implements Writer.
func (JSON) Format() string { return "json" }

// Write implements Writer. Empty lists are written as [] rather than null,
// and an empty schema is filled in; res itself is not modified.
func (JSON) Write(w io.Writer, res *findings.Result) error {
	out := *res
	switch out.Schema {
	case "":
		out.Schema = findings.ResultSchema
	case findings.ResultSchema:
	default:
		return fmt.Errorf("json: result schema %q, this version writes %q", out.Schema, findings.ResultSchema)
	}
	out.Findings = nonNil(out.Findings)
	out.Status = nonNil(out.Status)
	out.Gaps = nonNil(out.Gaps)
	out.Prices = nonNil(out.Prices)
	out.Missing = nonNil(out.Missing)
	out.Thresholds = nonNil(out.Thresholds)
	out.Totals.ByCategory = nonNil(out.Totals.ByCategory)
	out.Totals.ByProvider = nonNil(out.Totals.ByProvider)
	out.Totals.SpendByClass = nonNil(out.Totals.SpendByClass)
	out.CostLines = nonNil(out.CostLines)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&out); err != nil {
		return fmt.Errorf("json: %w", err)
	}
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Compile-time checks that the element types are what the JSON document
// documents.
var (
	_ []pricing.Price       = findings.Result{}.Prices
	_ []scanners.Gap        = findings.Result{}.Gaps
	_ []scanners.ScanStatus = findings.Result{}.Status
)
