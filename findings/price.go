package findings

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/findings/pricing"
)

// bill accumulates the cost components of an estimate and remembers the
// unit prices it used, or the first one it could not find.
type bill struct {
	cat      pricing.Catalog
	provider string
	region   string
	total    decimal.Decimal
	prices   []pricing.Price
	missing  []string
	lines    []string
}

func newBill(cat pricing.Catalog, provider, region string) *bill {
	return &bill{cat: cat, provider: provider, region: region}
}

// add prices quantity units of item; a zero quantity adds nothing and needs no price.
func (b *bill) add(item string, quantity decimal.Decimal, what string) {
	if quantity.IsZero() {
		return
	}
	if b.cat == nil {
		b.missing = append(b.missing, item)
		return
	}
	p, ok := b.cat.Lookup(b.provider, b.region, item)
	if !ok {
		b.missing = append(b.missing, item)
		return
	}
	cost := p.Monthly(quantity)
	b.total = b.total.Add(cost)
	b.prices = appendPrice(b.prices, p)
	b.lines = append(b.lines, fmt.Sprintf("%s: %s × %s %s/%s = %s/month", what, quantity.String(), p.Amount.String(), p.Currency, p.Unit, cost.StringFixed(2)))
}

// result returns the monthly total, or ok=false with the reason when a
// component could not be priced: a partial sum would understate the cost.
func (b *bill) result() (decimal.Decimal, bool, string) {
	if len(b.missing) > 0 {
		return decimal.Zero, false, fmt.Sprintf("no %s price for %s in %s", b.provider, strings.Join(b.missing, ", "), b.region)
	}
	return b.total, true, ""
}

func appendPrice(ps []pricing.Price, p pricing.Price) []pricing.Price {
	for _, q := range ps {
		if q.Item == p.Item && q.Region == p.Region && q.Provider == p.Provider {
			return ps
		}
	}
	return append(ps, p)
}

func dec(n int64) decimal.Decimal { return decimal.NewFromInt(n) }
