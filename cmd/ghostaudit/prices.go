package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/findings"
	"github.com/ghostaudit/ghostaudit/findings/pricing"
	"github.com/ghostaudit/ghostaudit/scanners"
	awsscanner "github.com/ghostaudit/ghostaudit/scanners/aws"
	gcpscanner "github.com/ghostaudit/ghostaudit/scanners/gcp"
)

// priceFlags choose where list prices come from.
type priceFlags struct {
	source   string // "snapshot" or "live"
	cacheDir string
}

func (p *priceFlags) validate() error {
	switch p.source {
	case "snapshot", "live":
		return nil
	}
	return usagef("--prices %q: want snapshot (the embedded, dated list prices) or live (the AWS Price List API, cached on disk)", p.source)
}

// livePrices fetches, from the AWS Price List API, every AWS price the
// rules asked for in a first pass over the snapshot, through the on-disk
// cache. Prices it cannot fetch keep their snapshot value (or stay
// unpriced), and each failure is logged: the source column says which.
func (a *app) livePrices(ctx context.Context, first *findings.Result, opts *awsscanner.Options, gopts *gcpscanner.Options, cacheDir string) (*pricing.Table, error) {
	seen := map[string]bool{}
	var queries []awsscanner.PriceQuery
	add := func(provider, region, item string) {
		if provider != "aws" || region == "" || seen[region+"|"+item] {
			return
		}
		seen[region+"|"+item] = true
		queries = append(queries, awsscanner.PriceQuery{Item: item, Region: region})
	}
	for _, p := range first.Prices {
		add(p.Provider, p.Region, p.Item)
	}
	for _, m := range first.Missing {
		if f := strings.Fields(m); len(f) == 3 {
			add(f[0], f[1], f[2])
		}
	}
	if cacheDir == "" {
		dir, err := awsscanner.DefaultPriceCacheDir()
		if err != nil {
			return nil, usagef("--price-cache: no default cache directory (%v); give one", err)
		}
		cacheDir = dir
	}
	gcpPrices := a.gcpLivePrices(ctx, first, gopts, cacheDir)
	if len(queries) == 0 {
		return pricing.NewTable(gcpPrices)
	}
	cfg := awsscanner.PriceListConfig{}
	if opts != nil {
		cfg.EndpointURL, cfg.Profile, cfg.Credentials, cfg.MaxBackoff = opts.EndpointURL, opts.Profile, opts.Credentials, opts.MaxBackoff
	}
	cache, err := awsscanner.NewPriceCache(cacheDir)
	if err != nil {
		return nil, usagef("--price-cache %s: %v", cacheDir, err)
	}
	got, errs := awsscanner.FetchPricesCached(ctx, cfg, cache, queries)
	for _, err := range errs {
		a.logger.Warn("live price not fetched; the snapshot price is used where there is one", "err", err)
	}
	ps := gcpPrices
	for _, g := range got {
		amount, err := decimal.NewFromString(g.Amount)
		if err != nil {
			a.logger.Warn("live price is not a decimal; ignored", "item", g.Item, "region", g.Region, "amount", g.Amount)
			continue
		}
		ref := "AWS Price List API, SKU " + g.SKU + " (" + g.UsageType + ")"
		if g.Note != "" {
			ref += "; " + g.Note
		}
		if g.FromCache {
			ref += "; from the cache " + cacheDir
		}
		ps = append(ps, pricing.Price{Provider: "aws", Region: g.Region, Item: g.Item, Unit: g.Unit, Amount: amount,
			Currency: g.Currency, Source: pricing.SourceLive, Ref: ref, AsOf: g.FetchedAt.UTC().Format("2006-01-02")})
	}
	a.logger.Info("live prices", "asked", len(queries), "fetched", len(ps), "failed", len(errs))
	return pricing.NewTable(ps)
}

