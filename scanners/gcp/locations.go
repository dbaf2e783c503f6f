package gcp

import (
	"regexp"
	"sort"
)

// DefaultLocations are the locations asked by default: ten of the most
// used regions (each adding its zones, see knownZones) and global. With
// every recommender that is 125 ListRecommendations calls per project
// (31 zones × 3 zonal recommenders, 10 regions × 3 regional ones, 2 global).
// Besides these, each project is asked at every region its Compute Engine
// aggregated lists name (Google returns a key per scope, so every region:
// 42 today, i.e. 32 more regions × 3 regional recommenders = 96 more
// calls) and at every zone that holds a disk (a VM has its boot disk in
// its zone), see projectLocations; when those lists fail, the locations
// not asked are a coverage gap. Set --gcp-locations to add zones.
var DefaultLocations = []string{
	"global",
	"us-central1", "us-east1", "us-east4", "us-west1",
	"europe-west1", "europe-west2", "europe-west3", "europe-west4",
	"asia-northeast1", "asia-southeast1",
}

// knownZones are the zones of the regions, from the Compute Engine
// "Regions and zones" page. A region not listed here adds no zones: name
// its zones in --gcp-locations.
var knownZones = map[string][]string{
	"us-central1":             {"a", "b", "c", "f"},
	"us-east1":                {"b", "c", "d"},
	"us-east4":                {"a", "b", "c"},
	"us-east5":                {"a", "b", "c"},
	"us-south1":               {"a", "b", "c"},
	"us-west1":                {"a", "b", "c"},
	"us-west2":                {"a", "b", "c"},
	"northamerica-northeast1": {"a", "b", "c"},
	"southamerica-east1":      {"a", "b", "c"},
	"europe-west1":            {"b", "c", "d"},
	"europe-west2":            {"a", "b", "c"},
	"europe-west3":            {"a", "b", "c"},
	"europe-west4":            {"a", "b", "c"},
	"europe-north1":           {"a", "b", "c"},
	"asia-east1":              {"a", "b", "c"},
	"asia-northeast1":         {"a", "b", "c"},
	"asia-south1":             {"a", "b", "c"},
	"asia-southeast1":         {"a", "b", "c"},
	"australia-southeast1":    {"a", "b", "c"},
}

var (
	regionRE = regexp.MustCompile(`^[a-z]+-[a-z]+\d+$`)
	zoneRE   = regexp.MustCompile(`^[a-z]+-[a-z]+\d+-[a-z]$`)
)

func kindOf(loc string) LocationKind {
	switch {
	case loc == "global":
		return Global
	case zoneRE.MatchString(loc):
		return Zone
	case regionRE.MatchString(loc):
		return Region
	}
	return 0
}

func kindName(k LocationKind) string {
	switch k {
	case Zone:
		return "zone"
	case Region:
		return "region"
	case Global:
		return "global"
	}
	return ""
}

// expandLocations adds the known zones of every listed region, and
// returns the set sorted.
func expandLocations(locs []string) []string {
	set := map[string]bool{}
	for _, l := range dedupe(locs) {
		set[l] = true
		if kindOf(l) == Region {
			for _, z := range knownZones[l] {
				set[l+"-"+z] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for l := range set {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}
