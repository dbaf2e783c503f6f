package gcpsim

import (
	"context"
	"strings"
	"time"

	"cloud.google.com/go/billing/apiv1/billingpb"
	"github.com/shopspring/decimal"
	"google.golang.org/genproto/googleapis/type/money"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Page size of Cloud Catalog: "Requested page size. Defaults to 5000."
// The simulator also caps pages at that size.
const catalogPage = 5000

// catalogServer serves google.cloud.billing.v1.CloudCatalog.
type catalogServer struct {
	billingpb.UnimplementedCloudCatalogServer
	sim *Sim
}

// ListServices lists the estate's services.
func (c *catalogServer) ListServices(_ context.Context, req *billingpb.ListServicesRequest) (*billingpb.ListServicesResponse, error) {
	svcs := c.sim.est.Services
	start, end, next, err := page(len(svcs), int(req.GetPageSize()), catalogPage, catalogPage, req.GetPageToken(), "services")
	if err != nil {
		return nil, err
	}
	out := &billingpb.ListServicesResponse{NextPageToken: next}
	for _, s := range svcs[start:end] {
		out.Services = append(out.Services, &billingpb.Service{
			Name: "services/" + s.ID, ServiceId: s.ID, DisplayName: s.DisplayName, BusinessEntityName: "businessEntities/GCP",
		})
	}
	return out, nil
}

// ListSkus lists a service's SKUs with their latest pricing in USD.
func (c *catalogServer) ListSkus(_ context.Context, req *billingpb.ListSkusRequest) (*billingpb.ListSkusResponse, error) {
	id, ok := strings.CutPrefix(req.GetParent(), "services/")
	if !ok || id == "" {
		return nil, status.Errorf(codes.InvalidArgument, "parent %q must be services/{service_id}", req.GetParent())
	}
	var svc *Service
	for i := range c.sim.est.Services {
		if c.sim.est.Services[i].ID == id {
			svc = &c.sim.est.Services[i]
		}
	}
	if svc == nil {
		return nil, status.Errorf(codes.NotFound, "Service %s not found.", req.GetParent())
	}
	if cur := req.GetCurrencyCode(); cur != "" && cur != "USD" {
		return nil, status.Errorf(codes.InvalidArgument, "currency_code %q: the simulator serves USD prices only", cur)
	}
	now := c.sim.now()
	if t := req.GetEndTime(); t != nil && t.AsTime().After(now) {
		return nil, status.Error(codes.InvalidArgument, "end_time cannot be in the future.")
	}
	start, end, next, err := page(len(svc.Skus), int(req.GetPageSize()), catalogPage, catalogPage, req.GetPageToken(), "skus:"+id)
	if err != nil {
		return nil, err
	}
	out := &billingpb.ListSkusResponse{NextPageToken: next}
	for _, s := range svc.Skus[start:end] {
		out.Skus = append(out.Skus, skuPB(svc, s, now))
	}
	return out, nil
}

func skuPB(svc *Service, s Sku, now time.Time) *billingpb.Sku {
	eff := now.Add(-30 * 24 * time.Hour).UTC().Truncate(time.Second)
	if !s.Effective.IsZero() {
		eff = s.Effective.At(now)
	}
	pe := &billingpb.PricingExpression{UsageUnit: s.UsageUnit, UsageUnitDescription: s.UsageUnit, DisplayQuantity: 1}
	for _, t := range s.Tiers {
		price, _ := decimal.NewFromString(t.Price) // validated by Load
		pe.TieredRates = append(pe.TieredRates, &billingpb.PricingExpression_TierRate{
			StartUsageAmount: t.Start, UnitPrice: Money(price, "USD"),
		})
	}
	geo := &billingpb.GeoTaxonomy{Type: billingpb.GeoTaxonomy_GLOBAL}
	if len(s.Regions) == 1 && s.Regions[0] != "global" {
		geo = &billingpb.GeoTaxonomy{Type: billingpb.GeoTaxonomy_REGIONAL, Regions: s.Regions}
	} else if len(s.Regions) > 1 {
		geo = &billingpb.GeoTaxonomy{Type: billingpb.GeoTaxonomy_MULTI_REGIONAL, Regions: s.Regions}
	}
	return &billingpb.Sku{
		Name: "services/" + svc.ID + "/skus/" + s.ID, SkuId: s.ID, Description: s.Description,
		Category: &billingpb.Category{
			ServiceDisplayName: svc.DisplayName, ResourceFamily: s.ResourceFamily, ResourceGroup: s.ResourceGroup, UsageType: s.UsageType,
		},
		ServiceRegions: s.Regions,
		PricingInfo: []*billingpb.PricingInfo{{
			EffectiveTime: timestamppb.New(eff), PricingExpression: pe, CurrencyConversionRate: 1,
		}},
		ServiceProviderName: "Google",
		GeoTaxonomy:         geo,
	}
}

// Money converts a decimal amount to google.type.Money: units and nanos
// carry the same sign, nanos has at most 9 digits (extra digits are cut).
func Money(d decimal.Decimal, currency string) *money.Money {
	units := d.Truncate(0)
	nanos := d.Sub(units).Shift(9).Truncate(0)
	return &money.Money{CurrencyCode: currency, Units: units.IntPart(), Nanos: int32(nanos.IntPart())}
}
