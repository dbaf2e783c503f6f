package classify

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// ASC 350-40 capitalisation models.
const (
	// ModelStages is the project-stage model: application-development-stage
	// costs are capitalised.
	ModelStages = "stages"
	// ModelASU202506 is ASU 2025-06: capitalise once the project is
	// authorised and funded and probable to complete. Mandatory for annual
	// periods beginning after 15 Dec 2027; early adoption is permitted.
	ModelASU202506 = "asu-2025-06"
)

// maxMonths bounds every term and life (100 years): larger values are
// configuration or data errors, and schedules are allocated per month.
const maxMonths = 1200

// UsefulLives are depreciation and amortisation periods in months per
// asset class.
type UsefulLives struct {
	Laptop              int // default 36
	Server              int // default 60
	Network             int // default 60
	InternalUseSoftware int // default 36
	PerpetualLicence    int // default 36
}

// TagKeys maps each tag attribute to the company's tag keys. Keys match
// case-insensitively; when several keys of one attribute are present with
// different values, the tags conflict and the item is Review.
type TagKeys struct {
	Project            []string // default "project"
	Phase              []string // default "phase"
	CapexEligible      []string // default "capex_eligible", "capitalizable"
	ProjectAuthorized  []string // default "project_authorized"
	ProbableToComplete []string // default "probable_to_complete"
	CostCenter         []string // default "cost_center"
}

// Settings are a company's accounting policy. Start from DefaultSettings
// and override; NewPolicy validates.
type Settings struct {
	// Framework is FrameworkUSGAAP (default) or FrameworkIFRS. Entities that
	// report under both build one Policy per framework.
	Framework string
	// Model is the ASC 350-40 model, ModelStages (default) or
	// ModelASU202506. US GAAP only.
	Model string
	// ASUAdoption is the date ASU 2025-06 was adopted; required when Model is
	// ModelASU202506. Items with a ServiceDate before it use the stage
	// model; items without a ServiceDate use ASU 2025-06.
	ASUAdoption time.Time

	// Currency is the ISO 4217 currency of the thresholds (default "USD").
	Currency string
	// HardwareThreshold is the per-item capitalisation threshold for
	// hardware (default 2500).
	HardwareThreshold decimal.Decimal
	// LicenceThreshold is the per-item capitalisation threshold for
	// perpetual and term licences (default 2500).
	LicenceThreshold decimal.Decimal
	// SoftwareProjectThreshold is the per-project threshold for internal-use
	// software development (default 25000).
	SoftwareProjectThreshold decimal.Decimal

	UsefulLives UsefulLives
	// PrepaidTermMonths amortises a prepaid commitment or implementation
	// asset whose term is unknown (default 12).
	PrepaidTermMonths int

	// AddBackImplementationAmortisation says the company's adjusted EBITDA
	// adds back the amortisation of capitalised cloud-computing-arrangement
	// implementation costs (US GAAP R9). Default false: that amortisation
	// sits in the hosting-fee line (ASC 350-40-45), inside EBITDA.
	AddBackImplementationAmortisation bool
	// TaxRecoverable says tax lines are recoverable VAT/GST, which is not a
	// cost: such lines go to Review for exclusion instead of following the
	// underlying charge. Default false.
	TaxRecoverable bool

	TagKeys TagKeys
}

// DefaultSettings are the documented defaults. Thresholds and lives are
// common practice (GAAP sets no dollar threshold), not a standard: set them
// to the company's capitalisation policy.
func DefaultSettings() Settings {
	return Settings{
		Framework:                FrameworkUSGAAP,
		Model:                    ModelStages,
		Currency:                 "USD",
		HardwareThreshold:        decimal.NewFromInt(2500),
		LicenceThreshold:         decimal.NewFromInt(2500),
		SoftwareProjectThreshold: decimal.NewFromInt(25000),
		UsefulLives: UsefulLives{
			Laptop:              36,
			Server:              60,
			Network:             60,
			InternalUseSoftware: 36,
			PerpetualLicence:    36,
		},
		PrepaidTermMonths: 12,
		TagKeys: TagKeys{
			Project:            []string{"project"},
			Phase:              []string{"phase"},
			CapexEligible:      []string{"capex_eligible", "capitalizable"},
			ProjectAuthorized:  []string{"project_authorized"},
			ProbableToComplete: []string{"probable_to_complete"},
			CostCenter:         []string{"cost_center"},
		},
	}
}

// Validate checks the settings; the error names the offending field.
func (s Settings) Validate() error {
	bad := func(field, format string, a ...any) error {
		return fmt.Errorf("classify: settings: %s: %s", field, fmt.Sprintf(format, a...))
	}
	switch s.Framework {
	case FrameworkUSGAAP, FrameworkIFRS:
	default:
		return bad("Framework", "must be %q or %q, got %q", FrameworkUSGAAP, FrameworkIFRS, s.Framework)
	}
	switch s.Model {
	case ModelStages:
	case ModelASU202506:
		if s.ASUAdoption.IsZero() {
			return bad("ASUAdoption", "required when Model is %q", ModelASU202506)
		}
	default:
		return bad("Model", "must be %q or %q, got %q", ModelStages, ModelASU202506, s.Model)
	}
	if !isCurrency(s.Currency) {
		return bad("Currency", "must be a three-letter ISO 4217 code, got %q", s.Currency)
	}
	for _, th := range []struct {
		name string
		v    decimal.Decimal
	}{
		{"HardwareThreshold", s.HardwareThreshold},
		{"LicenceThreshold", s.LicenceThreshold},
		{"SoftwareProjectThreshold", s.SoftwareProjectThreshold},
	} {
		if th.v.IsNegative() {
			return bad(th.name, "must not be negative, got %s", th.v)
		}
	}
	for _, m := range []struct {
		name string
		v    int
	}{
		{"UsefulLives.Laptop", s.UsefulLives.Laptop},
		{"UsefulLives.Server", s.UsefulLives.Server},
		{"UsefulLives.Network", s.UsefulLives.Network},
		{"UsefulLives.InternalUseSoftware", s.UsefulLives.InternalUseSoftware},
		{"UsefulLives.PerpetualLicence", s.UsefulLives.PerpetualLicence},
		{"PrepaidTermMonths", s.PrepaidTermMonths},
	} {
		if m.v <= 0 || m.v > maxMonths {
			return bad(m.name, "must be between 1 and %d months, got %d", maxMonths, m.v)
		}
	}
	seen := map[string]string{}
	for _, k := range s.TagKeys.fields() {
		if len(k.keys) == 0 {
			return bad("TagKeys."+k.name, "needs at least one tag key")
		}
		for _, key := range k.keys {
			if strings.TrimSpace(key) == "" {
				return bad("TagKeys."+k.name, "has an empty tag key")
			}
			lk := strings.ToLower(key)
			if other, dup := seen[lk]; dup {
				return bad("TagKeys."+k.name, "tag key %q is also mapped to %s", key, other)
			}
			seen[lk] = "TagKeys." + k.name
		}
	}
	return nil
}

type tagField struct {
	name string
	keys []string
}

func (k TagKeys) fields() []tagField {
	return []tagField{
		{"Project", k.Project},
		{"Phase", k.Phase},
		{"CapexEligible", k.CapexEligible},
		{"ProjectAuthorized", k.ProjectAuthorized},
		{"ProbableToComplete", k.ProbableToComplete},
		{"CostCenter", k.CostCenter},
	}
}

func isCurrency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}
