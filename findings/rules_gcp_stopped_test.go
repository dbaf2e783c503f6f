package findings

import (
	"strings"
	"testing"
	"time"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// gcpVM is a listed VM instance of acme-prod in us-east4-a; stoppedDays < 0
// leaves lastStopTimestamp out.
func gcpVM(name, status string, stoppedDays int, natIP string) scanners.Resource {
	attrs := map[string]string{"zone": "us-east4-a", "region": "us-east4", "status": status,
		"resource_name": "//compute.googleapis.com/projects/acme-prod/zones/us-east4-a/instances/" + name}
	if stoppedDays >= 0 {
		attrs["last_stop"] = testNow.AddDate(0, 0, -stoppedDays).Format(time.RFC3339)
	}
	if natIP != "" {
		attrs["nat_ips"] = natIP
	}
	return scanners.Resource{Provider: "gcp", Account: "acme-prod", Region: "us-east4-a", Kind: kindGCPInstance, ID: name, Name: name, State: status, Attributes: attrs}
}

func gcpDiskOn(id string, vms ...string) scanners.Resource {
	d := gcpDisk(id, "us-east4-a", "us-east4")
	d.Attributes["users"] = "1"
	var names []string
	for _, vm := range vms {
		names = append(names, "//compute.googleapis.com/projects/acme-prod/zones/us-east4-a/instances/"+vm)
	}
	d.Attributes["user_names"] = joinComma(names)
	return d
}

func joinComma(s []string) string { return strings.Join(s, ",") }

func gcpAddrOn(id, ip string, vms ...string) scanners.Resource {
	var names []string
	for _, vm := range vms {
		names = append(names, "//compute.googleapis.com/projects/acme-prod/zones/us-east4-a/instances/"+vm)
	}
	attrs := map[string]string{"status": "IN_USE", "address_type": "EXTERNAL", "region": "us-east4", "address": ip, "users": "1",
		"resource_name": "//compute.googleapis.com/projects/acme-prod/regions/us-east4/addresses/" + id}
	if len(names) > 0 {
		attrs["user_names"] = joinComma(names)
	}
	return scanners.Resource{Provider: "gcp", Account: "acme-prod", Region: "us-east4", Kind: kindGCPAddress, ID: id, Name: id, State: "IN_USE", Attributes: attrs}
}

// TestGCPDiskAndAddressOnStoppedVM: a disk whose every user is a VM
// TERMINATED for 30 days or more, and a static IP held by one stopped for
// 7 days or more, are findings priced as an unattached disk and an unused
// address; running, suspended, recently stopped VMs, VMs without
// lastStopTimestamp or started after it, and disks shared with a running
// VM are not.
func TestGCPDiskAndAddressOnStoppedVM(t *testing.T) {
	t.Parallel()
	restarted := gcpVM("restarted", "TERMINATED", 90, "")
	restarted.Attributes["last_start"] = testNow.AddDate(0, 0, -5).Format(time.RFC3339)
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{
		gcpVM("old", "TERMINATED", 60, "203.0.113.1"),
		gcpVM("recent", "TERMINATED", 10, "203.0.113.2"),
		gcpVM("web", "RUNNING", -1, "203.0.113.3"),
		gcpVM("nostop", "TERMINATED", -1, "203.0.113.4"),
		gcpVM("susp", "SUSPENDED", 90, ""),
		restarted,
		gcpDiskOn("d-old", "old"),
		gcpDiskOn("d-recent", "recent"),
		gcpDiskOn("d-shared", "old", "web"),
		gcpDiskOn("d-nostop", "nostop"),
		gcpDiskOn("d-susp", "susp"),
		gcpDiskOn("d-restarted", "restarted"),
		gcpDiskOn("d-unknown", "never-listed"),
		gcpAddrOn("ip-old", "203.0.113.1", "old"),
		gcpAddrOn("ip-recent", "203.0.113.2", "recent"),
		gcpAddrOn("ip-web", "203.0.113.3", "web"),
		gcpAddrOn("ip-nostop", "203.0.113.4", "nostop"),
		// no users on the wire: matched by the VM's natIP
		gcpAddrOn("ip-bynat", "203.0.113.1"),
	}}
	e, _ := engine(t, nil)
	got := byResource(e.Run(inv))
	var rules int
	for k, f := range got {
		if f.Rule == ruleGCPDiskOnStoppedInstance.ID || f.Rule == ruleGCPAddressOnStoppedInstance.ID {
			rules++
			t.Logf("%s: %s", k, f.Title)
		}
	}
	if rules != 4 {
		t.Errorf("%d stopped-VM findings, want 4 (d-old, ip-old, ip-recent, ip-bynat)", rules)
	}
	wantSavings(t, got["gcp.compute.disk_on_stopped_instance d-old"], "4.40")
	wantSavings(t, got["gcp.compute.address_on_stopped_instance ip-old"], "7.30")
	wantSavings(t, got["gcp.compute.address_on_stopped_instance ip-recent"], "7.30")
	wantSavings(t, got["gcp.compute.address_on_stopped_instance ip-bynat"], "7.30")
	ev := map[string]string{}
	for _, x := range got["gcp.compute.address_on_stopped_instance ip-old"].Evidence {
		ev[x.Name] = x.Value
	}
	if ev["instance"] != "old (us-east4-a)" || ev["instance_stopped_days"] != "60" || ev["instance_status"] != "TERMINATED" {
		t.Errorf("evidence: %v", ev)
	}
	if v := got["gcp.compute.disk_on_stopped_instance d-old"].Evidence[0].Value; v != "old (us-east4-a, stopped 60 days, since "+testNow.AddDate(0, 0, -60).Format("2006-01-02")+")" {
		t.Errorf("attached_to: %q", v)
	}

	// min_stopped_days moves the thresholds.
	e, _ = engine(t, map[string]map[string]string{
		ruleGCPDiskOnStoppedInstance.ID:    {"min_stopped_days": "5"},
		ruleGCPAddressOnStoppedInstance.ID: {"min_stopped_days": "30"},
	})
	got = byResource(e.Run(inv))
	if _, ok := got["gcp.compute.disk_on_stopped_instance d-recent"]; !ok {
		t.Error("d-recent: no finding with min_stopped_days 5")
	}
	if _, ok := got["gcp.compute.address_on_stopped_instance ip-recent"]; ok {
		t.Error("ip-recent: a finding with min_stopped_days 30")
	}
}

