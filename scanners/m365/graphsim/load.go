package graphsim

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"

	"github.com/ghostaudit/ghostaudit/scanners/estate"
	"github.com/ghostaudit/ghostaudit/scanners/strictyaml"
)

// Load decodes and validates the m365 section of a parsed estate. ok is
// false when the estate has no m365 section. Errors name the file, the
// line when known, and the field, e.g.
// "demo.yaml:12:9: m365.tenants[0].users[3].licenses[0].sku: ...".
func Load(e *estate.Estate) (est *Estate, ok bool, err error) {
	if e == nil {
		return nil, false, nil
	}
	est = &Estate{}
	ok, err = e.DecodeSection("m365", est)
	if !ok || err != nil {
		return nil, ok, err
	}
	v := &validator{file: e.File, node: e.Sections["m365"]}
	if err := v.estate(est); err != nil {
		return nil, true, err
	}
	return est, true, nil
}

// licenseAssignmentState state and error values (Graph reference,
// licenseassignmentstate).
var (
	assignmentStates = []string{"Active", "ActiveWithError", "Disabled", "Error"}
	assignmentErrors = []string{"CountViolation", "MutuallyExclusiveViolation", "DependencyViolation", "ProhibitedInUsageLocationViolation", "UniquenessViolation", "Other"}
)

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

type validator struct {
	file string
	node ast.Node
}

func (v *validator) fail(field, format string, args ...any) error {
	var node ast.Node
	if v.node != nil && field != "" {
		if p, err := yaml.PathString("$." + field); err == nil {
			if n, err := p.FilterNode(v.node); err == nil && n != nil {
				node = n
			}
		}
	}
	full := "m365"
	if field != "" {
		full += "." + field
	}
	return strictyaml.At(v.file, node, full, fmt.Sprintf(format, args...))
}

func (v *validator) guid(field, s string) error {
	if !guidRE.MatchString(s) {
		return v.fail(field, "%q is not a GUID", s)
	}
	return nil
}

func (v *validator) estate(est *Estate) error {
	tids := map[string]bool{}
	for i := range est.Tenants {
		t := &est.Tenants[i]
		f := fmt.Sprintf("tenants[%d]", i)
		if err := v.guid(f+".id", t.ID); err != nil {
			return err
		}
		if tids[strings.ToLower(t.ID)] {
			return v.fail(f+".id", "tenant %s is listed twice", t.ID)
		}
		tids[strings.ToLower(t.ID)] = true
		if err := v.tenant(f, t); err != nil {
			return err
		}
	}
	return nil
}

