package classify

import (
	"strings"
	"testing"
	"time"
)

func TestDefaultSettingsValid(t *testing.T) {
	t.Parallel()
	if err := DefaultSettings().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestValidateNamesTheField(t *testing.T) {
	t.Parallel()
	cases := []struct {
		field string
		edit  func(*Settings)
	}{
		{"Framework", func(s *Settings) { s.Framework = "GAAP" }},
		{"Framework", func(s *Settings) { s.Framework = "" }},
		{"Model", func(s *Settings) { s.Model = "asu-2018-15" }},
		{"ASUAdoption", func(s *Settings) { s.Model = ModelASU202506 }},
		{"Currency", func(s *Settings) { s.Currency = "usd" }},
		{"Currency", func(s *Settings) { s.Currency = "" }},
		{"HardwareThreshold", func(s *Settings) { s.HardwareThreshold = dec("-1") }},
		{"LicenceThreshold", func(s *Settings) { s.LicenceThreshold = dec("-0.01") }},
		{"SoftwareProjectThreshold", func(s *Settings) { s.SoftwareProjectThreshold = dec("-25000") }},
		{"UsefulLives.Laptop", func(s *Settings) { s.UsefulLives.Laptop = 0 }},
		{"UsefulLives.Server", func(s *Settings) { s.UsefulLives.Server = -60 }},
		{"UsefulLives.Network", func(s *Settings) { s.UsefulLives.Network = 1201 }},
		{"UsefulLives.InternalUseSoftware", func(s *Settings) { s.UsefulLives.InternalUseSoftware = 0 }},
		{"UsefulLives.PerpetualLicence", func(s *Settings) { s.UsefulLives.PerpetualLicence = 0 }},
		{"PrepaidTermMonths", func(s *Settings) { s.PrepaidTermMonths = 0 }},
		{"TagKeys.Project", func(s *Settings) { s.TagKeys.Project = nil }},
		{"TagKeys.Phase", func(s *Settings) { s.TagKeys.Phase = []string{" "} }},
		{"TagKeys.CostCenter", func(s *Settings) { s.TagKeys.CostCenter = []string{"Project"} }},
	}
	for _, tc := range cases {
		s := DefaultSettings()
		tc.edit(&s)
		err := s.Validate()
		if err == nil {
			t.Errorf("%s: no error", tc.field)
			continue
		}
		if !strings.Contains(err.Error(), "settings: "+tc.field+":") {
			t.Errorf("%s: error %q does not name the field", tc.field, err)
		}
		if _, err := NewPolicy(s); err == nil {
			t.Errorf("%s: NewPolicy accepted invalid settings", tc.field)
		}
	}
	// The zero value is not valid: callers start from DefaultSettings.
	if err := (Settings{}).Validate(); err == nil {
		t.Error("zero Settings valid")
	}
	s := DefaultSettings()
	s.Framework, s.Model, s.ASUAdoption = FrameworkIFRS, ModelASU202506, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := s.Validate(); err != nil {
		t.Error(err)
	}
}

func TestPolicyCopiesSettings(t *testing.T) {
	t.Parallel()
	s := DefaultSettings()
	p, err := NewPolicy(s)
	if err != nil {
		t.Fatal(err)
	}
	s.TagKeys.CapexEligible[0] = "mutated"
	got := p.Settings()
	got.TagKeys.CapexEligible[0] = "mutated too"
	if k := p.Settings().TagKeys.CapexEligible[0]; k != "capex_eligible" {
		t.Fatalf("policy shares its tag keys: %q", k)
	}
}
