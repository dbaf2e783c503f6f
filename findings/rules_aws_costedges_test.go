package findings

import (
	"strings"
	"testing"

	"github.com/ghostaudit/ghostaudit/scanners"
)

func costLine(t *testing.T, r *Result, id string) CostLine {
	t.Helper()
	for _, l := range r.CostLines {
		if l.ResourceID == id {
			return l
		}
	}
	t.Fatalf("no cost line for %s", id)
	return CostLine{}
}

// TestLicensedInstancesAreLowerBounds: an instance whose usage operation is
// not plain RunInstances is priced at the Linux rate, which leaves out its
// licence: its cost line, every estimate line and the evidence say the
// figure is a lower bound; plain Linux instances carry no such note.
func TestLicensedInstancesAreLowerBounds(t *testing.T) {
	t.Parallel()
	idle := func() []scanners.Metric {
		return []scanners.Metric{series("CPUUtilization", "Maximum", 1, 14), series("NetworkIn", "Sum", 1e5, 14), series("NetworkOut", "Sum", 1e5, 14)}
	}
	inst := func(id, typ string, attrs map[string]string) scanners.Resource {
		a := map[string]string{"instance_type": typ}
		for k, v := range attrs {
			a[k] = v
		}
		return res(kindAWSInstance, id, "running", daysAgo(100), a, idle()...)
	}
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{
		inst("i-linux", "m5.large", map[string]string{"usage_operation": "RunInstances", "platform_details": "Linux/UNIX"}),
		inst("i-win", "m5.large", map[string]string{"usage_operation": "RunInstances:0002", "platform_details": "Windows", "platform": "windows"}),
		// no platform details reported: the label comes from AWS's table
		inst("i-rhelsql", "m5.large", map[string]string{"usage_operation": "RunInstances:0014"}),
		// no usage operation reported, but platform windows
		inst("i-oldwin", "m5.large", map[string]string{"platform": "windows"}),
		// a previous-generation SUSE instance, busy
		res(kindAWSInstance, "i-suse", "running", daysAgo(900), map[string]string{"instance_type": "m4.large", "usage_operation": "RunInstances:000g", "platform_details": "SUSE Linux"}),
	}}
	e, _ := engine(t, nil)
	r := e.Run(inv)
	got := byResource(r)

	for id, want := range map[string]string{
		"i-win":     "Linux rate; the Windows (RunInstances:0002) licence is not included, so this is a lower bound",
		"i-rhelsql": "Linux rate; the Red Hat Enterprise Linux with SQL Server Standard (RunInstances:0014) licence is not included, so this is a lower bound",
		"i-oldwin":  "Linux rate; the Windows licence is not included, so this is a lower bound",
		"i-suse":    "Linux rate; the SUSE Linux (RunInstances:000g) licence is not included, so this is a lower bound",
		"i-linux":   "",
	} {
		l := costLine(t, r, id)
		if want := map[bool]string{true: "73", false: "70.08"}[id == "i-suse"]; l.MonthlyCost == nil || !l.MonthlyCost.Equal(d(want)) {
			t.Errorf("%s: cost line %v, want the Linux rate %s", id, l.MonthlyCost, want)
		}
		if l.Note != want {
			t.Errorf("%s: cost line note %q, want %q", id, l.Note, want)
		}
		if id == "i-suse" {
			continue
		}
		f, ok := got["aws.ec2.idle "+id]
		if !ok {
			t.Errorf("%s: no idle finding", id)
			continue
		}
		wantSavings(t, f, "70.08")
		if lic := evidence(f, "licence"); lic != want {
			t.Errorf("%s: idle licence evidence %q, want %q", id, lic, want)
		}
		if p := evidence(f, "price"); (want != "") != strings.Contains(p, "lower bound") {
			t.Errorf("%s: price line %q (lower bound expected: %v)", id, p, want != "")
		}
		if evidence(f, "platform") != "" {
			t.Errorf("%s: the old platform evidence is still there", id)
		}
	}
	pg, ok := got["aws.ec2.previous_gen i-suse"]
	if !ok {
		t.Fatal("no previous_gen finding for i-suse")
	}
	if lic := evidence(pg, "licence"); !strings.Contains(lic, "lower bound") || !strings.Contains(lic, "licence between them") {
		t.Errorf("previous_gen licence evidence %q", lic)
	}

	// the RHEL + SQL Server instance is in the licence inventory
	lf, ok := got["aws.license.windows_sql i-rhelsql"]
	if !ok {
		t.Fatal("RunInstances:0014 is missing from the licence inventory")
	}
	if lic := evidence(lf, "licence"); lic != "Red Hat Enterprise Linux with SQL Server Standard" {
		t.Errorf("licence %q", lic)
	}
	if _, ok := got["aws.license.windows_sql i-suse"]; ok {
		t.Error("SUSE is not a Windows or SQL Server licence")
	}
}

