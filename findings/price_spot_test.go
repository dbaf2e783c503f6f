package findings

import (
	"testing"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// TestSpotInstanceSpendIsUnpriced: spend in scope never prices a running
// Spot instance at the on-demand rate; an on-demand one is priced.
func TestSpotInstanceSpendIsUnpriced(t *testing.T) {
	t.Parallel()
	_, cat := engine(t, nil)
	rc := &RuleContext{Catalog: cat, Settings: &Settings{Currency: "USD"}}
	inst := func(id, lifecycle string) scanners.Resource {
		a := map[string]string{"instance_type": "m5.large"}
		if lifecycle != "" {
			a["lifecycle"] = lifecycle
		}
		return scanners.Resource{Provider: "aws", Account: "111111111111", Region: "us-east-1", Kind: kindAWSInstance, ID: id, State: "running", Attributes: a}
	}
	inv := &scanners.Inventory{Resources: []scanners.Resource{inst("i-od", ""), inst("i-spot", "spot")}}
	lines := costLines(inv, rc, func(*scanners.Resource) Classification { return Classification{Class: "OpEx"} })
	if len(lines) != 2 {
		t.Fatalf("%d cost lines", len(lines))
	}
	for _, l := range lines {
		switch l.ResourceID {
		case "i-od":
			if l.MonthlyCost == nil || l.Unpriced != "" {
				t.Errorf("on-demand instance: cost %v unpriced %q", l.MonthlyCost, l.Unpriced)
			}
		case "i-spot":
			if l.MonthlyCost != nil || l.Unpriced == "" {
				t.Errorf("spot instance: cost %v unpriced %q, want unpriced", l.MonthlyCost, l.Unpriced)
			}
		}
	}
}
