package aws

import (
	"strings"
	"testing"
)

// managedEstate: an account whose managed resource visibility is hidden,
// with AWS-managed (EKS Auto Mode) instances, volumes and a launch
// template among its own. There are 6 volumes and 3 launch templates so
// that, at page size 5, volumes take two pages and versions are listed
// after the templates.
const managedEstate = `
aws:
  accounts:
    - id: "111111111111"
      managed_resource_visibility: hidden
      regions:
        - name: us-east-1
          instances:
            - {id: i-0000000000000001, type: t3.micro, state: stopped}
            - {id: i-0000000000000002, type: m5.large, state: stopped, managed: true}
          volumes:
            - {id: vol-0000000000000001, size_gib: 8, type: gp3}
            - {id: vol-0000000000000002, size_gib: 20, type: gp3, managed: true}
            - {id: vol-0000000000000003, size_gib: 20, type: gp3, managed: true, managed_by: ecs.amazonaws.com}
            - {id: vol-0000000000000004, size_gib: 8, type: gp3}
            - {id: vol-0000000000000005, size_gib: 8, type: gp3}
            - {id: vol-0000000000000006, size_gib: 8, type: gp3}
          launch_templates:
            - {id: lt-0000000000000001, name: web, versions: [{instance_type: t3.micro}]}
            - {id: lt-0000000000000002, name: eks-auto, managed: true, versions: [{instance_type: m5.large, snapshot_ids: [snap-0000000000000001]}]}
            - {id: lt-0000000000000003, name: batch, versions: [{instance_type: c5.large}]}
          snapshots:
            - {id: snap-0000000000000001, volume_id: vol-0000000000000002, size_gib: 20}
`

// TestManagedResourcesAreListed: the scanner sets IncludeManagedResources
// on DescribeInstances, DescribeVolumes, DescribeLaunchTemplates and
// DescribeLaunchTemplateVersions, so resources an AWS service manages
// (hidden by default, still billed) are inventoried, with managed_by.
func TestManagedResourcesAreListed(t *testing.T) {
	t.Parallel()
	r := scanEstate(t, managedEstate, func(o *Options) { o.PageSize = 5 })
	noGaps(t, r)
	wantAttrs(t, r.get(t, KindInstance, "i-0000000000000002"), map[string]string{AttrManagedBy: "eks.amazonaws.com"})
	wantAttrs(t, r.get(t, KindInstance, "i-0000000000000001"), map[string]string{AttrManagedBy: ""})
	wantAttrs(t, r.get(t, KindVolume, "vol-0000000000000002"), map[string]string{AttrManagedBy: "eks.amazonaws.com"})
	wantAttrs(t, r.get(t, KindVolume, "vol-0000000000000003"), map[string]string{AttrManagedBy: "ecs.amazonaws.com"})
	wantAttrs(t, r.get(t, KindVolume, "vol-0000000000000001"), map[string]string{AttrManagedBy: ""})
	wantAttrs(t, r.get(t, KindLaunchTemplate, "lt-0000000000000002"), map[string]string{AttrManagedBy: "eks.amazonaws.com",
		AttrSnapshotIDs: "snap-0000000000000001"})
	if n := r.calls("DescribeVolumes"); n != 2 {
		t.Errorf("DescribeVolumes sent %d times, want 2 pages", n)
	}
}

// TestManagedParameterRefused: an endpoint that predates
// IncludeManagedResources answers UnknownParameter. The scanner sends the
// refused call again once without it, sends no later call of the scope
// with it, and records no coverage gap (nothing can be hidden behind a
// parameter the endpoint does not know).
func TestManagedParameterRefused(t *testing.T) {
	t.Parallel()
	in := strings.Replace(managedEstate, "      managed_resource_visibility: hidden\n",
		"      faults: {unknown_parameters: [IncludeManagedResources]}\n", 1)
	r := scanEstate(t, in, func(o *Options) { o.PageSize = 5 })
	noGaps(t, r)
	for _, id := range []string{"vol-0000000000000001", "vol-0000000000000002", "vol-0000000000000006"} {
		r.get(t, KindVolume, id)
	}
	r.get(t, KindInstance, "i-0000000000000002")
	wantAttrs(t, r.get(t, KindLaunchTemplate, "lt-0000000000000002"), map[string]string{AttrSnapshotIDs: "snap-0000000000000001"})

	refused := map[string]int{}
	for _, q := range r.fx.sim.Requests() {
		if q.Status == 400 {
			refused[q.Action]++
		}
	}
	for action, n := range refused {
		if n > 1 {
			t.Errorf("%s refused %d times: the refusal was not remembered", action, n)
		}
	}
	// Versions are listed after a DescribeLaunchTemplates page came back,
	// by which time the refusal is known.
	if refused["DescribeLaunchTemplateVersions"] != 0 {
		t.Errorf("DescribeLaunchTemplateVersions still sent the refused parameter")
	}
	// The four listings run concurrently: the first refused one is
	// certain, the others depend on timing.
	if len(refused) == 0 {
		t.Fatal("no request was refused: the estate's fault did not apply")
	}
	// Two pages of volumes, plus at most the one refused.
	if n := r.calls("DescribeVolumes"); n != 2+refused["DescribeVolumes"] {
		t.Errorf("DescribeVolumes sent %d times (%d refused)", n, refused["DescribeVolumes"])
	}
}