// TestLicensedOperationsMatchAWSTable: every Windows or SQL Server code of
// AWS's "AMI billing information fields" table is in the licence
// inventory, with its table label (or the Linux-with-SQL wording).
func TestLicensedOperationsMatchAWSTable(t *testing.T) {
	t.Parallel()
	// BYOL: the licence is the customer's, so neither inventoried as billed
	// through EC2 nor a licence floor on the Linux rate.
	for op := range byolOperations {
		if _, ok := usageOperationLabels[op]; !ok || !strings.Contains(usageOperationLabels[op], "BYOL") {
			t.Errorf("%s is not a BYOL code of AWS's table", op)
		}
		if n := licenceFloor(&scanners.Resource{Attributes: map[string]string{"usage_operation": op}}); n != "" {
			t.Errorf("%s: licence floor %q, want none", op, n)
		}
	}
	for op, label := range usageOperationLabels {
		_, listed := licensedOperations[op]
		want := (strings.Contains(label, "Windows") || strings.Contains(label, "SQL Server")) && !byolOperations[op]
		if listed != want {
			t.Errorf("%s (%s): in licensedOperations = %v, want %v", op, label, listed, want)
		}
	}
	for op := range licensedOperations {
		if _, ok := usageOperationLabels[op]; !ok {
			t.Errorf("%s is not in AWS's table", op)
		}
	}
}

// TestRDSBilledStatuses: an instance in a status the RDS status table
// marks Billed (backing-up) costs its compute and is checked for idleness
// like an available one; a storage-only status (stopped) is not.
func TestRDSBilledStatuses(t *testing.T) {
	t.Parallel()
	db := func(id, status string) scanners.Resource {
		return res(kindAWSDBInstance, id, status, daysAgo(60), map[string]string{"status": status, "engine": "postgres", "class": "db.t3.micro", "allocated_gib": "20"},
			series("DatabaseConnections", "Maximum", 0, 14))
	}
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{
		db("db-backup", "backing-up"), db("db-optim", "storage-optimization"), db("db-stopping", "stopping"),
	}}
	e, _ := engine(t, nil)
	r := e.Run(inv)
	got := byResource(r)
	for _, id := range []string{"db-backup", "db-optim"} {
		f, ok := got["aws.rds.idle "+id]
		if !ok {
			t.Errorf("%s: no idle finding", id)
			continue
		}
		wantSavings(t, f, "15.44") // 0.018 × 730 + 20 × 0.115
		if !strings.Contains(evidence(f, "status"), "compute billed") {
			t.Errorf("%s: status evidence %q", id, evidence(f, "status"))
		}
		if l := costLine(t, r, id); l.MonthlyCost == nil || !l.MonthlyCost.Equal(d("15.44")) {
			t.Errorf("%s: spend %v, want 15.44 (compute + storage)", id, l.MonthlyCost)
		}
	}
	if _, ok := got["aws.rds.idle db-stopping"]; ok {
		t.Error("a stopping instance (billed for storage only) was called idle")
	}
	if l := costLine(t, r, "db-stopping"); l.MonthlyCost == nil || !l.MonthlyCost.Equal(d("2.3")) {
		t.Errorf("stopping: spend %v, want storage only 2.30", l.MonthlyCost)
	}
}

// TestLogGroupClasses: a DELIVERY group keeps its events one day, so it is
// never "kept forever"; an INFREQUENT_ACCESS group is, and its storage is
// billed at the Standard per-GB rate.
func TestLogGroupClasses(t *testing.T) {
	t.Parallel()
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{
		res(kindAWSLogGroup, "/delivery", "", daysAgo(400), map[string]string{"stored_bytes": "10000000000", "log_group_class": "DELIVERY"}),
		res(kindAWSLogGroup, "/ia", "", daysAgo(400), map[string]string{"stored_bytes": "10000000000", "log_group_class": "INFREQUENT_ACCESS"}),
		res(kindAWSLogGroup, "/std", "", daysAgo(400), map[string]string{"stored_bytes": "10000000000", "log_group_class": "STANDARD"}),
	}}
	e, _ := engine(t, nil)
	got := byResource(e.Run(inv))
	if _, ok := got["aws.logs.no_retention /delivery"]; ok {
		t.Error("a DELIVERY log group was reported as kept forever")
	}
	for _, id := range []string{"/ia", "/std"} {
		f, ok := got["aws.logs.no_retention "+id]
		if !ok {
			t.Errorf("%s: no finding", id)
			continue
		}
		wantSavings(t, f, "0.3")
	}
	if c := evidence(got["aws.logs.no_retention /ia"], "log_group_class"); !strings.Contains(c, "same per-GB rate") {
		t.Errorf("IA evidence %q", c)
	}
}
