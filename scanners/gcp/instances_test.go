package gcp

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ghostaudit/ghostaudit/scanners"
	"github.com/ghostaudit/ghostaudit/scanners/estate"
	"github.com/ghostaudit/ghostaudit/scanners/gcp/gcpsim"
)

const stoppedEstate = `
gcp:
  billing_accounts:
    - id: 012345-567890-ABCDEF
      projects:
        - id: acme-prod
          instances:
            - {id: "77", name: old-vm, zone: us-east4-a, machine_type: n2-standard-4, status: TERMINATED, created: -400d,
               last_start: -200d, last_stop: -60d, address: old-ip, labels: {team: batch}}
            - {name: eph-vm, zone: us-east4-b, address: 198.51.100.7}
          disks:
            - {name: old-boot, zone: us-east4-a, users: [old-vm]}
            - {name: old-data, zone: us-east4-a, users: [old-vm]}
            - {name: undeclared-boot, zone: us-east4-c, users: [ghost-vm]}
          addresses:
            - {name: old-ip, region: us-east4}
        - id: acme-data
          faults: {deny: [compute.instances.aggregatedList]}
          instances:
            - {name: hidden, zone: us-east4-a}
`

// TestInstancesAreListed: instances.aggregatedList, through the real
// client against gcpsim, gives each VM's status, machine type, stop and
// start times (RFC 3339 UTC), attached disks and external IPs as full
// names; disks and addresses name their users as full names; an instance
// a disk names but the estate does not declare is served as RUNNING; a
// denied instances list is a gap of that operation, and the other lists
// still run. Small pages exercise nextPageToken.
func TestInstancesAreListed(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, stoppedEstate, nil, func(o *Options) { o.PageSize = 1 })
	res, gaps := fx.scan(t)
	vms := map[string]scanners.Resource{}
	var disks, addrs []scanners.Resource
	for _, r := range res {
		switch r.Kind {
		case KindInstance:
			vms[r.Name] = r
		case KindDisk:
			disks = append(disks, r)
		case KindAddress:
			addrs = append(addrs, r)
		}
	}
	if len(vms) != 3 {
		t.Fatalf("instances: %v", vms)
	}
	old := vms["old-vm"]
	stop := testNow.Add(-60 * 24 * time.Hour).UTC().Format(time.RFC3339)
	start := testNow.Add(-200 * 24 * time.Hour).UTC().Format(time.RFC3339)
	if old.State != "TERMINATED" || old.ID != "77" || old.Region != "us-east4-a" || old.Attr(AttrMachineType) != "n2-standard-4" ||
		old.Attr(AttrLastStop) != stop || old.Attr(AttrLastStart) != start || old.Tags["team"] != "batch" ||
		old.Attr(AttrDisks) != "//compute.googleapis.com/projects/acme-prod/zones/us-east4-a/disks/old-boot,//compute.googleapis.com/projects/acme-prod/zones/us-east4-a/disks/old-data" ||
		old.Attr(AttrResourceName) != "//compute.googleapis.com/projects/acme-prod/zones/us-east4-a/instances/old-vm" ||
		old.Created == nil || old.Attr(AttrNatIPs) == "" {
		t.Errorf("old-vm: %+v", old)
	}
	if eph := vms["eph-vm"]; eph.State != "RUNNING" || eph.Attr(AttrNatIPs) != "198.51.100.7" || eph.Attr(AttrLastStop) != "" {
		t.Errorf("eph-vm: %+v", eph)
	}
	if ghost := vms["ghost-vm"]; ghost.State != "RUNNING" || ghost.Attr(AttrZone) != "us-east4-c" ||
		!strings.HasSuffix(ghost.Attr(AttrDisks), "/zones/us-east4-c/disks/undeclared-boot") {
		t.Errorf("ghost-vm (named by a disk only): %+v", ghost)
	}
	for _, d := range disks {
		if d.Name == "old-boot" && d.Attr(AttrUserNames) != old.Attr(AttrResourceName) {
			t.Errorf("old-boot users: %q", d.Attr(AttrUserNames))
		}
	}
	if len(addrs) != 1 || addrs[0].Attr(AttrStatus) != "IN_USE" || addrs[0].Attr(AttrUserNames) != old.Attr(AttrResourceName) ||
		addrs[0].Attr(AttrAddress) != old.Attr(AttrNatIPs) {
		t.Errorf("old-ip: %+v (old-vm natIP %q)", addrs, old.Attr(AttrNatIPs))
	}
	if len(gaps) != 1 || gaps[0].Account != "acme-data" || gaps[0].Operation != "compute.instances.aggregatedList" || gaps[0].Reason != scanners.ReasonDenied ||
		!strings.Contains(gaps[0].Message, "compute.instances.list") {
		t.Errorf("gaps: %+v", gaps)
	}
	var pages int
	for _, r := range fx.srv.Requests() {
		if r.Method == "compute.instances.aggregatedList" && r.Resource == "projects/acme-prod" {
			pages++
		}
	}
	if pages != 3 {
		t.Errorf("instances pages: %d, want 3 (one instance a page)", pages)
	}
}

// TestInstancesListNotServed: an endpoint without the instances route (an
// older proxy or emulator answering 404) after the disk list of the same
// project answered is "unsupported", not an error: disks and addresses
// are still listed.
func TestInstancesListNotServed(t *testing.T) {
	t.Parallel()
	est, err := estate.Parse(t.Name()+".yaml", []byte(`
gcp:
  billing_accounts:
    - id: 012345-567890-ABCDEF
      projects:
        - id: acme-prod
          disks:
            - {name: data, zone: us-central1-a, size_gb: 10}
`))
	if err != nil {
		t.Fatal(err)
	}
	gest, _, err := gcpsim.Load(est)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := gcpsim.Start(gest, gcpsim.Options{Now: func() time.Time { return testNow }, NotServed: []string{"compute.instances.aggregatedList"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	opts := NewOptions()
	opts.Locations, opts.ClientOptions, opts.MaxBackoff = testLocations, srv.ClientOptions(), 5*time.Millisecond
	s, err := New(opts, scanners.Env{Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	col := &scanners.Collector{}
	if err := s.Scan(context.Background(), col); err != nil {
		t.Fatal(err)
	}
	res, _, gaps := col.Snapshot()
	disks := 0
	for _, r := range res {
		if r.Kind == KindDisk {
			disks++
		}
	}
	var inst []scanners.Gap
	for _, g := range gaps {
		if g.Operation == "compute.instances.aggregatedList" {
			inst = append(inst, g)
		}
	}
	if disks != 1 || len(inst) != 1 || inst[0].Reason != scanners.ReasonUnsupported || !strings.Contains(inst[0].Message, "stopped VMs") {
		t.Errorf("disks %d, instances gaps %+v; want 1 disk and one unsupported gap", disks, inst)
	}
}