// TestGCPStoppedVMRulesHonourCoverage: when the project's instances list
// failed (or the zone was unreachable to it), the rules say nothing.
func TestGCPStoppedVMRulesHonourCoverage(t *testing.T) {
	t.Parallel()
	for name, g := range map[string]scanners.Gap{
		"project": {Scanner: "gcp", Account: "acme-prod", Operation: gcpInstancesOp, Reason: scanners.ReasonDenied},
		"zone":    {Scanner: "gcp", Account: "acme-prod", Region: "us-east4-a", Operation: gcpInstancesOp, Reason: scanners.ReasonError},
		"scanner": {Scanner: "gcp", Reason: scanners.ReasonError},
	} {
		inv := &scanners.Inventory{ScannedAt: testNow, Gaps: []scanners.Gap{g}, Resources: []scanners.Resource{
			gcpVM("old", "TERMINATED", 60, "203.0.113.1"), gcpDiskOn("d-old", "old"), gcpAddrOn("ip-old", "203.0.113.1", "old"),
		}}
		e, _ := engine(t, nil)
		for _, f := range e.Run(inv).Findings {
			if f.Rule == ruleGCPDiskOnStoppedInstance.ID || f.Rule == ruleGCPAddressOnStoppedInstance.ID {
				t.Errorf("%s gap: finding %s %s", name, f.Rule, f.ResourceID)
			}
		}
	}
	// A gap of another list, or of another zone, does not matter.
	inv := &scanners.Inventory{ScannedAt: testNow, Gaps: []scanners.Gap{
		{Scanner: "gcp", Account: "acme-prod", Operation: "compute.disks.aggregatedList", Region: "us-west1-a", Reason: scanners.ReasonError},
		{Scanner: "gcp", Account: "acme-prod", Operation: gcpInstancesOp, Region: "us-west1-b", Reason: scanners.ReasonError},
	}, Resources: []scanners.Resource{gcpVM("old", "TERMINATED", 60, ""), gcpDiskOn("d-old", "old")}}
	e, _ := engine(t, nil)
	wantSavings(t, byResource(e.Run(inv))["gcp.compute.disk_on_stopped_instance d-old"], "4.40")
}

// TestGCPStoppedVMDiskCountedOnceWithRecommendation: a disk on a stopped
// VM that Google's idle-disk recommender also flags is reported once, as
// the recommendation.
func TestGCPStoppedVMDiskCountedOnceWithRecommendation(t *testing.T) {
	t.Parallel()
	r := rec("r1", "google.compute.disk.IdleResourceRecommender", "ACTIVE", "12", "USD")
	r.Account = "acme-prod"
	r.Attributes["target_resource"] = "//compute.googleapis.com/projects/123456789012/zones/us-east4-a/disks/d-old"
	a := rec("r2", "google.compute.address.IdleResourceRecommender", "ACTIVE", "7", "USD")
	a.Account = "acme-prod"
	a.Attributes["target_resource"] = "//compute.googleapis.com/projects/acme-prod/regions/us-east4/addresses/ip-old"
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{
		gcpVM("old", "TERMINATED", 60, "203.0.113.1"), gcpDiskOn("d-old", "old"), gcpAddrOn("ip-old", "203.0.113.1", "old"), r, a,
	}}
	e, _ := engine(t, nil)
	for _, f := range e.Run(inv).Findings {
		if f.Rule == ruleGCPDiskOnStoppedInstance.ID || f.Rule == ruleGCPAddressOnStoppedInstance.ID {
			t.Errorf("counted twice: %s %s", f.Rule, f.ResourceID)
		}
	}
}
