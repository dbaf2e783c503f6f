package aws

import "testing"

// TestInstanceBillingFields: the scanner records what DescribeInstances
// says about an instance's billing code, usageOperation and
// platformDetails (AWS "AMI billing information fields"), so licensed
// instances can be priced as lower bounds and inventoried.
func TestInstanceBillingFields(t *testing.T) {
	t.Parallel()
	r := scanEstate(t, `
aws:
  accounts:
    - id: "111111111111"
      regions:
        - name: us-east-1
          instances:
            - {id: i-0000000000000001a, type: m5.large}
            - {id: i-0000000000000001b, type: m5.large, platform: windows}
            - {id: i-0000000000000001c, type: m5.large, usage_operation: "RunInstances:0014"}
            - {id: i-0000000000000001d, type: m5.large, platform: windows, usage_operation: "RunInstances:0102"}
`, nil)
	noGaps(t, r)
	for id, want := range map[string][3]string{
		"i-0000000000000001a": {"RunInstances", "Linux/UNIX", ""},
		"i-0000000000000001b": {"RunInstances:0002", "Windows", "windows"},
		"i-0000000000000001c": {"RunInstances:0014", "Red Hat Enterprise Linux with SQL Server Standard", ""},
		"i-0000000000000001d": {"RunInstances:0102", "Windows with SQL Server Enterprise", "windows"},
	} {
		wantAttrs(t, r.get(t, KindInstance, id), map[string]string{AttrUsageOperation: want[0], AttrPlatformDetails: want[1], AttrPlatform: want[2]})
	}
}

// TestLogGroupClass: logGroupClass is recorded (DELIVERY groups keep their
// events one day whatever their retention).
func TestLogGroupClass(t *testing.T) {
	t.Parallel()
	r := scanEstate(t, `
aws:
  accounts:
    - id: "111111111111"
      regions:
        - name: us-east-1
          log_groups:
            - {name: /aws/vendedlogs/delivery, stored_bytes: 5000000000, class: DELIVERY}
            - {name: /audit, stored_bytes: 5000000000, class: INFREQUENT_ACCESS}
            - {name: /app, stored_bytes: 5000000000}
`, nil)
	noGaps(t, r)
	wantAttrs(t, r.get(t, KindLogGroup, "/aws/vendedlogs/delivery"), map[string]string{AttrLogGroupClass: "DELIVERY", AttrRetentionDays: ""})
	wantAttrs(t, r.get(t, KindLogGroup, "/audit"), map[string]string{AttrLogGroupClass: "INFREQUENT_ACCESS"})
	wantAttrs(t, r.get(t, KindLogGroup, "/app"), map[string]string{AttrLogGroupClass: "STANDARD"})
}

// TestRDSBilledStatusesGetMetrics: an instance whose compute is billed in
// its status (backing-up, storage-optimization) is checked for activity
// like an available one; a storage-only status (stopping) is not.
func TestRDSBilledStatusesGetMetrics(t *testing.T) {
	t.Parallel()
	r := scanEstate(t, `
aws:
  accounts:
    - id: "111111111111"
      regions:
        - name: eu-west-1
          db_instances:
            - {id: backup, class: db.t3.micro, status: backing-up, created: -300d, metrics: {DatabaseConnections: {avg: 0, days: 14}}}
            - {id: optim, class: db.t3.micro, status: storage-optimization, created: -300d, metrics: {DatabaseConnections: {avg: 0, days: 14}}}
            - {id: halting, class: db.t3.micro, status: stopping, created: -300d}
`, nil)
	noGaps(t, r)
	for _, id := range []string{"backup", "optim"} {
		m, ok := r.get(t, KindDBInstance, id).Metric("DatabaseConnections", "Maximum")
		if !ok || m.Points != 14 {
			t.Errorf("%s: DatabaseConnections %+v %v, want 14 days", id, m, ok)
		}
	}
	if ms := r.get(t, KindDBInstance, "halting").Metrics; len(ms) != 0 {
		t.Errorf("a stopping instance was given metrics: %+v", ms)
	}
}
