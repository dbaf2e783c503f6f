package main

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/findings/classify"
)

// accountingConfig is the config section `accounting`: the company's
// capitalisation policy, turned into classify.Settings.
type accountingConfig struct {
	Framework                 string       `yaml:"framework"`
	Model                     string       `yaml:"model"`
	ASUAdoption               string       `yaml:"asu_2025_06_adoption"`
	HardwareThreshold         string       `yaml:"hardware_threshold"`
	LicenceThreshold          string       `yaml:"licence_threshold"`
	SoftwareProjectThreshold  string       `yaml:"software_project_threshold"`
	UsefulLives               usefulLives  `yaml:"useful_lives_months"`
	PrepaidTermMonths         int          `yaml:"prepaid_term_months"`
	AddBackImplementationAmor bool         `yaml:"add_back_implementation_amortisation"`
	TaxRecoverable            bool         `yaml:"tax_recoverable"`
	TagKeys                   tagKeyConfig `yaml:"tag_keys"`
}

type usefulLives struct {
	Laptop              int `yaml:"laptop"`
	Server              int `yaml:"server"`
	Network             int `yaml:"network"`
	InternalUseSoftware int `yaml:"internal_use_software"`
	PerpetualLicence    int `yaml:"perpetual_licence"`
}

type tagKeyConfig struct {
	Project            []string `yaml:"project"`
	Phase              []string `yaml:"phase"`
	CapexEligible      []string `yaml:"capex_eligible"`
	ProjectAuthorized  []string `yaml:"project_authorized"`
	ProbableToComplete []string `yaml:"probable_to_complete"`
	CostCenter         []string `yaml:"cost_center"`
}

// defaultAccounting mirrors classify.DefaultSettings in config form.
func defaultAccounting() accountingConfig {
	d := classify.DefaultSettings()
	return accountingConfig{
		Framework: d.Framework, Model: d.Model,
		HardwareThreshold: d.HardwareThreshold.String(), LicenceThreshold: d.LicenceThreshold.String(),
		SoftwareProjectThreshold: d.SoftwareProjectThreshold.String(),
		UsefulLives: usefulLives{Laptop: d.UsefulLives.Laptop, Server: d.UsefulLives.Server, Network: d.UsefulLives.Network,
			InternalUseSoftware: d.UsefulLives.InternalUseSoftware, PerpetualLicence: d.UsefulLives.PerpetualLicence},
		PrepaidTermMonths:         d.PrepaidTermMonths,
		AddBackImplementationAmor: d.AddBackImplementationAmortisation,
		TaxRecoverable:            d.TaxRecoverable,
		TagKeys: tagKeyConfig{Project: d.TagKeys.Project, Phase: d.TagKeys.Phase, CapexEligible: d.TagKeys.CapexEligible,
			ProjectAuthorized: d.TagKeys.ProjectAuthorized, ProbableToComplete: d.TagKeys.ProbableToComplete, CostCenter: d.TagKeys.CostCenter},
	}
}

