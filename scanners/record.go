package scanners

import (
	"strconv"
	"strings"
	"time"
)

// Resource is one cloud resource as a scanner saw it: identity, state, the
// inputs a price look-up needs, utilisation evidence and relations.
type Resource struct {
	Provider string            `json:"provider"`
	Account  string            `json:"account"`
	Region   string            `json:"region"`
	Kind     string            `json:"kind"`
	ID       string            `json:"id"`
	Name     string            `json:"name,omitempty"`
	Tags     map[string]string `json:"tags,omitempty"`
	State    string            `json:"state,omitempty"`
	Created  *time.Time        `json:"created,omitempty"`
	// Attributes are the kind's typed facts rendered as strings (size_gib,
	// volume_type, iops...). Each kind documents its keys where it is emitted.
	Attributes map[string]string `json:"attributes,omitempty"`
	Metrics    []Metric          `json:"metrics,omitempty"`
	Relations  []Relation        `json:"relations,omitempty"`
	ObservedAt time.Time         `json:"observed_at"`
}

// Metric is a summary of a utilisation time series over a window.
type Metric struct {
	Name       string    `json:"name"`  // e.g. "CPUUtilization"
	Stat       string    `json:"stat"`  // e.g. "Average", "Maximum", "Sum"
	Value      float64   `json:"value"` // a measurement, never money
	Unit       string    `json:"unit"`  // e.g. "Percent", "Bytes"
	WindowDays int       `json:"window_days"`
	Points     int       `json:"points"` // datapoints seen in the window
	End        time.Time `json:"end"`
	// Daily holds one value per day of the window, oldest first, when the
	// rule needs the shape and not only the summary (idle = every day quiet).
	Daily []float64 `json:"daily,omitempty"`
}

// Metric returns the resource's metric with the given name and statistic.
func (r Resource) Metric(name, stat string) (Metric, bool) {
	for _, m := range r.Metrics {
		if m.Name == name && m.Stat == stat {
			return m, true
		}
	}
	return Metric{}, false
}

// Relation links a resource to another record by key.
type Relation struct {
	Type string `json:"type"` // "attached-to", "source-volume", "used-by-image"...
	Key  string `json:"key"`
}

// Key returns the stable identity provider/account/region/kind/id.
func (r Resource) Key() string { return MakeKey(r.Provider, r.Account, r.Region, r.Kind, r.ID) }

// Attr returns an attribute, or "" when absent.
func (r Resource) Attr(name string) string { return r.Attributes[name] }

// AttrInt returns an integer attribute; ok is false when absent or malformed.
func (r Resource) AttrInt(name string) (n int64, ok bool) {
	v, present := r.Attributes[name]
	if !present {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil
}

// MakeKey joins the key parts of a record. Empty parts are written as "-"
// so keys of global resources stay five segments long.
func MakeKey(provider, account, region, kind, id string) string {
	parts := []string{provider, account, region, kind, id}
	for i, p := range parts {
		if p == "" {
			parts[i] = "-"
		}
	}
	return strings.Join(parts, "/")
}

// Seat is one licence or paid seat held (or purchasable) in a SaaS tenant.
type Seat struct {
	Provider         string            `json:"provider"` // "m365", "github", ...
	Tenant           string            `json:"tenant"`
	SKU              string            `json:"sku"`
	SKUName          string            `json:"sku_name,omitempty"`
	UserID           string            `json:"user_id,omitempty"`
	Principal        string            `json:"principal,omitempty"` // UPN or e-mail
	AccountEnabled   *bool             `json:"account_enabled,omitempty"`
	UserType         string            `json:"user_type,omitempty"` // "Member", "Guest"
	Created          *time.Time        `json:"created,omitempty"`
	LastActivity     *time.Time        `json:"last_activity,omitempty"`
	AssignmentSource string            `json:"assignment_source,omitempty"` // "direct", "group:<id>"
	Attributes       map[string]string `json:"attributes,omitempty"`
	ObservedAt       time.Time         `json:"observed_at"`
}

// Key returns the stable identity provider/tenant/-/seat/sku:user.
func (s Seat) Key() string {
	return MakeKey(s.Provider, s.Tenant, "", "seat", s.SKU+":"+s.UserID)
}

// Gap reasons.
const (
	ReasonDenied        = "denied"         // the provider refused: missing permission, SCP, role not assumable
	ReasonThrottled     = "throttled"      // retries were exhausted on throttling
	ReasonUnsupported   = "unsupported"    // the scope does not offer the API (opt-in region, plan level)
	ReasonError         = "error"          // anything else: 5xx, malformed response, timeout
	ReasonNoCredentials = "no-credentials" // nothing to authenticate with
	ReasonPanic         = "panic"          // the scanner crashed; recovered by the Runner
)

// Gap records something a scanner could not see, so that every report can
// say what its numbers do not cover.
type Gap struct {
	Scanner string `json:"scanner"`
	Account string `json:"account,omitempty"`
	Region  string `json:"region,omitempty"`
	// Scope names what was not covered in the provider's terms, e.g.
	// "account 111111111111 region eu-west-3" or "ec2:DescribeVolumes".
	Scope     string `json:"scope"`
	Operation string `json:"operation,omitempty"` // the API call that failed, e.g. "ec2:DescribeVolumes"
	Reason    string `json:"reason"`
	Message   string `json:"message"`
}

// Key identifies a gap for de-duplication and ordering.
func (g Gap) Key() string {
	return strings.Join([]string{g.Scanner, g.Account, g.Region, g.Scope, g.Operation, g.Reason}, "/")
}
