package m365

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// sku is what seats need to know about a subscribed SKU.
type sku struct {
	id, partNumber, name string
}

// subscription is the part of a companySubscription the SKU resource uses.
type subscription struct {
	id, commerceID, status string
	isTrial                bool
	nextLifecycle          *time.Time
	totalLicenses          int64 // -1 when Graph did not say
}

// subscriptions reads GET /directory/subscriptions, keyed by lower-case
// skuId. A failure is a gap and a nil map: the SKUs are still emitted,
// marked subscriptions=unavailable, without renewal dates, and with their
// trial seats unknown (subscribedSkus does not say which SKUs are trials).
func (s *Scanner) subscriptions(ctx context.Context, g *graph, sink scanners.Sink) (map[string][]subscription, error) {
	out := map[string][]subscription{}
	res, err := g.client.Directory().Subscriptions().Get(ctx, nil)
	if err != nil {
		return nil, s.gapNote(ctx, sink, g.tenant, "directory.subscriptions", "GET /directory/subscriptions (needs Organization.Read.All)",
			"without subscriptions no SKU has a renewal date and any SKU may hold trial seats of unknown number: unassigned seats are reported as an upper bound (medium confidence) and SKU spend counts every enabled seat", err)
	}
	// A collection: follow @odata.nextLink until there is none (paging.md).
	var all []models.CompanySubscriptionable
	it, err := msgraphcore.NewPageIterator[models.CompanySubscriptionable](res, g.client.GetAdapter(), models.CreateCompanySubscriptionCollectionResponseFromDiscriminatorValue)
	if err == nil {
		err = it.Iterate(ctx, func(c models.CompanySubscriptionable) bool { all = append(all, c); return true })
	}
	if err != nil {
		return nil, s.gapNote(ctx, sink, g.tenant, "directory.subscriptions", "GET /directory/subscriptions (needs Organization.Read.All)",
			"without subscriptions no SKU has a renewal date and any SKU may hold trial seats of unknown number: unassigned seats are reported as an upper bound (medium confidence) and SKU spend counts every enabled seat", err)
	}
	for _, c := range all {
		sub := subscription{id: deref(c.GetId()), commerceID: deref(c.GetCommerceSubscriptionId()), status: deref(c.GetStatus()), nextLifecycle: c.GetNextLifecycleDateTime(), totalLicenses: -1}
		if n := c.GetTotalLicenses(); n != nil {
			sub.totalLicenses = int64(*n)
		}
		if c.GetIsTrial() != nil {
			sub.isTrial = *c.GetIsTrial()
		}
		key := strings.ToLower(deref(c.GetSkuId()))
		out[key] = append(out[key], sub)
	}
	return out, nil
}

