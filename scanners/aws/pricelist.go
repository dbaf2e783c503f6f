package aws

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/pricing"
	pricingtypes "github.com/aws/aws-sdk-go-v2/service/pricing/types"
	"github.com/aws/smithy-go/middleware"
	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// Live list prices from the AWS Price List Query API (pricing:GetProducts).
//
// This file must not import findings/...: imports point cmd → report →
// findings → scanners. The findings engine turns ListPrice into its own
// pricing.Price (source "live").
//
// The price fetch is separate from the scan: it runs only with
// --prices live, with its own client (pinned to us-east-1, where the Price
// List API lives) and its own read-only guard, whose allow-list
// (priceListOperations) is distinct from the scanner's readOperations, so
// the scanner's least-privilege policy does not grow a pricing action.

// PriceQuery asks for the on-demand list price of one item in one region.
// Items are named as in findings/pricing: ebs.gp3.storage, ec2.m5.large,
// natgw.hour, rds.mysql.db.t3.micro, ...
type PriceQuery struct {
	Item, Region string
}

// ListPrice is one on-demand list price read from the Price List.
type ListPrice struct {
	Item          string `json:"item"`
	Region        string `json:"region"`
	Unit          string `json:"unit"`     // findings/pricing units: Hrs, GB-Mo, IOPS-Mo, MiBps-Mo, GB
	Currency      string `json:"currency"` // USD
	Amount        string `json:"amount"`   // decimal string per Unit, e.g. "0.096"
	SKU           string `json:"sku"`
	UsageType     string `json:"usage_type"`     // e.g. USE2-EBS:VolumeUsage.gp3
	EffectiveDate string `json:"effective_date"` // YYYY-MM-DD of the OnDemand term
	// Note says how the amount was derived when it is not the Price List
	// figure as is (the gp3 throughput unit conversion).
	Note string `json:"note,omitempty"`
}

// PriceListConfig configures FetchPrices.
type PriceListConfig struct {
	// Region of the Price List endpoint: us-east-1 (default), ap-south-1
	// or eu-central-1, the only regions that serve it. It is not the
	// region of the prices (PriceQuery.Region).
	Region      string
	Profile     string
	EndpointURL string                  // override, e.g. the simulator
	Credentials aws.CredentialsProvider // replaces the default chain (tests, the demo)
	MaxAttempts int                     // default 8
	MaxBackoff  time.Duration           // default: SDK default
	Concurrency int                     // queries in flight, default 4
	PageSize    int32                   // GetProducts MaxResults, 1-100, default 100
	MaxPages    int                     // per query, default 20: more is an error, not a guess
}

// Errors of FetchPrices, for errors.Is.
var (
	ErrPriceUnsupported = errors.New("no Price List recipe for this item")
	ErrPriceNotFound    = errors.New("no matching on-demand price in the Price List")
	ErrPriceAmbiguous   = errors.New("more than one on-demand price matches")
)

// priceListOperations is the read-only guard's allow-list for the price
// fetch's client only (see readOperations for the scanner's). All three are
// reads of public list prices; only GetProducts is sent today.
var priceListOperations = map[string]string{
	"Pricing.GetProducts":        "pricing:GetProducts",
	"Pricing.DescribeServices":   "pricing:DescribeServices",
	"Pricing.GetAttributeValues": "pricing:GetAttributeValues",
}

// PriceListIAMActions returns the IAM actions the price fetch needs
// (only with --prices live), sorted.
func PriceListIAMActions() []string { return []string{"pricing:GetProducts"} }

const priceGuardID = "ghostaudit.PriceListReadOnlyGuard"

// priceListGuard is readOnlyGuard with the price fetch's allow-list.
func priceListGuard(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc(priceGuardID, func(
		ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler,
	) (middleware.InitializeOutput, middleware.Metadata, error) {
		svc, op := middleware.GetServiceID(ctx), middleware.GetOperationName(ctx)
		if _, ok := priceListOperations[svc+"."+op]; !ok {
			return middleware.InitializeOutput{}, middleware.Metadata{},
				fmt.Errorf("aws: %s %s: %w", svc, op, scanners.ErrReadOnly)
		}
		return next.HandleInitialize(ctx, in)
	}), middleware.Before)
}

func (c *PriceListConfig) defaults() error {
	switch c.Region {
	case "":
		c.Region = "us-east-1"
	case "us-east-1", "ap-south-1", "eu-central-1":
	default:
		return fmt.Errorf("aws: price list: the Price List API is served only in us-east-1, ap-south-1 and eu-central-1, not %q", c.Region)
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 8
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 4
	}
	if c.PageSize <= 0 || c.PageSize > 100 {
		c.PageSize = 100
	}
	if c.MaxPages <= 0 {
		c.MaxPages = 20
	}
	if c.EndpointURL != "" && !strings.HasPrefix(c.EndpointURL, "http://") && !strings.HasPrefix(c.EndpointURL, "https://") {
		return fmt.Errorf("aws: price list: endpoint %q is not an http(s) URL", c.EndpointURL)
	}
	return nil
}