// gcpCatalogItems picks, for each GCP price item, the Cloud Catalog SKUs
// that price it: on-demand, by description (research gcp-focus.md §1.3:
// the resource group alone is shared, e.g. zonal and regional PD).
var gcpCatalogItems = map[string]func(p gcpscanner.CatalogPrice) bool{
	"disk.pd-standard": func(p gcpscanner.CatalogPrice) bool { return strings.HasPrefix(p.Description, "Storage PD Capacity") },
	"disk.pd-balanced": func(p gcpscanner.CatalogPrice) bool { return strings.HasPrefix(p.Description, "Balanced PD Capacity") },
	"disk.pd-ssd": func(p gcpscanner.CatalogPrice) bool {
		return strings.HasPrefix(p.Description, "SSD backed PD Capacity")
	},
	// Regional persistent disks have their own SKUs, "Regional Storage PD
	// Capacity in <place>" and so on, at about twice the zonal price.
	"disk.regional.pd-standard": func(p gcpscanner.CatalogPrice) bool {
		return strings.HasPrefix(p.Description, "Regional Storage PD Capacity")
	},
	"disk.regional.pd-balanced": func(p gcpscanner.CatalogPrice) bool {
		return strings.HasPrefix(p.Description, "Regional Balanced PD Capacity")
	},
	"disk.regional.pd-ssd": func(p gcpscanner.CatalogPrice) bool {
		return strings.HasPrefix(p.Description, "Regional SSD backed PD Capacity")
	},
	"address.static_unused": func(p gcpscanner.CatalogPrice) bool { return strings.HasPrefix(p.Description, "Static Ip Charge") },
}

// gcpLivePrices prices the GCP items a first pass needed from the Cloud
// Billing Catalog (cached on disk with its fetch date). An item with no
// SKU, several, or tiers is left to the snapshot and logged: never a guess.
func (a *app) gcpLivePrices(ctx context.Context, first *findings.Result, opts *gcpscanner.Options, cacheDir string) []pricing.Price {
	type query struct{ region, item string }
	var queries []query
	seen := map[query]bool{}
	add := func(provider, region, item string) {
		q := query{region, item}
		if provider == "gcp" && gcpCatalogItems[item] != nil && !seen[q] {
			seen[q] = true
			queries = append(queries, q)
		}
	}
	for _, p := range first.Prices {
		add(p.Provider, p.Region, p.Item)
	}
	for _, m := range first.Missing {
		if f := strings.Fields(m); len(f) == 3 {
			add(f[0], f[1], f[2])
		}
	}
	if len(queries) == 0 || opts == nil {
		return nil
	}
	path := filepath.Join(cacheDir, "gcp-compute-catalog.json")
	cat, err := gcpscanner.CachedCatalog(ctx, path, 7*24*time.Hour, a.now(), func(ctx context.Context) (*gcpscanner.Catalog, error) {
		return gcpscanner.FetchCatalog(ctx, opts, gcpscanner.CatalogRequest{}, a.now)
	})
	if err != nil {
		a.logger.Warn("GCP catalog not fetched; snapshot prices are used", "err", err)
		return nil
	}
	var out []pricing.Price
	for _, q := range queries {
		var hits []gcpscanner.CatalogPrice
		for _, p := range cat.Prices {
			if p.UsageType == "OnDemand" && p.InRegion(q.region) && gcpCatalogItems[q.item](p) {
				hits = append(hits, p)
			}
		}
		if len(hits) != 1 || len(hits[0].Tiers) != 1 {
			a.logger.Warn("GCP catalog price not used: want exactly one single-tier SKU", "item", q.item, "region", q.region, "skus", len(hits))
			continue
		}
		h := hits[0]
		amount, err := decimal.NewFromString(h.Tiers[0].UnitPrice)
		unit := map[string]string{"GiBy.mo": pricing.UnitGBMonth, "h": pricing.UnitHour}[h.UsageUnit]
		if err != nil || unit == "" {
			a.logger.Warn("GCP catalog price not used: unexpected unit or amount", "item", q.item, "unit", h.UsageUnit, "amount", h.Tiers[0].UnitPrice)
			continue
		}
		out = append(out, pricing.Price{Provider: "gcp", Region: q.region, Item: q.item, Unit: unit, Amount: amount, Currency: orCurrency(h.Currency),
			Source: pricing.SourceLive, Ref: fmt.Sprintf("Cloud Billing Catalog SKU %s (%s), cached in %s", h.SKU, h.Description, path), AsOf: cat.FetchedAt.UTC().Format("2006-01-02")})
	}
	return out
}

func orCurrency(c string) string {
	if c == "" {
		return "USD"
	}
	return c
}

// gcpOptions returns the GCP scanner's options among the jobs, if any.
func gcpOptions(jobs []scanners.Job) *gcpscanner.Options {
	for _, j := range jobs {
		if o, ok := j.Options.(*gcpscanner.Options); ok {
			return o
		}
	}
	return nil
}

// awsOptions returns the AWS scanner's options among the jobs, if any.
func awsOptions(jobs []scanners.Job) *awsscanner.Options {
	for _, j := range jobs {
		if o, ok := j.Options.(*awsscanner.Options); ok {
			return o
		}
	}
	return nil
}
