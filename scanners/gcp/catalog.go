package gcp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	billing "cloud.google.com/go/billing/apiv1"
	"cloud.google.com/go/billing/apiv1/billingpb"
	gax "github.com/googleapis/gax-go/v2"
	"github.com/shopspring/decimal"
	"google.golang.org/api/iterator"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// ComputeEngineService is the Cloud Catalog display name (and id) of
// Compute Engine, whose SKUs price disks, IP addresses, vCPUs and RAM.
const (
	ComputeEngineService   = "Compute Engine"
	ComputeEngineServiceID = "6F81-5844-456A"
)

// Catalog is a snapshot of one Cloud Catalog service's list prices.
type Catalog struct {
	Service   string         `json:"service"`    // services/6F81-5844-456A
	Name      string         `json:"name"`       // Compute Engine
	Currency  string         `json:"currency"`   // ISO 4217 of every price
	FetchedAt time.Time      `json:"fetched_at"` // when the prices were listed
	Prices    []CatalogPrice `json:"prices"`
}

// CatalogPrice is one SKU's current list price: the tiers of the SKU's
// last (newest) pricing entry.
type CatalogPrice struct {
	SKU            string    `json:"sku"`             // D041-B8A1-6E0B
	Description    string    `json:"description"`     // Storage PD Capacity in Virginia
	ResourceFamily string    `json:"resource_family"` // Compute, Storage, Network, License, ...
	ResourceGroup  string    `json:"resource_group"`  // PDStandard, SSD, CPU, RAM, ...
	UsageType      string    `json:"usage_type"`      // OnDemand, Preemptible, Commit1Yr, ...
	Regions        []string  `json:"regions"`         // service regions, e.g. [us-east4]
	UsageUnit      string    `json:"usage_unit"`      // GiBy.mo, h, GiBy.h, GiBy, ...
	Currency       string    `json:"currency"`
	Tiers          []Tier    `json:"tiers"`     // ascending StartUsageAmount
	Effective      time.Time `json:"effective"` // effective time of the pricing entry
}

// Tier is one rate of a graduated price: from StartUsageAmount usage
// units onwards, UnitPrice (a decimal string) per usage unit.
type Tier struct {
	StartUsageAmount float64 `json:"start_usage_amount"`
	UnitPrice        string  `json:"unit_price"`
}

// CatalogRequest tunes FetchCatalog.
type CatalogRequest struct {
	// Service is the display name or id of the service; default Compute Engine.
	Service string
	// Currency of the prices; default USD.
	Currency string
	// PageSize of ListSkus; default 5000 (the API's default and maximum).
	PageSize int
}

// FetchCatalog lists a Cloud Catalog service's SKUs (ListServices, then
// ListSkus) through the same credentials, endpoint and read-only guard as
// the scanner. now stamps FetchedAt; nil means time.Now.
func FetchCatalog(ctx context.Context, opts *Options, req CatalogRequest, now func() time.Time) (*Catalog, error) {
	if opts == nil {
		opts = NewOptions()
	}
	if now == nil {
		now = time.Now
	}
	if req.Service == "" {
		req.Service = ComputeEngineService
	}
	if req.Currency == "" {
		req.Currency = "USD"
	}
	if req.PageSize <= 0 || req.PageSize > 5000 {
		req.PageSize = 5000
	}
	s := &Scanner{opts: *opts}
	copts, err := s.clientOptions(ctx)
	if err != nil {
		return nil, err
	}
	c, err := billing.NewCloudCatalogClient(ctx, copts...)
	if err != nil {
		return nil, fmt.Errorf("gcp: catalog: %w: %s (%v)", scanners.ErrNoCredentials, noCredentialsHelp, err)
	}
	defer func() { _ = c.Close() }()
	retry := gax.WithRetry(newRetryer(max(opts.MaxAttempts, 1), opts.MaxBackoff))

	var svc *billingpb.Service
	it := c.ListServices(ctx, &billingpb.ListServicesRequest{PageSize: 5000}, retry)
	for {
		sv, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("gcp: cloudbilling ListServices: %s", message(err))
		}
		if sv.GetDisplayName() == req.Service || sv.GetServiceId() == req.Service || sv.GetName() == req.Service {
			svc = sv
			break
		}
	}
	if svc == nil {
		return nil, fmt.Errorf("gcp: cloudbilling ListServices: no service named %q", req.Service)
	}
	cat := &Catalog{Service: svc.GetName(), Name: svc.GetDisplayName(), Currency: req.Currency, FetchedAt: now().UTC()}
	skus := c.ListSkus(ctx, &billingpb.ListSkusRequest{Parent: svc.GetName(), CurrencyCode: req.Currency, PageSize: int32(req.PageSize)}, retry)
	for {
		sku, err := skus.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("gcp: cloudbilling ListSkus %s: %s", svc.GetName(), message(err))
		}
		if p, ok := catalogPrice(sku, req.Currency); ok {
			cat.Prices = append(cat.Prices, p)
		}
	}
	return cat, nil
}