// skus reads GET /subscribedSkus (one response, no paging: the endpoint
// supports only $select) and emits one m365.license.sku resource per SKU.
//
// Attributes of m365.license.sku:
//
//	sku_id, sku_part_number, sku_name  skuId, skuPartNumber, product name (part number when unknown)
//	applies_to                         User or Company ("Only SKUs with target class User are assignable")
//	capability_status                  Enabled, Warning, Suspended, Deleted, LockedOut (also State)
//	enabled_units, warning_units,      prepaidUnits.*: purchased seats by state; warning = expired, in grace
//	suspended_units, locked_out_units
//	consumed_units                     assigned seats
//	service_plan_ids, service_plan_names  the SKU's service plans, comma-separated, sorted (redundancy rules)
//	subscription_ids                   its commerce subscriptions, sorted
//	next_renewal                       earliest future nextLifecycleDateTime of its Enabled subscriptions (RFC 3339); absent
//	                                   when unknown. A Warning subscription has expired: its next lifecycle date is when it
//	                                   is suspended, not a renewal (companySubscription.nextLifecycleDateTime)
//	is_trial                           "true" when any of its subscriptions is a trial
//	trial_units                        seats of its Enabled trial subscriptions (totalLicenses); absent when unknown
//	subscriptions                      "unavailable" when directory/subscriptions could not be read: trials and renewals unknown
func (s *Scanner) skus(ctx context.Context, g *graph, subs map[string][]subscription, sink scanners.Sink) (map[string]sku, error) {
	out := map[string]sku{}
	res, err := g.client.SubscribedSkus().Get(ctx, nil)
	if err != nil {
		return out, s.gap(ctx, sink, g.tenant, "subscribedSkus", "GET /subscribedSkus", err)
	}
	now := s.env.Now().UTC()
	for _, k := range res.GetValue() {
		if k.GetSkuId() == nil {
			continue
		}
		id := strings.ToLower(k.GetSkuId().String())
		part := deref(k.GetSkuPartNumber())
		info := sku{id: id, partNumber: part, name: productName(part)}
		out[id] = info
		attrs := map[string]string{
			"sku_id": id, "sku_part_number": part, "sku_name": info.name,
			"applies_to": deref(k.GetAppliesTo()), "capability_status": deref(k.GetCapabilityStatus()),
			"consumed_units": itoa(k.GetConsumedUnits()),
		}
		if p := k.GetPrepaidUnits(); p != nil {
			attrs["enabled_units"] = itoa(p.GetEnabled())
			attrs["warning_units"] = itoa(p.GetWarning())
			attrs["suspended_units"] = itoa(p.GetSuspended())
			attrs["locked_out_units"] = itoa(p.GetLockedOut())
		}
		var planIDs, planNames []string
		for _, sp := range k.GetServicePlans() {
			if sp.GetServicePlanId() != nil {
				planIDs = append(planIDs, strings.ToLower(sp.GetServicePlanId().String()))
			}
			if n := deref(sp.GetServicePlanName()); n != "" {
				planNames = append(planNames, n)
			}
		}
		setList(attrs, "service_plan_ids", planIDs)
		setList(attrs, "service_plan_names", planNames)
		subIDs := append([]string(nil), k.GetSubscriptionIds()...)
		var renewal *time.Time
		trialUnits, trialKnown := int64(0), true
		for _, sub := range subs[id] {
			// subscribedSku.subscriptionIds may carry either id (Graph's
			// example shows id and commerceSubscriptionId differing).
			if !contains(subIDs, sub.id) && (sub.commerceID == "" || !contains(subIDs, sub.commerceID)) {
				subIDs = append(subIDs, sub.id)
			}
			// Only Enabled subscriptions hold enabled units: a Warning one
			// has expired (its units are prepaidUnits.warning, in grace).
			// Graph always sends status; a subscription without one is
			// taken as Enabled, as before.
			active := sub.status == "Enabled" || sub.status == ""
			if sub.isTrial {
				attrs["is_trial"] = "true"
				if active {
					if sub.totalLicenses < 0 {
						trialKnown = false
					}
					trialUnits += max(sub.totalLicenses, 0)
				}
			}
			if active && sub.nextLifecycle != nil && !sub.nextLifecycle.Before(now) && (renewal == nil || sub.nextLifecycle.Before(*renewal)) {
				renewal = sub.nextLifecycle
			}
		}
		if subs == nil {
			attrs["subscriptions"] = "unavailable"
		}
		if attrs["is_trial"] == "true" && trialKnown {
			attrs["trial_units"] = strconv.FormatInt(trialUnits, 10)
		}
		setList(attrs, "subscription_ids", subIDs)
		if renewal != nil {
			attrs["next_renewal"] = renewal.UTC().Format(time.RFC3339)
		}
		sink.Resource(scanners.Resource{
			Provider: Info.Name, Account: g.tenant, Kind: KindSKU, ID: id, Name: part,
			State: deref(k.GetCapabilityStatus()), Attributes: attrs, ObservedAt: now,
		})
	}
	return out, nil
}

func setList(attrs map[string]string, key string, v []string) {
	if len(v) == 0 {
		return
	}
	v = append([]string(nil), v...)
	sort.Strings(v)
	attrs[key] = strings.Join(v, ",")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func itoa(p *int32) string {
	if p == nil {
		return "0"
	}
	return strconv.Itoa(int(*p))
}

// productNames are display names of common SKUs, from Microsoft's
// "Product names and service plan identifiers for licensing" table
// (entra-docs licensing-service-plan-reference). Unknown part numbers are
// shown as themselves.
var productNames = map[string]string{
	"O365_BUSINESS_ESSENTIALS":    "Microsoft 365 Business Basic",
	"O365_BUSINESS_PREMIUM":       "Microsoft 365 Business Standard",
	"SPB":                         "Microsoft 365 Business Premium",
	"STANDARDPACK":                "Office 365 E1",
	"ENTERPRISEPACK":              "Office 365 E3",
	"ENTERPRISEPREMIUM":           "Office 365 E5",
	"SPE_E3":                      "Microsoft 365 E3",
	"SPE_E5":                      "Microsoft 365 E5",
	"Microsoft_365_E5_(no_Teams)": "Microsoft 365 E5 (no Teams)",
	"SPE_F1":                      "Microsoft 365 F3",
	"M365_F1_COMM":                "Microsoft 365 F1",
	"POWER_BI_PRO":                "Power BI Pro",
	"POWER_BI_STANDARD":           "Microsoft Fabric (Free)",
	"FLOW_FREE":                   "Microsoft Power Automate Free",
	"VISIOCLIENT":                 "Visio Plan 2",
	"PROJECTPROFESSIONAL":         "Planner and Project Plan 3",
	"EMS":                         "Enterprise Mobility + Security E3",
	"EMSPREMIUM":                  "Enterprise Mobility + Security E5",
	"AAD_PREMIUM":                 "Microsoft Entra ID P1",
	"AAD_PREMIUM_P2":              "Microsoft Entra ID P2",
	"ATP_ENTERPRISE":              "Microsoft Defender for Office 365 (Plan 1)",
	"Microsoft_Teams_Premium":     "Microsoft Teams Premium",
	"Microsoft_365_Copilot":       "Microsoft 365 Copilot",
	"Microsoft_365_E3_(no_Teams)": "Microsoft 365 E3 (no Teams)",
	"MCOEV":                       "Microsoft Teams Phone Standard",
	"MCOMEETADV":                  "Microsoft 365 Audio Conferencing",
}

func productName(part string) string {
	if n, ok := productNames[part]; ok {
		return n
	}
	return part
}
