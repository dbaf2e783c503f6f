package awssim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/shopspring/decimal"
)

// The AWS Price List Query API (AWSPriceListService, 2017-10-15) over
// awsJson1_1: X-Amz-Target AWSPriceListService.GetProducts, body
// {ServiceCode, Filters:[{Type, Field, Value}], FormatVersion, NextToken,
// MaxResults}. The answer's PriceList is an array of JSON *strings*, each a
// product document:
//
//	{"product": {"productFamily", "attributes": {...}, "sku"},
//	 "serviceCode", "terms": {"OnDemand": {"<sku>.<offerTermCode>": {
//	     "priceDimensions": {"<sku>.<offerTermCode>.<rateCode>": {
//	         "unit", "pricePerUnit": {"USD"}, "description", "beginRange", "endRange", "rateCode", "appliesTo"}},
//	     "sku", "effectiveDate", "offerTermCode", "termAttributes"}},
//	   "Reserved": {...}},
//	 "version", "publicationDate"}
//
// (https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetProducts.html,
// and the price list file format in the AWS Billing User Guide.)
//
// The products come from the estate's aws.price_list section, or from
// DefaultPriceList when the estate has none.

// PriceProduct is one Price List product of the simulated price table. It
// is item-agnostic: the fetcher under test must find it through its
// attributes, as it would in the real Price List.
//
//	aws:
//	  price_list:
//	    - service_code: AmazonEC2
//	      product_family: Compute Instance
//	      attributes: {regionCode: us-east-1, instanceType: m5.large, tenancy: Shared, operatingSystem: Linux, ...}
//	      unit: Hrs
//	      usd: "0.096"
//	      reserved_usd: "0.06"     # optional: also a Reserved term, a decoy for the fetcher
type PriceProduct struct {
	ServiceCode   string            `yaml:"service_code"`
	ProductFamily string            `yaml:"product_family"`
	SKU           string            `yaml:"sku"` // default: derived from the attributes
	Attributes    map[string]string `yaml:"attributes"`
	Unit          string            `yaml:"unit"` // as the Price List writes it: Hrs, GB-Mo, IOPS-Mo, GiBps-mo, GB, LCU-Hrs
	USD           string            `yaml:"usd"`  // on-demand price per unit, decimal string
	Description   string            `yaml:"description"`
	EffectiveDate string            `yaml:"effective_date"` // default 2026-11-01T00:00:00Z
	ReservedUSD   string            `yaml:"reserved_usd"`   // optional Reserved term (1yr, No Upfront)
}

const (
	pricingTarget       = "AWSPriceListService"
	onDemandTermCode    = "JRTCKXETXF" // the OnDemand offer term code of the Price List
	onDemandRateCode    = "6YS6EN2CT7"
	reservedTermCode    = "4NA7Y494T4" // 1yr No Upfront standard
	reservedRateCode    = "6YS6EN2CT7"
	defaultEffective    = "2026-11-01T00:00:00Z"
	pricingMaxResults   = 100
	pricingPublicatDate = "2026-11-20T00:00:00Z"
)

// pricingHandler serves the Price List operations (registered in handlers.go).
func (s *Sim) pricingHandler(service, action string) func(*call) (any, *apiError) {
	if service == "pricing" && action == "GetProducts" {
		return s.getProducts
	}
	return nil
}

// priceList is the table served: the estate's, or the default.
func (s *Sim) priceList() []PriceProduct {
	if len(s.est.PriceList) > 0 {
		return s.est.PriceList
	}
	return DefaultPriceList()
}

func (p *PriceProduct) sku() string {
	if p.SKU != "" {
		return p.SKU
	}
	keys := sortedKeys(p.Attributes)
	parts := []string{p.ServiceCode, p.ProductFamily}
	for _, k := range keys {
		parts = append(parts, k+"="+p.Attributes[k])
	}
	return strings.ToUpper(stableHex(16, parts...))
}