// newPriceListClient builds the Price List client: credentials as the
// scanner's (the given provider, or the default chain with the profile),
// the standard retryer without retry quota, the region pinned, and the
// price fetch's read-only guard.
func newPriceListClient(ctx context.Context, c PriceListConfig) (*pricing.Client, error) {
	if err := c.defaults(); err != nil {
		return nil, err
	}
	var cfg aws.Config
	if c.Credentials != nil {
		cfg = aws.Config{Credentials: aws.NewCredentialsCache(c.Credentials)}
	} else {
		lo := []func(*config.LoadOptions) error{config.WithRegion(c.Region)}
		if c.Profile != "" {
			lo = append(lo, config.WithSharedConfigProfile(c.Profile))
		}
		var err error
		if cfg, err = config.LoadDefaultConfig(ctx, lo...); err != nil {
			return nil, fmt.Errorf("aws: price list: load configuration: %w", err)
		}
	}
	cfg.Region = c.Region
	cfg.Retryer = newRetryer(c.MaxAttempts, c.MaxBackoff)
	cfg.APIOptions = append(cfg.APIOptions, priceListGuard)
	return pricing.NewFromConfig(cfg, func(o *pricing.Options) {
		o.Region = c.Region
		if c.EndpointURL != "" {
			// Wins over AWS_ENDPOINT_URL_PRICING, as for the scanner's clients.
			o.BaseEndpoint = aws.String(c.EndpointURL)
		}
	}), nil
}

// FetchPrices reads the on-demand list price of each query from the Price
// List. Queries are de-duplicated and run with bounded concurrency; the
// prices come back sorted by item and region. A query that cannot be
// answered with certainty (no recipe, no match, several candidates, an
// unexpected unit, an API error) yields an error naming the item and
// region, never a guessed or zero price.
func FetchPrices(ctx context.Context, cfg PriceListConfig, queries []PriceQuery) ([]ListPrice, []error) {
	if err := cfg.defaults(); err != nil {
		return nil, []error{err}
	}
	client, err := newPriceListClient(ctx, cfg)
	if err != nil {
		return nil, []error{err}
	}
	return fetchWith(ctx, client, cfg, queries)
}

type getProductsAPI interface {
	GetProducts(context.Context, *pricing.GetProductsInput, ...func(*pricing.Options)) (*pricing.GetProductsOutput, error)
}

func fetchWith(ctx context.Context, client getProductsAPI, cfg PriceListConfig, queries []PriceQuery) ([]ListPrice, []error) {
	uniq := dedupeQueries(queries)
	var (
		mu     sync.Mutex
		prices []ListPrice
		errs   []error
		wg     sync.WaitGroup
		sem    = make(chan struct{}, cfg.Concurrency)
	)
	for _, q := range uniq {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				mu.Lock()
				errs = append(errs, fmt.Errorf("aws: price %s in %s: %w", q.Item, q.Region, ctx.Err()))
				mu.Unlock()
				return
			}
			defer func() { <-sem }()
			p, err := fetchOne(ctx, client, cfg, q)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("aws: price %s in %s: %w", q.Item, q.Region, err))
				return
			}
			prices = append(prices, p)
		}()
	}
	wg.Wait()
	sort.Slice(prices, func(i, j int) bool {
		if prices[i].Item != prices[j].Item {
			return prices[i].Item < prices[j].Item
		}
		return prices[i].Region < prices[j].Region
	})
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return prices, errs
}

func dedupeQueries(queries []PriceQuery) []PriceQuery {
	seen := map[PriceQuery]bool{}
	var out []PriceQuery
	for _, q := range queries {
		if !seen[q] {
			seen[q] = true
			out = append(out, q)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Item != out[j].Item {
			return out[i].Item < out[j].Item
		}
		return out[i].Region < out[j].Region
	})
	return out
}

func fetchOne(ctx context.Context, client getProductsAPI, cfg PriceListConfig, q PriceQuery) (ListPrice, error) {
	if !regionRE.MatchString(q.Region) {
		return ListPrice{}, fmt.Errorf("%q is not an AWS region name", q.Region)
	}
	r, err := recipeFor(q.Item)
	if err != nil {
		return ListPrice{}, err
	}
	filters := []pricingtypes.Filter{termMatch("regionCode", q.Region)}
	for _, f := range r.filters {
		filters = append(filters, termMatch(f[0], f[1]))
	}
	in := &pricing.GetProductsInput{
		ServiceCode: aws.String(r.serviceCode), Filters: filters,
		FormatVersion: aws.String("aws_v1"), MaxResults: aws.Int32(cfg.PageSize),
	}
	var cands []candidate
	pages := 0
	p := pricing.NewGetProductsPaginator(client, in)
	for p.HasMorePages() {
		if pages++; pages > cfg.MaxPages {
			return ListPrice{}, fmt.Errorf("more than %d pages of %s products: the filters are too loose", cfg.MaxPages, r.serviceCode)
		}
		out, err := p.NextPage(ctx)
		if err != nil {
			return ListPrice{}, fmt.Errorf("pricing GetProducts %s: %w", r.serviceCode, err)
		}
		for _, doc := range out.PriceList {
			c, err := candidates(doc, q.Region, r)
			if err != nil {
				return ListPrice{}, err
			}
			cands = append(cands, c...)
		}
	}
	return pick(q, r, cands)
}