func (v *validator) tenant(f string, t *Tenant) error {
	for i, a := range t.Apps {
		if err := v.guid(fmt.Sprintf("%s.apps[%d].client_id", f, i), a.ClientID); err != nil {
			return err
		}
		if a.ClientSecret == "" && len(a.Certificates) == 0 && len(a.Federated) == 0 && !a.PublicClient {
			return v.fail(fmt.Sprintf("%s.apps[%d].client_secret", f, i), "required (or certificates, federated, or public_client: true)")
		}
		for j, fc := range a.Federated {
			if u, err := url.Parse(fc.Issuer); err != nil || u.Scheme != "https" || u.Host == "" {
				return v.fail(fmt.Sprintf("%s.apps[%d].federated[%d].issuer", f, i, j), "want an https URL, got %q", fc.Issuer)
			}
			if fc.Subject == "" {
				return v.fail(fmt.Sprintf("%s.apps[%d].federated[%d].subject", f, i, j), "required")
			}
		}
		for j, c := range a.Certificates {
			if _, err := parseCertificate(c); err != nil {
				return v.fail(fmt.Sprintf("%s.apps[%d].certificates[%d]", f, i, j), "%s", err)
			}
		}
	}
	if t.SubscriptionsPageSize < 0 {
		return v.fail(f+".subscriptions_page_size", "cannot be negative")
	}
	if err := v.faults(f+".faults", &t.Faults); err != nil {
		return err
	}
	skus := map[string]*SKU{}
	for i := range t.SKUs {
		s := &t.SKUs[i]
		sf := fmt.Sprintf("%s.skus[%d]", f, i)
		if err := v.guid(sf+".sku_id", s.SKUID); err != nil {
			return err
		}
		if s.PartNumber == "" {
			return v.fail(sf+".part_number", "required")
		}
		if skus[s.PartNumber] != nil || skus[strings.ToLower(s.SKUID)] != nil {
			return v.fail(sf, "sku %s is listed twice", s.PartNumber)
		}
		skus[s.PartNumber], skus[strings.ToLower(s.SKUID)] = s, s
		if s.AppliesTo == "" {
			s.AppliesTo = "User"
		}
		if s.CapabilityStatus == "" {
			s.CapabilityStatus = "Enabled"
		}
		if !slices.Contains([]string{"Enabled", "Warning", "Suspended", "Deleted", "LockedOut"}, s.CapabilityStatus) {
			return v.fail(sf+".capability_status", "%q is not Enabled, Warning, Suspended, Deleted or LockedOut", s.CapabilityStatus)
		}
		if s.Enabled < 0 || s.Warning < 0 || s.Suspended < 0 || s.LockedOut < 0 {
			return v.fail(sf, "unit counts cannot be negative")
		}
		for j := range s.ServicePlans {
			p := &s.ServicePlans[j]
			if err := v.guid(fmt.Sprintf("%s.service_plans[%d].id", sf, j), p.ID); err != nil {
				return err
			}
			if p.AppliesTo == "" {
				p.AppliesTo = "User"
			}
		}
	}
	for i := range t.Subscriptions {
		s := &t.Subscriptions[i]
		sf := fmt.Sprintf("%s.subscriptions[%d]", f, i)
		if err := v.guid(sf+".id", s.ID); err != nil {
			return err
		}
		if skus[s.SKU] == nil && skus[strings.ToLower(s.SKU)] == nil {
			return v.fail(sf+".sku", "%q is not one of the tenant's skus", s.SKU)
		}
		if s.Status == "" {
			s.Status = "Enabled"
		}
		if s.CommerceID == "" {
			s.CommerceID = s.ID
		} else if err := v.guid(sf+".commerce_id", s.CommerceID); err != nil {
			return err
		}
	}
	groups := map[string]bool{}
	for i, g := range t.Groups {
		if err := v.guid(fmt.Sprintf("%s.groups[%d].id", f, i), g.ID); err != nil {
			return err
		}
		groups[strings.ToLower(g.ID)] = true
	}
	uids, upns := map[string]bool{}, map[string]bool{}
	for i := range t.Users {
		u := &t.Users[i]
		uf := fmt.Sprintf("%s.users[%d]", f, i)
		if err := v.guid(uf+".id", u.ID); err != nil {
			return err
		}
		if u.UPN == "" || !strings.Contains(u.UPN, "@") {
			return v.fail(uf+".upn", "%q is not a user principal name", u.UPN)
		}
		if uids[strings.ToLower(u.ID)] || upns[strings.ToLower(u.UPN)] {
			return v.fail(uf, "user %s is listed twice", u.UPN)
		}
		uids[strings.ToLower(u.ID)], upns[strings.ToLower(u.UPN)] = true, true
		if u.UserType == "" {
			u.UserType = "Member"
		}
		if u.UserType != "Member" && u.UserType != "Guest" {
			return v.fail(uf+".user_type", "%q is not Member or Guest", u.UserType)
		}
		seen := map[string]bool{}
		for j := range u.Licenses {
			l := &u.Licenses[j]
			lf := fmt.Sprintf("%s.licenses[%d]", uf, j)
			s := skus[l.SKU]
			if s == nil {
				s = skus[strings.ToLower(l.SKU)]
			}
			if s == nil {
				return v.fail(lf+".sku", "%q is not one of the tenant's skus", l.SKU)
			}
			if seen[s.SKUID] {
				return v.fail(lf+".sku", "%s is assigned twice; list its groups and direct on one entry", l.SKU)
			}
			seen[s.SKUID] = true
			l.SKU = s.SKUID
			for k, g := range l.Groups {
				if !groups[strings.ToLower(g)] {
					return v.fail(fmt.Sprintf("%s.groups[%d]", lf, k), "%q is not one of the tenant's groups", g)
				}
			}
			if !l.IsDirect() && len(l.Groups) == 0 {
				return v.fail(lf, "a licence that is not direct needs groups")
			}
			if l.State == "" {
				l.State = "Active"
			}
			if !slices.Contains(assignmentStates, l.State) {
				return v.fail(lf+".state", "%q is not one of %s", l.State, strings.Join(assignmentStates, ", "))
			}
			if l.Error != "" && l.Error != "None" && !slices.Contains(assignmentErrors, l.Error) {
				return v.fail(lf+".error", "%q is not None or one of %s", l.Error, strings.Join(assignmentErrors, ", "))
			}
			for g, e := range l.GroupErrors {
				if !slices.ContainsFunc(l.Groups, func(x string) bool { return strings.EqualFold(x, g) }) {
					return v.fail(lf+".group_errors", "%q is not one of the licence's groups", g)
				}
				if !slices.Contains(assignmentErrors, e) {
					return v.fail(lf+".group_errors", "%q is not one of %s", e, strings.Join(assignmentErrors, ", "))
				}
			}
		}
	}
	for i, d := range t.DeletedUsers {
		if !strings.Contains(d.UPN, "@") {
			return v.fail(fmt.Sprintf("%s.deleted_users[%d].upn", f, i), "%q is not a user principal name", d.UPN)
		}
	}
	for i := range t.Subscriptions {
		s := &t.Subscriptions[i]
		if k := skus[s.SKU]; k != nil {
			s.SKU = k.SKUID
		} else {
			s.SKU = skus[strings.ToLower(s.SKU)].SKUID
		}
	}
	return nil
}

func (v *validator) faults(f string, fl *Faults) error {
	for i, d := range fl.Deny {
		if !slices.Contains(Endpoints, d) {
			return v.fail(fmt.Sprintf("%s.deny[%d]", f, i), "%q is not one of %s", d, strings.Join(Endpoints, ", "))
		}
	}
	for k, n := range fl.Throttle {
		if !slices.Contains(Endpoints, k) {
			return v.fail(f+".throttle."+k, "%q is not one of %s", k, strings.Join(Endpoints, ", "))
		}
		if n < 0 {
			return v.fail(f+".throttle."+k, "cannot be negative")
		}
	}
	if fl.RetryAfter < 0 {
		return v.fail(f+".retry_after", "cannot be negative")
	}
	if fl.Latency != "" {
		if _, err := time.ParseDuration(fl.Latency); err != nil {
			return v.fail(f+".latency", "%q is not a duration such as 25ms", fl.Latency)
		}
	}
	return nil
}
