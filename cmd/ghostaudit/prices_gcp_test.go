package main

import (
	"testing"

	gcpscanner "github.com/ghostaudit/ghostaudit/scanners/gcp"
)

// TestGCPCatalogRegionalDiskSKUs: a regional persistent disk is priced
// from the "Regional … PD Capacity" SKUs, a zonal one from the zonal SKUs;
// neither matches the other's.
func TestGCPCatalogRegionalDiskSKUs(t *testing.T) {
	t.Parallel()
	skus := map[string]string{
		"Storage PD Capacity in Virginia":             "disk.pd-standard",
		"Regional Storage PD Capacity in Virginia":    "disk.regional.pd-standard",
		"Balanced PD Capacity in Virginia":            "disk.pd-balanced",
		"Regional Balanced PD Capacity in Virginia":   "disk.regional.pd-balanced",
		"SSD backed PD Capacity in Virginia":          "disk.pd-ssd",
		"Regional SSD backed PD Capacity in Virginia": "disk.regional.pd-ssd",
		"Static Ip Charge in Virginia":                "address.static_unused",
	}
	for desc, want := range skus {
		var matched []string
		for item, match := range gcpCatalogItems {
			if match(gcpscanner.CatalogPrice{Description: desc}) {
				matched = append(matched, item)
			}
		}
		if len(matched) != 1 || matched[0] != want {
			t.Errorf("%q matches %v, want only %s", desc, matched, want)
		}
	}
}
