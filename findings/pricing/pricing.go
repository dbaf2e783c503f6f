// Package pricing answers "what does this cost per unit" for the findings
// engine, from layered sources: config overrides (negotiated prices) over
// billing actuals over live price APIs over the embedded, dated snapshot.
//
// A price that no layer knows is reported as not found, never as zero: the
// finding that needed it is then "unpriced" and shown as such.
package pricing

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/shopspring/decimal"
)

// Sources of a price, from most to least authoritative.
const (
	SourceOverride = "override" // ghostaudit.yaml prices: negotiated or discounted
	SourceBilling  = "billing"  // actual rates from a billing export
	SourceLive     = "live"     // a provider price API, fetched at run time
	SourceSnapshot = "snapshot" // the embedded, dated list-price snapshot
	// SourceProvider is a saving estimated by the provider itself (e.g. the
	// GCP Recommender's costProjection), which may reflect contract prices.
	SourceProvider = "provider-estimate"
)

// Units, written as the AWS Price List writes them.
const (
	UnitGBMonth    = "GB-Mo"    // per GiB provisioned per month
	UnitIOPSMonth  = "IOPS-Mo"  // per provisioned IOPS per month
	UnitMiBpsMonth = "MiBps-Mo" // per provisioned MiB/s per month
	UnitHour       = "Hrs"      // per hour; monthly = 730 hours
	UnitUserMonth  = "User-Mo"  // per licensed user per month
	UnitMonth      = "Month"    // a monthly amount (provider estimates)
	UnitGB         = "GB"       // per GB processed or transferred (NAT gateway data)
)

// HoursPerMonth is the AWS and Infracost convention for a monthly run-rate.
var HoursPerMonth = decimal.NewFromInt(730)

// Price is one unit price with its provenance.
type Price struct {
	Provider string          `json:"provider"` // "aws"
	Region   string          `json:"region"`   // "us-east-1"; "" for global prices
	Item     string          `json:"item"`     // "ebs.gp3.storage"
	Unit     string          `json:"unit"`     // UnitGBMonth, ...
	Amount   decimal.Decimal `json:"amount"`
	Currency string          `json:"currency"` // ISO 4217, "USD" for list prices
	Source   string          `json:"source"`   // SourceSnapshot, ...
	Ref      string          `json:"ref"`      // where the figure comes from: URL or document
	AsOf     string          `json:"as_of"`    // YYYY-MM-DD the figure was read
}

// Monthly converts the price to a per-month amount for quantity units of
// its unit: hourly prices are multiplied by 730.
func (p Price) Monthly(quantity decimal.Decimal) decimal.Decimal {
	if p.Unit == UnitHour {
		return p.Amount.Mul(HoursPerMonth).Mul(quantity)
	}
	return p.Amount.Mul(quantity)
}

// Key identifies a price in a catalog.
func Key(provider, region, item string) string { return provider + "|" + region + "|" + item }

// Catalog looks up unit prices. Implementations are safe for concurrent use.
type Catalog interface {
	// Lookup returns the price of item in region; ok is false when unknown.
	Lookup(provider, region, item string) (p Price, ok bool)
}

// Layered is a Catalog that asks each layer in order and records every
// price it handed out, so reports can list the prices actually used.
type Layered struct {
	Layers []Catalog
	mu     sync.Mutex
	used   map[string]Price
	missed map[string]bool
}

// Lookup implements Catalog.
func (l *Layered) Lookup(provider, region, item string) (Price, bool) {
	for _, layer := range l.Layers {
		if p, ok := layer.Lookup(provider, region, item); ok {
			l.mu.Lock()
			if l.used == nil {
				l.used = map[string]Price{}
			}
			l.used[Key(provider, region, item)] = p
			l.mu.Unlock()
			return p, true
		}
	}
	l.mu.Lock()
	if l.missed == nil {
		l.missed = map[string]bool{}
	}
	l.missed[Key(provider, region, item)] = true
	l.mu.Unlock()
	return Price{}, false
}

// Used returns the prices handed out so far, sorted by key.
func (l *Layered) Used() []Price {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Price, 0, len(l.used))
	for _, p := range l.used {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		return Key(out[i].Provider, out[i].Region, out[i].Item) < Key(out[j].Provider, out[j].Region, out[j].Item)
	})
	return out
}

// Missed returns the look-ups no layer could answer, as "provider region item".
func (l *Layered) Missed() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for k := range l.missed {
		out = append(out, strings.ReplaceAll(k, "|", " "))
	}
	sort.Strings(out)
	return out
}

// Table is an in-memory Catalog, used for the snapshot and for overrides.
type Table struct {
	prices map[string]Price
}

// NewTable builds a table; a duplicate key is an error.
func NewTable(prices []Price) (*Table, error) {
	t := &Table{prices: make(map[string]Price, len(prices))}
	for _, p := range prices {
		k := Key(p.Provider, p.Region, p.Item)
		if _, dup := t.prices[k]; dup {
			return nil, fmt.Errorf("pricing: duplicate price for %s %s %s", p.Provider, p.Region, p.Item)
		}
		t.prices[k] = p
	}
	return t, nil
}

// NewOverrides builds the override layer from configured prices (negotiated
// or discounted rates): every price is marked SourceOverride. A price without
// provider, item, unit or currency, or with a negative amount, is an error,
// as is a duplicate key.
func NewOverrides(prices []Price) (*Table, error) {
	out := make([]Price, 0, len(prices))
	for i, p := range prices {
		switch {
		case p.Provider == "" || p.Item == "":
			return nil, fmt.Errorf("pricing: override %d: provider and item are required", i)
		case !knownUnit(p.Unit):
			return nil, fmt.Errorf("pricing: override %d (%s): unit %q is not one of GB-Mo, IOPS-Mo, MiBps-Mo, Hrs, User-Mo", i, p.Item, p.Unit)
		case p.Amount.IsNegative():
			return nil, fmt.Errorf("pricing: override %d (%s): negative price %s", i, p.Item, p.Amount)
		case len(p.Currency) != 3 || strings.ToUpper(p.Currency) != p.Currency:
			return nil, fmt.Errorf("pricing: override %d (%s): currency %q is not an ISO 4217 code", i, p.Item, p.Currency)
		}
		p.Source = SourceOverride
		if p.Ref == "" {
			p.Ref = "ghostaudit.yaml prices"
		}
		out = append(out, p)
	}
	return NewTable(out)
}

// Lookup implements Catalog.
func (t *Table) Lookup(provider, region, item string) (Price, bool) {
	p, ok := t.prices[Key(provider, region, item)]
	return p, ok
}

// All returns every price in the table, sorted by key.
func (t *Table) All() []Price {
	out := make([]Price, 0, len(t.prices))
	for _, p := range t.prices {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		return Key(out[i].Provider, out[i].Region, out[i].Item) < Key(out[j].Provider, out[j].Region, out[j].Item)
	})
	return out
}
