package pricing

import "testing"

// TestDBInstanceComputeBilled checks the set against rows of the RDS "DB
// instance status" table: Billed, Billed for storage and Not billed.
func TestDBInstanceComputeBilled(t *testing.T) {
	t.Parallel()
	for status, want := range map[string]bool{
		"available": true, "backing-up": true, "storage-optimization": true, "modifying": true, "maintenance": true,
		"rebooting": true, "upgrading": true, "storage-full": true, "configuring-log-exports": true, "renaming": true,
		"stopped": false, "stopping": false, "starting": false, "creating": false, "deleting": false, "failed": false,
		"incompatible-network": false, "insufficient-capacity": false, "": false,
	} {
		if got := DBInstanceComputeBilled(status); got != want {
			t.Errorf("%q: billed %v, want %v", status, got, want)
		}
	}
}
