package pricing

import (
	"bytes"
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	"github.com/shopspring/decimal"
)

//go:embed snapshot/*.csv
var snapshotFS embed.FS

var snapshotHeader = []string{"provider", "region", "item", "unit", "price", "currency", "as_of", "ref"}

var (
	snapshotOnce  sync.Once
	snapshotTable *Table
	snapshotErr   error
)

// Snapshot returns the embedded list-price snapshot. Every row carries the
// date it was read and where it comes from.
func Snapshot() (*Table, error) {
	snapshotOnce.Do(func() {
		entries, err := snapshotFS.ReadDir("snapshot")
		if err != nil {
			snapshotErr = err
			return
		}
		var all []Price
		for _, e := range entries {
			data, err := snapshotFS.ReadFile("snapshot/" + e.Name())
			if err != nil {
				snapshotErr = err
				return
			}
			prices, err := ParseCSV("snapshot/"+e.Name(), bytes.NewReader(data), SourceSnapshot)
			if err != nil {
				snapshotErr = err
				return
			}
			all = append(all, prices...)
		}
		snapshotTable, snapshotErr = NewTable(all)
	})
	return snapshotTable, snapshotErr
}

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// ParseCSV reads a price table with the columns
// provider,region,item,unit,price,currency,as_of,ref. Errors name the file,
// line and column. Lines starting with # are comments.
func ParseCSV(name string, r io.Reader, source string) ([]Price, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1 // checked below, with file, line and counts
	head, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s:1: header: file is empty, want %q", name, strings.Join(snapshotHeader, ","))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", name, err)
	}
	if strings.Join(head, ",") != strings.Join(snapshotHeader, ",") {
		line, _ := cr.FieldPos(0)
		return nil, fmt.Errorf("%s:%d: header: got %q, want %q", name, line, strings.Join(head, ","), strings.Join(snapshotHeader, ","))
	}
	var out []Price
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(snapshotHeader) {
			return nil, fmt.Errorf("%s:%d: fields: got %d, want %d (%s)", name, line, len(rec), len(snapshotHeader), strings.Join(snapshotHeader, ","))
		}
		amount, err := decimal.NewFromString(rec[4])
		if err != nil || amount.IsNegative() {
			return nil, fmt.Errorf("%s:%d: price: %q is not a non-negative decimal", name, line, rec[4])
		}
		p := Price{Provider: rec[0], Region: rec[1], Item: rec[2], Unit: rec[3], Amount: amount,
			Currency: rec[5], AsOf: rec[6], Ref: rec[7], Source: source}
		switch {
		case p.Provider == "":
			return nil, fmt.Errorf("%s:%d: provider: required", name, line)
		case p.Item == "":
			return nil, fmt.Errorf("%s:%d: item: required", name, line)
		case !knownUnit(p.Unit):
			return nil, fmt.Errorf("%s:%d: unit: %q is not one of GB-Mo, IOPS-Mo, MiBps-Mo, Hrs, User-Mo, GB", name, line, p.Unit)
		case len(p.Currency) != 3 || strings.ToUpper(p.Currency) != p.Currency:
			return nil, fmt.Errorf("%s:%d: currency: %q is not an ISO 4217 code", name, line, p.Currency)
		case !dateRE.MatchString(p.AsOf):
			return nil, fmt.Errorf("%s:%d: as_of: %q is not YYYY-MM-DD", name, line, p.AsOf)
		case strings.TrimSpace(p.Ref) == "":
			return nil, fmt.Errorf("%s:%d: ref: every price needs its source", name, line)
		}
		out = append(out, p)
	}
}

func knownUnit(u string) bool {
	switch u {
	case UnitGBMonth, UnitIOPSMonth, UnitMiBpsMonth, UnitHour, UnitUserMonth, UnitGB:
		return true
	}
	return false
}