// policy validates the section and builds the classification policy;
// thresholds are in the reporting currency. Errors name accounting.<key>.
func (c accountingConfig) policy(currency string) (*classify.Policy, error) {
	s := classify.DefaultSettings()
	s.Framework, s.Model, s.Currency = c.Framework, c.Model, currency
	if c.Framework != classify.FrameworkUSGAAP && c.Framework != classify.FrameworkIFRS {
		return nil, fmt.Errorf("accounting.framework: %q is not %s or %s", c.Framework, classify.FrameworkUSGAAP, classify.FrameworkIFRS)
	}
	if c.Model != classify.ModelStages && c.Model != classify.ModelASU202506 {
		return nil, fmt.Errorf("accounting.model: %q is not %s or %s", c.Model, classify.ModelStages, classify.ModelASU202506)
	}
	if c.ASUAdoption != "" {
		t, err := time.Parse("2006-01-02", c.ASUAdoption)
		if err != nil {
			return nil, fmt.Errorf("accounting.asu_2025_06_adoption: %q is not a date YYYY-MM-DD", c.ASUAdoption)
		}
		s.ASUAdoption = t
	} else if c.Model == classify.ModelASU202506 {
		return nil, fmt.Errorf("accounting.asu_2025_06_adoption: required when model is %s", classify.ModelASU202506)
	}
	for key, v := range map[string]*decimal.Decimal{"hardware_threshold": &s.HardwareThreshold, "licence_threshold": &s.LicenceThreshold,
		"software_project_threshold": &s.SoftwareProjectThreshold} {
		raw := map[string]string{"hardware_threshold": c.HardwareThreshold, "licence_threshold": c.LicenceThreshold,
			"software_project_threshold": c.SoftwareProjectThreshold}[key]
		d, err := decimal.NewFromString(raw)
		if err != nil || d.IsNegative() {
			return nil, fmt.Errorf("accounting.%s: %q is not a non-negative amount", key, raw)
		}
		*v = d
	}
	for key, v := range map[string]int{"laptop": c.UsefulLives.Laptop, "server": c.UsefulLives.Server, "network": c.UsefulLives.Network,
		"internal_use_software": c.UsefulLives.InternalUseSoftware, "perpetual_licence": c.UsefulLives.PerpetualLicence, "prepaid_term_months": c.PrepaidTermMonths} {
		if v < 1 || v > 1200 {
			field := "useful_lives_months." + key
			if key == "prepaid_term_months" {
				field = key
			}
			return nil, fmt.Errorf("accounting.%s: %d is not a number of months 1-1200", field, v)
		}
	}
	s.UsefulLives = classify.UsefulLives{Laptop: c.UsefulLives.Laptop, Server: c.UsefulLives.Server, Network: c.UsefulLives.Network,
		InternalUseSoftware: c.UsefulLives.InternalUseSoftware, PerpetualLicence: c.UsefulLives.PerpetualLicence}
	s.PrepaidTermMonths = c.PrepaidTermMonths
	s.AddBackImplementationAmortisation, s.TaxRecoverable = c.AddBackImplementationAmor, c.TaxRecoverable
	s.TagKeys = classify.TagKeys{Project: c.TagKeys.Project, Phase: c.TagKeys.Phase, CapexEligible: c.TagKeys.CapexEligible,
		ProjectAuthorized: c.TagKeys.ProjectAuthorized, ProbableToComplete: c.TagKeys.ProbableToComplete, CostCenter: c.TagKeys.CostCenter}
	p, err := classify.NewPolicy(s)
	if err != nil {
		return nil, fmt.Errorf("accounting: %w", err)
	}
	return p, nil
}

// accountingDocs describes the accounting section.
var accountingDocs = []specEntry{
	{Key: "framework", Type: "us-gaap | ifrs", Doc: "Accounting framework for the CapEx/OpEx/Prepaid classification."},
	{Key: "model", Type: "stages | asu-2025-06", Doc: "US GAAP ASC 350-40 model: the stage model, or ASU 2025-06 (probable-to-complete threshold)."},
	{Key: "asu_2025_06_adoption", Type: "date YYYY-MM-DD", Doc: "Adoption date of ASU 2025-06; costs before it follow the stage model. Required with model asu-2025-06."},
	{Key: "hardware_threshold", Type: "decimal", Doc: "Capitalisation threshold per hardware item, in the reporting currency."},
	{Key: "licence_threshold", Type: "decimal", Doc: "Capitalisation threshold per purchased licence."},
	{Key: "software_project_threshold", Type: "decimal", Doc: "Capitalisation threshold per internal-use software project."},
	{Key: "useful_lives_months.laptop", Type: "months", Doc: "Useful life of laptops."},
	{Key: "useful_lives_months.server", Type: "months", Doc: "Useful life of servers."},
	{Key: "useful_lives_months.network", Type: "months", Doc: "Useful life of network equipment."},
	{Key: "useful_lives_months.internal_use_software", Type: "months", Doc: "Amortisation period of capitalised internal-use software."},
	{Key: "useful_lives_months.perpetual_licence", Type: "months", Doc: "Amortisation period of perpetual licences."},
	{Key: "prepaid_term_months", Type: "months", Doc: "Amortisation term of a prepaid item whose term is unknown."},
	{Key: "add_back_implementation_amortisation", Type: "boolean", Doc: "Adjusted EBITDA adds back the amortisation of capitalised cloud implementation costs (then their savings do not count towards EBITDA)."},
	{Key: "tax_recoverable", Type: "boolean", Doc: "Tax lines are recoverable VAT/GST (not a cost): sent to Review for exclusion."},
	{Key: "tag_keys.project", Type: "list of strings", Doc: "Tag keys that name the project."},
	{Key: "tag_keys.phase", Type: "list of strings", Doc: "Tag keys that give the ASC 350-40 project phase."},
	{Key: "tag_keys.capex_eligible", Type: "list of strings", Doc: "Tag keys that say an item is capitalisable (true/false)."},
	{Key: "tag_keys.project_authorized", Type: "list of strings", Doc: "Tag keys that say the project is authorised and funded (ASU 2025-06)."},
	{Key: "tag_keys.probable_to_complete", Type: "list of strings", Doc: "Tag keys that say completion is probable (ASU 2025-06)."},
	{Key: "tag_keys.cost_center", Type: "list of strings", Doc: "Tag keys that name the cost centre."},
}
