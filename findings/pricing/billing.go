package pricing

// dbInstanceBilled are the DB instance statuses in which RDS bills the
// instance (compute) as well as its storage: exactly the rows marked
// "Billed" in the RDS User Guide's "DB instance status" table
// (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.DBInstance.Status.html).
// starting, stopped and stopping are "Billed for storage"; creating,
// deleting, failed, inaccessible-encryption-credentials,
// incompatible-network and incompatible-restore are "Not billed";
// insufficient-capacity has no entry. Storage is billed in every billed
// and storage-billed status.
var dbInstanceBilled = map[string]bool{
	"available": true, "backing-up": true, "backtracking": true,
	"configuring-enhanced-monitoring": true, "configuring-iam-database-auth": true, "configuring-log-exports": true,
	"converting-to-vpc": true, "incompatible-option-group": true, "incompatible-parameters": true,
	"maintenance": true, "modifying": true, "moving-to-vpc": true, "rebooting": true,
	"resetting-master-credentials": true, "renaming": true, "restore-error": true,
	"storage-full": true, "storage-optimization": true, "upgrading": true,
}

// DBInstanceComputeBilled reports whether RDS bills a DB instance's
// compute hours in this status (DBInstanceStatus). The scanner fetches the
// activity metrics of exactly these instances, and the findings engine
// prices their compute and checks them for idleness.
func DBInstanceComputeBilled(status string) bool { return dbInstanceBilled[status] }
