package main

import (
	"context"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/findings"
	"github.com/ghostaudit/ghostaudit/findings/pricing"
	"github.com/ghostaudit/ghostaudit/scanners"
	awsscanner "github.com/ghostaudit/ghostaudit/scanners/aws"
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
func (a *app) livePrices(ctx context.Context, first *findings.Result, opts *awsscanner.Options, cacheDir string) (*pricing.Table, error) {
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
	if len(queries) == 0 {
		return pricing.NewTable(nil)
	}
	cfg := awsscanner.PriceListConfig{}
	if opts != nil {
		cfg.EndpointURL, cfg.Profile, cfg.Credentials, cfg.MaxBackoff = opts.EndpointURL, opts.Profile, opts.Credentials, opts.MaxBackoff
	}
	if cacheDir == "" {
		dir, err := awsscanner.DefaultPriceCacheDir()
		if err != nil {
			return nil, usagef("--price-cache: no default cache directory (%v); give one", err)
		}
		cacheDir = dir
	}
	cache, err := awsscanner.NewPriceCache(cacheDir)
	if err != nil {
		return nil, usagef("--price-cache %s: %v", cacheDir, err)
	}
	got, errs := awsscanner.FetchPricesCached(ctx, cfg, cache, queries)
	for _, err := range errs {
		a.logger.Warn("live price not fetched; the snapshot price is used where there is one", "err", err)
	}
	var ps []pricing.Price
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

// awsOptions returns the AWS scanner's options among the jobs, if any.
func awsOptions(jobs []scanners.Job) *awsscanner.Options {
	for _, j := range jobs {
		if o, ok := j.Options.(*awsscanner.Options); ok {
			return o
		}
	}
	return nil
}