// field returns the value of a filter field for the product: the
// product-level fields, then the attributes (field names compare
// case-insensitively, as AWS documents them in mixed case).
func (p *PriceProduct) field(name string) (string, bool) {
	switch strings.ToLower(name) {
	case "servicecode":
		return p.ServiceCode, true
	case "productfamily":
		return p.ProductFamily, p.ProductFamily != ""
	case "sku":
		return p.sku(), true
	}
	for k, v := range p.Attributes {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

type priceFilter struct {
	Type  string `json:"Type"`
	Field string `json:"Field"`
	Value string `json:"Value"`
}

func (f priceFilter) match(p *PriceProduct) bool {
	v, ok := p.field(f.Field)
	switch f.Type {
	case "TERM_MATCH", "EQUALS":
		return ok && v == f.Value
	case "CONTAINS":
		return ok && strings.Contains(v, f.Value)
	case "ANY_OF":
		return ok && contains(strings.Split(f.Value, ","), v)
	case "NONE_OF":
		return !ok || !contains(strings.Split(f.Value, ","), v)
	}
	return false
}

// GetProducts: ServiceCode required, MaxResults 1-100 (default 100),
// FormatVersion aws_v1, NextToken from a previous page.
func (s *Sim) getProducts(c *call) (any, *apiError) {
	var in struct {
		ServiceCode   *string       `json:"ServiceCode"`
		Filters       []priceFilter `json:"Filters"`
		FormatVersion *string       `json:"FormatVersion"`
		NextToken     *string       `json:"NextToken"`
		MaxResults    *int          `json:"MaxResults"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return nil, err
	}
	if in.ServiceCode == nil || *in.ServiceCode == "" {
		return nil, errorf(http.StatusBadRequest, "InvalidParameterException", "ServiceCode is required.")
	}
	if in.FormatVersion != nil && *in.FormatVersion != "aws_v1" {
		return nil, errorf(http.StatusBadRequest, "InvalidParameterException", "FormatVersion %q is not supported: aws_v1 is the only version.", *in.FormatVersion)
	}
	limit := pricingMaxResults
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > pricingMaxResults {
			return nil, errorf(http.StatusBadRequest, "InvalidParameterException", "MaxResults must be between 1 and %d.", pricingMaxResults)
		}
		limit = *in.MaxResults
	}
	for _, f := range in.Filters {
		switch f.Type {
		case "TERM_MATCH", "EQUALS", "CONTAINS", "ANY_OF", "NONE_OF":
		default:
			return nil, errorf(http.StatusBadRequest, "InvalidParameterException", "Filter type %q is not supported.", f.Type)
		}
		if f.Field == "" {
			return nil, errorf(http.StatusBadRequest, "InvalidParameterException", "Filter Field is required.")
		}
	}
	table := s.priceList()
	var hits []*PriceProduct
	for i := range table {
		p := &table[i]
		if p.ServiceCode != *in.ServiceCode {
			continue
		}
		ok := true
		for _, f := range in.Filters {
			if !f.match(p) {
				ok = false
				break
			}
		}
		if ok {
			hits = append(hits, p)
		}
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i].sku() < hits[j].sku() })
	start := 0
	if in.NextToken != nil {
		after, ok := decodeToken(c.action, *in.NextToken)
		if !ok {
			return nil, errorf(http.StatusBadRequest, "InvalidNextTokenException", "The pagination token is invalid. Try again without a pagination token.")
		}
		start = sort.Search(len(hits), func(i int) bool { return hits[i].sku() > after })
	}
	end := min(start+limit, len(hits))
	out := struct {
		FormatVersion string   `json:"FormatVersion"`
		PriceList     []string `json:"PriceList"`
		NextToken     string   `json:"NextToken,omitempty"`
	}{FormatVersion: "aws_v1", PriceList: []string{}}
	for _, p := range hits[start:end] {
		doc, err := p.document()
		if err != nil {
			return nil, errorf(http.StatusInternalServerError, "InternalErrorException", "price table: %v", err)
		}
		out.PriceList = append(out.PriceList, doc)
	}
	if end < len(hits) {
		out.NextToken = encodeToken(c.action, hits[end-1].sku())
	}
	return out, nil
}

type priceDimension struct {
	RateCode     string            `json:"rateCode"`
	Description  string            `json:"description"`
	BeginRange   string            `json:"beginRange"`
	EndRange     string            `json:"endRange"`
	Unit         string            `json:"unit"`
	PricePerUnit map[string]string `json:"pricePerUnit"`
	AppliesTo    []string          `json:"appliesTo"`
}

type priceTerm struct {
	OfferTermCode   string                    `json:"offerTermCode"`
	SKU             string                    `json:"sku"`
	EffectiveDate   string                    `json:"effectiveDate"`
	PriceDimensions map[string]priceDimension `json:"priceDimensions"`
	TermAttributes  map[string]string         `json:"termAttributes"`
}

func (p *PriceProduct) term(code, rate, usd string, attrs map[string]string) map[string]priceTerm {
	sku := p.sku()
	eff := p.EffectiveDate
	if eff == "" {
		eff = defaultEffective
	}
	desc := p.Description
	if desc == "" {
		desc = fmt.Sprintf("$%s per %s (simulated %s %s)", usd, p.Unit, p.ServiceCode, p.Attributes["usagetype"])
	}
	key := sku + "." + code
	return map[string]priceTerm{key: {
		OfferTermCode: code, SKU: sku, EffectiveDate: eff, TermAttributes: attrs,
		PriceDimensions: map[string]priceDimension{key + "." + rate: {
			RateCode: key + "." + rate, Description: desc, BeginRange: "0", EndRange: "Inf",
			Unit: p.Unit, PricePerUnit: map[string]string{"USD": usd}, AppliesTo: []string{},
		}},
	}}
}

// document renders the product as the Price List's JSON string.
func (p *PriceProduct) document() (string, error) {
	attrs := map[string]string{"servicecode": p.ServiceCode}
	for k, v := range p.Attributes {
		attrs[k] = v
	}
	terms := map[string]any{"OnDemand": p.term(onDemandTermCode, onDemandRateCode, p.USD, map[string]string{})}
	if p.ReservedUSD != "" {
		terms["Reserved"] = p.term(reservedTermCode, reservedRateCode, p.ReservedUSD,
			map[string]string{"LeaseContractLength": "1yr", "OfferingClass": "standard", "PurchaseOption": "No Upfront"})
	}
	doc := map[string]any{
		"product":         map[string]any{"productFamily": p.ProductFamily, "attributes": attrs, "sku": p.sku()},
		"serviceCode":     p.ServiceCode,
		"terms":           terms,
		"version":         "20261120000000",
		"publicationDate": pricingPublicatDate,
	}
	b, err := json.Marshal(doc)
	return string(b), err
}

// priceList validates the estate's price_list section.
func (v *validator) priceList(est *Estate) error {
	for i := range est.PriceList {
		p := &est.PriceList[i]
		f := fmt.Sprintf("price_list[%d]", i)
		if p.ServiceCode == "" {
			return v.fail(f+".service_code", "a service code such as AmazonEC2 is required")
		}
		if p.Unit == "" {
			return v.fail(f+".unit", "the Price List unit (Hrs, GB-Mo, ...) is required")
		}
		for name, s := range map[string]string{"usd": p.USD, "reserved_usd": p.ReservedUSD} {
			if s == "" && name == "reserved_usd" {
				continue
			}
			d, err := decimal.NewFromString(s)
			if err != nil || d.IsNegative() {
				return v.fail(f+"."+name, "%q is not a non-negative decimal price", s)
			}
		}
	}
	return nil
}

// DefaultPriceList is a small generated price table, served when the
// estate has no price_list: us-east-1 (usage types without a prefix) and
// eu-west-2 (prefix EUW2-), with the decoys a careless fetcher picks up:
// Windows, Dedicated, SQL Server, RHEL and capacity-reservation SKUs of
// the same instance type, Reserved terms, io2 IOPS tiers and the regional
// NAT gateway. Prices are modelled on public list prices; they are test
// data, not a price source.
func DefaultPriceList() []PriceProduct {
	type region struct {
		code, prefix, location                                                                         string
		m5, t3, gp2, gp3, gp3iops, gp3tput, io, ioiops, st1, sc1, std, snap, arch, nat, alb, clb, logs string
	}
	regions := []region{
		{"us-east-1", "", "US East (N. Virginia)", "0.096", "0.0104", "0.10", "0.08", "0.005", "40.96", "0.125", "0.065", "0.045", "0.015", "0.05", "0.05", "0.0125", "0.045", "0.0225", "0.025", "0.03"},
		{"eu-west-2", "EUW2-", "EU (London)", "0.111", "0.0118", "0.116", "0.0928", "0.0058", "47.5136", "0.145", "0.076", "0.053", "0.029", "0.058", "0.053", "0.01325", "0.05", "0.02646", "0.0294", "0.0315"},
	}
	var out []PriceProduct
	add := func(r region, svc, family, usage, unit, usd string, attrs map[string]string) {
		a := map[string]string{"regionCode": r.code, "location": r.location, "locationType": "AWS Region", "usagetype": r.prefix + usage}
		for k, v := range attrs {
			a[k] = v
		}
		out = append(out, PriceProduct{ServiceCode: svc, ProductFamily: family, Attributes: a, Unit: unit, USD: usd})
	}
	for _, r := range regions {
		for _, it := range []struct{ typ, usd string }{{"m5.large", r.m5}, {"t3.micro", r.t3}} {
			base := map[string]string{"instanceType": it.typ, "tenancy": "Shared", "operatingSystem": "Linux", "preInstalledSw": "NA",
				"licenseModel": "No License required", "capacitystatus": "Used", "operation": "RunInstances"}
			variant := func(usage, usd string, change map[string]string) {
				a := map[string]string{}
				for k, v := range base {
					a[k] = v
				}
				for k, v := range change {
					a[k] = v
				}
				add(r, "AmazonEC2", "Compute Instance", usage, "Hrs", usd, a)
			}
			variant("BoxUsage:"+it.typ, it.usd, nil)
			out[len(out)-1].ReservedUSD = mulStr(it.usd, "0.62")
			variant("BoxUsage:"+it.typ, mulStr(it.usd, "1.9"), map[string]string{"operatingSystem": "Windows", "operation": "RunInstances:0002"})
			variant("DedicatedUsage:"+it.typ, mulStr(it.usd, "1.1"), map[string]string{"tenancy": "Dedicated"})
			variant("BoxUsage:"+it.typ, mulStr(it.usd, "5"), map[string]string{"preInstalledSw": "SQL Std", "operation": "RunInstances:0004"})
			variant("BoxUsage:"+it.typ, mulStr(it.usd, "1.6"), map[string]string{"operatingSystem": "RHEL", "operation": "RunInstances:0010"})
			variant("Reservation:"+it.typ, "0", map[string]string{"capacitystatus": "AllocatedCapacityReservation"})
			variant("UnusedBox:"+it.typ, it.usd, map[string]string{"capacitystatus": "UnusedCapacityReservation"})
		}
		for _, v := range []struct{ api, usage, usd string }{
			{"gp2", "EBS:VolumeUsage.gp2", r.gp2}, {"gp3", "EBS:VolumeUsage.gp3", r.gp3}, {"io1", "EBS:VolumeUsage.piops", r.io},
			{"io2", "EBS:VolumeUsage.io2", r.io}, {"st1", "EBS:VolumeUsage.st1", r.st1}, {"sc1", "EBS:VolumeUsage.sc1", r.sc1},
			{"standard", "EBS:VolumeUsage", r.std},
		} {
			add(r, "AmazonEC2", "Storage", v.usage, "GB-Mo", v.usd, map[string]string{"volumeApiName": v.api})
		}
		add(r, "AmazonEC2", "System Operation", "EBS:VolumeP-IOPS.gp3", "IOPS-Mo", r.gp3iops, map[string]string{"volumeApiName": "gp3"})
		add(r, "AmazonEC2", "System Operation", "EBS:VolumeP-IOPS.piops", "IOPS-Mo", r.ioiops, map[string]string{"volumeApiName": "io1"})
		add(r, "AmazonEC2", "System Operation", "EBS:VolumeP-IOPS.io2", "IOPS-Mo", r.ioiops, map[string]string{"volumeApiName": "io2"})
		add(r, "AmazonEC2", "System Operation", "EBS:VolumeP-IOPS.io2.tier2", "IOPS-Mo", mulStr(r.ioiops, "0.7"), map[string]string{"volumeApiName": "io2"})
		add(r, "AmazonEC2", "System Operation", "EBS:VolumeP-IOPS.io2.tier3", "IOPS-Mo", mulStr(r.ioiops, "0.49"), map[string]string{"volumeApiName": "io2"})
		add(r, "AmazonEC2", "System Operation", "EBS:VolumeIOUsage", "IOs", "0.00000005", map[string]string{"volumeApiName": "standard"})
		add(r, "AmazonEC2", "Provisioned Throughput", "EBS:VolumeP-Throughput.gp3", "GiBps-mo", r.gp3tput, map[string]string{"volumeApiName": "gp3"})
		add(r, "AmazonEC2", "Storage Snapshot", "EBS:SnapshotUsage", "GB-Mo", r.snap, nil)
		add(r, "AmazonEC2", "Storage Snapshot", "EBS:SnapshotArchiveStorage", "GB-Mo", r.arch, nil)
		add(r, "AmazonEC2", "Storage Snapshot", "EBS:SnapshotArchiveRetrieval", "GB", "0.03", nil)
		add(r, "AmazonEC2", "NAT Gateway", "NatGateway-Hours", "Hrs", r.nat, nil)
		add(r, "AmazonEC2", "NAT Gateway", "NatGateway-Bytes", "GB", r.nat, nil)
		add(r, "AmazonEC2", "NAT Gateway", "RegionalNatGateway-Hours", "Hrs", r.nat, nil)
		add(r, "AmazonVPC", "VPC Public IPv4 Address", "PublicIPv4:IdleAddress", "Hrs", "0.005", map[string]string{"group": "VPCPublicIPv4Address"})
		add(r, "AmazonVPC", "VPC Public IPv4 Address", "PublicIPv4:InUseAddress", "Hrs", "0.005", map[string]string{"group": "VPCPublicIPv4Address"})
		for _, lb := range []struct{ family, usd string }{{"Load Balancer-Application", r.alb}, {"Load Balancer-Network", r.alb}, {"Load Balancer", r.clb}} {
			add(r, "AWSELB", lb.family, "LoadBalancerUsage", "Hrs", lb.usd, nil)
		}
		add(r, "AWSELB", "Load Balancer-Gateway", "LoadBalancerUsage", "Hrs", "0.0125", nil)
		add(r, "AWSELB", "Load Balancer-Application", "LCUUsage", "LCU-Hrs", "0.008", nil)
		add(r, "AmazonCloudWatch", "Storage Snapshot", "TimedStorage-ByteHrs", "GB-Mo", r.logs, nil)
		add(r, "AmazonCloudWatch", "Storage Snapshot", "TimedStorage-IA-ByteHrs", "GB-Mo", r.logs, nil)
		add(r, "AmazonRDS", "Database Instance", "InstanceUsage:db.t3.micro", "Hrs", "0.017",
			map[string]string{"instanceType": "db.t3.micro", "databaseEngine": "MySQL", "deploymentOption": "Single-AZ", "licenseModel": "No license required"})
		add(r, "AmazonRDS", "Database Instance", "Multi-AZUsage:db.t3.micro", "Hrs", "0.034",
			map[string]string{"instanceType": "db.t3.micro", "databaseEngine": "MySQL", "deploymentOption": "Multi-AZ", "licenseModel": "No license required"})
		add(r, "AmazonRDS", "Database Storage", "RDS:GP2-Storage", "GB-Mo", "0.115",
			map[string]string{"volumeType": "General Purpose", "databaseEngine": "Any", "deploymentOption": "Single-AZ"})
		add(r, "AmazonRDS", "Storage Snapshot", "RDS:ChargedBackupUsage", "GB-Mo", "0.095", nil)
	}
	return out
}

func mulStr(a, b string) string {
	return decimal.RequireFromString(a).Mul(decimal.RequireFromString(b)).String()
}