func termMatch(field, value string) pricingtypes.Filter {
	return pricingtypes.Filter{Type: pricingtypes.FilterTypeTermMatch, Field: aws.String(field), Value: aws.String(value)}
}

// product is the part of a Price List product document that is read.
type product struct {
	Product struct {
		ProductFamily string            `json:"productFamily"`
		Attributes    map[string]string `json:"attributes"`
		SKU           string            `json:"sku"`
	} `json:"product"`
	Terms struct {
		OnDemand map[string]struct {
			EffectiveDate   string `json:"effectiveDate"`
			PriceDimensions map[string]struct {
				Unit         string            `json:"unit"`
				PricePerUnit map[string]string `json:"pricePerUnit"`
				Description  string            `json:"description"`
				BeginRange   string            `json:"beginRange"`
				EndRange     string            `json:"endRange"`
			} `json:"priceDimensions"`
		} `json:"OnDemand"`
	} `json:"terms"`
}

type candidate struct {
	sku, rateCode, usageType, unit, usd, effective string
}

// candidates returns the OnDemand price dimensions of a product document
// that satisfy every filter of the recipe (checked again here: a SKU of
// the wrong tenancy, OS or licence is never taken even if the server
// ignored a filter) and the usage type suffix. Reserved terms are not read.
func candidates(doc, region string, r recipe) ([]candidate, error) {
	var p product
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return nil, fmt.Errorf("a Price List document is not JSON: %v", err)
	}
	attrs := p.Product.Attributes
	if attrs["regionCode"] != region {
		return nil, nil
	}
	for _, f := range r.filters {
		v := attrs[f[0]]
		if f[0] == "productFamily" {
			v = p.Product.ProductFamily
		}
		if v != f[1] {
			return nil, nil
		}
	}
	ut := attrs["usagetype"]
	if r.usageSuffix != "" && ut != r.usageSuffix && !strings.HasSuffix(ut, "-"+r.usageSuffix) {
		return nil, nil
	}
	var out []candidate
	for _, term := range p.Terms.OnDemand {
		for rate, d := range term.PriceDimensions {
			out = append(out, candidate{sku: p.Product.SKU, rateCode: rate, usageType: ut, unit: d.Unit,
				usd: d.PricePerUnit["USD"], effective: term.EffectiveDate})
		}
	}
	return out, nil
}

// pick takes the single remaining candidate, converting its unit.
func pick(q PriceQuery, r recipe, cands []candidate) (ListPrice, error) {
	sort.Slice(cands, func(i, j int) bool { return cands[i].rateCode < cands[j].rateCode })
	switch len(cands) {
	case 0:
		return ListPrice{}, fmt.Errorf("%w (%s %v, usagetype *%s)", ErrPriceNotFound, r.serviceCode, r.filters, r.usageSuffix)
	case 1:
	default:
		var ids []string
		for _, c := range cands {
			ids = append(ids, fmt.Sprintf("%s %s %s/%s", c.rateCode, c.usageType, c.usd, c.unit))
		}
		return ListPrice{}, fmt.Errorf("%w: %s", ErrPriceAmbiguous, strings.Join(ids, "; "))
	}
	c := cands[0]
	if c.usd == "" {
		return ListPrice{}, fmt.Errorf("SKU %s has no USD price", c.sku)
	}
	amount, err := decimal.NewFromString(c.usd)
	if err != nil || amount.IsNegative() {
		return ListPrice{}, fmt.Errorf("SKU %s: price %q is not a non-negative decimal", c.sku, c.usd)
	}
	conv, ok := r.units[c.unit]
	if !ok {
		return ListPrice{}, fmt.Errorf("SKU %s: unit %q is not the expected %s", c.sku, c.unit, strings.Join(sortedUnitKeys(r.units), " or "))
	}
	lp := ListPrice{Item: q.Item, Region: q.Region, Unit: conv.unit, Currency: "USD", SKU: c.sku, UsageType: c.usageType,
		EffectiveDate: dateOf(c.effective)}
	if !conv.factor.IsZero() && !conv.factor.Equal(decimal.NewFromInt(1)) {
		amount = amount.Mul(conv.factor)
		lp.Note = conv.note
	}
	lp.Amount = amount.String()
	return lp, nil
}

func dateOf(s string) string {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC().Format("2006-01-02")
	}
	if len(s) >= 10 {
		return s[:10]
	}
	return s
}

func sortedUnitKeys(m map[string]unitConv) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