// catalogPrice converts a SKU; ok is false when it has no pricing.
func catalogPrice(s *billingpb.Sku, currency string) (CatalogPrice, bool) {
	pis := s.GetPricingInfo()
	if len(pis) == 0 {
		return CatalogPrice{}, false
	}
	last := pis[len(pis)-1] // chronological: the last one is current
	pe := last.GetPricingExpression()
	p := CatalogPrice{
		SKU: s.GetSkuId(), Description: s.GetDescription(),
		ResourceFamily: s.GetCategory().GetResourceFamily(), ResourceGroup: s.GetCategory().GetResourceGroup(),
		UsageType: s.GetCategory().GetUsageType(), Regions: append([]string(nil), s.GetServiceRegions()...),
		UsageUnit: pe.GetUsageUnit(), Currency: currency,
	}
	if t := last.GetEffectiveTime(); t != nil {
		p.Effective = t.AsTime().UTC()
	}
	for _, r := range pe.GetTieredRates() {
		p.Tiers = append(p.Tiers, Tier{StartUsageAmount: r.GetStartUsageAmount(), UnitPrice: MoneyDecimal(r.GetUnitPrice()).String()})
		if c := r.GetUnitPrice().GetCurrencyCode(); c != "" {
			p.Currency = c
		}
	}
	return p, len(p.Tiers) > 0
}

// MonthlyUsage converts a quantity held for a whole month into the SKU's
// usage unit: GiBy.mo (and mo) stay as they are (GiB-months); h is
// × HoursPerMonth (an IP address or a vCPU for 730 hours); GiBy.h is
// × HoursPerMonth per GiB. Other units (GiBy of egress, By.s, ...) are
// not monthly holdings and are refused.
func MonthlyUsage(usageUnit string, quantity decimal.Decimal) (decimal.Decimal, error) {
	switch {
	case usageUnit == "GiBy.mo" || usageUnit == "mo":
		return quantity, nil
	case usageUnit == "h" || strings.HasSuffix(usageUnit, ".h"):
		return quantity.Mul(decimal.NewFromInt(HoursPerMonth)), nil
	}
	return decimal.Zero, fmt.Errorf("usage unit %q is not a monthly holding (want GiBy.mo, mo, h or <unit>.h)", usageUnit)
}

// MonthlyRate prices usage (in the tiers' usage unit) on graduated tiers:
// each tier's unit price applies to the part of the usage between its
// start and the next tier's start, and the parts add up. A first tier
// starting above 0 leaves the usage below it free.
func MonthlyRate(tiers []Tier, usage decimal.Decimal) (decimal.Decimal, error) {
	total := decimal.Zero
	for i, t := range tiers {
		price, err := decimal.NewFromString(t.UnitPrice)
		if err != nil {
			return decimal.Zero, fmt.Errorf("tier %d: unit price %q: %w", i, t.UnitPrice, err)
		}
		start := decimal.NewFromFloat(t.StartUsageAmount)
		if i > 0 && t.StartUsageAmount < tiers[i-1].StartUsageAmount {
			return decimal.Zero, fmt.Errorf("tier %d starts at %v, before tier %d", i, t.StartUsageAmount, i-1)
		}
		if usage.LessThanOrEqual(start) {
			break
		}
		end := usage
		if i+1 < len(tiers) {
			if next := decimal.NewFromFloat(tiers[i+1].StartUsageAmount); next.LessThan(end) {
				end = next
			}
		}
		total = total.Add(end.Sub(start).Mul(price))
	}
	return total, nil
}

// Monthly is the list price of holding quantity (GiB for disks, 1 for an
// address or a vCPU, GiB for RAM) for a month of HoursPerMonth hours.
func (p CatalogPrice) Monthly(quantity decimal.Decimal) (decimal.Decimal, error) {
	usage, err := MonthlyUsage(p.UsageUnit, quantity)
	if err != nil {
		return decimal.Zero, fmt.Errorf("sku %s: %w", p.SKU, err)
	}
	return MonthlyRate(p.Tiers, usage)
}

// InRegion reports whether the SKU serves region (or is global).
func (p CatalogPrice) InRegion(region string) bool {
	for _, r := range p.Regions {
		if r == region || r == "global" {
			return true
		}
	}
	return false
}

// SaveCatalog writes the catalog as JSON to path atomically: a temporary
// file in the same directory, synced, then renamed over path.
func SaveCatalog(path string, c *Catalog) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("gcp: catalog cache %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("gcp: catalog cache %s: %w", path, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("gcp: catalog cache %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() { _ = os.Remove(tmp) }() // no-op after the rename
	if _, err = f.Write(append(data, '\n')); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		return fmt.Errorf("gcp: catalog cache %s: %w", path, err)
	}
	return nil
}

// LoadCatalog reads a catalog written by SaveCatalog. A missing file is
// an error wrapping os.ErrNotExist; a corrupt one is an error naming the
// file.
func LoadCatalog(path string) (*Catalog, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("gcp: catalog cache: %w", err)
	}
	var c Catalog
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("gcp: catalog cache %s is corrupt (delete it to fetch again): %w", path, err)
	}
	if c.Service == "" || c.FetchedAt.IsZero() {
		return nil, fmt.Errorf("gcp: catalog cache %s is corrupt (delete it to fetch again): no service or fetch date", path)
	}
	return &c, nil
}

// CachedCatalog returns the catalog cached at path when it was fetched
// less than maxAge before now, and otherwise fetches it and rewrites the
// cache. A corrupt cache is an error, not silently replaced.
func CachedCatalog(ctx context.Context, path string, maxAge time.Duration, now time.Time, fetch func(context.Context) (*Catalog, error)) (*Catalog, error) {
	c, err := LoadCatalog(path)
	switch {
	case err == nil && now.Sub(c.FetchedAt) < maxAge:
		return c, nil
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return nil, err
	}
	c, err = fetch(ctx)
	if err != nil {
		return nil, err
	}
	if err := SaveCatalog(path, c); err != nil {
		return nil, err
	}
	return c, nil
}
