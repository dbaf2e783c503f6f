package aws

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Price List recipes: how each findings/pricing item is found in the AWS
// Price List (attribute recipes after Infracost's resource code; see
// shared research aws.md §4.1). Every recipe filters on regionCode (added
// by the fetcher) and, where a product family holds several usage types,
// matches the usagetype by suffix: usage types carry a region prefix
// everywhere except us-east-1 (EBS:VolumeP-IOPS.gp3 vs
// USE2-EBS:VolumeP-IOPS.gp3). The suffix must follow a "-" or be the whole
// value, so RegionalNatGateway-Hours never matches NatGateway-Hours and
// EBS:VolumeP-IOPS.io2.tier2 never matches EBS:VolumeP-IOPS.io2.

// recipe finds one item's product.
type recipe struct {
	serviceCode string
	filters     [][2]string // TERM_MATCH field, value (besides regionCode)
	usageSuffix string      // "" when the filters alone identify the product
	units       map[string]unitConv
}

// unitConv maps a Price List unit to the item's unit.
type unitConv struct {
	unit   string
	factor decimal.Decimal // zero or one: the amount as is
	note   string
}

var (
	asIs = decimal.NewFromInt(1)
	// perMiBps converts a GiBps-month price to a MiBps-month price: the
	// Price List bills gp3 throughput per GiBps-mo (us-east-1: 40.96), the
	// findings price it per MiBps-Mo (0.04 = 40.96 / 1024). 1/1024 is
	// exactly 0.0009765625, so the product is exact.
	perMiBps = decimal.RequireFromString("0.0009765625")

	unitsHrs    = map[string]unitConv{"Hrs": {unit: "Hrs", factor: asIs}}
	unitsGBMo   = map[string]unitConv{"GB-Mo": {unit: "GB-Mo", factor: asIs}}
	unitsIOPSMo = map[string]unitConv{"IOPS-Mo": {unit: "IOPS-Mo", factor: asIs}}
	unitsGB     = map[string]unitConv{"GB": {unit: "GB", factor: asIs}}
	unitsTput   = map[string]unitConv{
		"GiBps-mo": {unit: "MiBps-Mo", factor: perMiBps, note: "Price List unit GiBps-mo converted to MiBps-Mo (÷ 1024)"},
		"MiBps-Mo": {unit: "MiBps-Mo", factor: asIs},
	}
	// LCU-hours are priced per LCU per hour: the findings unit is Hrs.
	unitsLCU = map[string]unitConv{"LCU-Hrs": {unit: "Hrs", factor: asIs}, "Hrs": {unit: "Hrs", factor: asIs}}
)

func ec2Filters(family string, kv ...string) [][2]string {
	out := [][2]string{{"productFamily", family}}
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, [2]string{kv[i], kv[i+1]})
	}
	return out
}

// ebsStorage maps volume types to their volumeApiName.
var ebsVolumeTypes = map[string]bool{"gp2": true, "gp3": true, "io1": true, "io2": true, "st1": true, "sc1": true, "standard": true}

var staticRecipes = map[string]recipe{
	"ebs.gp3.iops": {serviceCode: "AmazonEC2", filters: ec2Filters("System Operation", "volumeApiName", "gp3"),
		usageSuffix: "EBS:VolumeP-IOPS.gp3", units: unitsIOPSMo},
	"ebs.gp3.throughput": {serviceCode: "AmazonEC2", filters: ec2Filters("Provisioned Throughput", "volumeApiName", "gp3"),
		usageSuffix: "EBS:VolumeP-Throughput.gp3", units: unitsTput},
	"ebs.io1.iops": {serviceCode: "AmazonEC2", filters: ec2Filters("System Operation", "volumeApiName", "io1"),
		usageSuffix: "EBS:VolumeP-IOPS.piops", units: unitsIOPSMo},
	"ebs.io2.iops": {serviceCode: "AmazonEC2", filters: ec2Filters("System Operation", "volumeApiName", "io2"),
		usageSuffix: "EBS:VolumeP-IOPS.io2", units: unitsIOPSMo},
	"ebs.io2.iops.tier2": {serviceCode: "AmazonEC2", filters: ec2Filters("System Operation", "volumeApiName", "io2"),
		usageSuffix: "EBS:VolumeP-IOPS.io2.tier2", units: unitsIOPSMo},
	"ebs.io2.iops.tier3": {serviceCode: "AmazonEC2", filters: ec2Filters("System Operation", "volumeApiName", "io2"),
		usageSuffix: "EBS:VolumeP-IOPS.io2.tier3", units: unitsIOPSMo},
	"ebs.snapshot.standard": {serviceCode: "AmazonEC2", filters: ec2Filters("Storage Snapshot"),
		usageSuffix: "EBS:SnapshotUsage", units: unitsGBMo},
	"ebs.snapshot.archive": {serviceCode: "AmazonEC2", filters: ec2Filters("Storage Snapshot"),
		usageSuffix: "EBS:SnapshotArchiveStorage", units: unitsGBMo},
	// Public IPv4 moved to AmazonVPC in 2024; idle and in-use addresses
	// cost the same, the idle usage type is the one the rules price.
	"vpc.public_ipv4": {serviceCode: "AmazonVPC", usageSuffix: "PublicIPv4:IdleAddress", units: unitsHrs},
	"natgw.hour":      {serviceCode: "AmazonEC2", filters: ec2Filters("NAT Gateway"), usageSuffix: "NatGateway-Hours", units: unitsHrs},
	"natgw.data":      {serviceCode: "AmazonEC2", filters: ec2Filters("NAT Gateway"), usageSuffix: "NatGateway-Bytes", units: unitsGB},
	"elb.alb.hour":    {serviceCode: "AWSELB", filters: ec2Filters("Load Balancer-Application"), usageSuffix: "LoadBalancerUsage", units: unitsHrs},
	"elb.alb.lcu":     {serviceCode: "AWSELB", filters: ec2Filters("Load Balancer-Application"), usageSuffix: "LCUUsage", units: unitsLCU},
	"elb.nlb.hour":    {serviceCode: "AWSELB", filters: ec2Filters("Load Balancer-Network"), usageSuffix: "LoadBalancerUsage", units: unitsHrs},
	"elb.gwlb.hour":   {serviceCode: "AWSELB", filters: ec2Filters("Load Balancer-Gateway"), usageSuffix: "LoadBalancerUsage", units: unitsHrs},
	"elb.clb.hour":    {serviceCode: "AWSELB", filters: ec2Filters("Load Balancer"), usageSuffix: "LoadBalancerUsage", units: unitsHrs},
	// CloudWatch Logs standard-class stored data (TimedStorage-IA-ByteHrs
	// is the infrequent-access class).
	"logs.storage": {serviceCode: "AmazonCloudWatch", filters: ec2Filters("Storage Snapshot"), usageSuffix: "TimedStorage-ByteHrs", units: unitsGBMo},
	"rds.snapshot": {serviceCode: "AmazonRDS", filters: ec2Filters("Storage Snapshot"), usageSuffix: "RDS:ChargedBackupUsage", units: unitsGBMo},
	"rds.iops.io1": {serviceCode: "AmazonRDS", filters: ec2Filters("Provisioned IOPS", "databaseEngine", "Any", "deploymentOption", "Single-AZ"),
		usageSuffix: "RDS:PIOPS", units: unitsIOPSMo},
}

// rdsStorageVolumeType maps RDS storage types to the Price List volumeType.
var rdsStorageVolumeType = map[string]string{
	"gp2": "General Purpose", "gp3": "General Purpose-GP3", "io1": "Provisioned IOPS",
	"io2": "Provisioned IOPS-IO2", "standard": "Magnetic",
}

// rdsEngines maps RDS engine names to Price List databaseEngine,
// databaseEdition and licenseModel. Oracle and Aurora are left out: the
// licence model (BYOL or included) and Aurora's storage configuration are
// not in the item name, so they would be guesses.
var rdsEngines = map[string][3]string{
	"mysql":         {"MySQL", "", "No license required"},
	"postgres":      {"PostgreSQL", "", "No license required"},
	"mariadb":       {"MariaDB", "", "No license required"},
	"sqlserver-ex":  {"SQL Server", "Express", "License included"},
	"sqlserver-web": {"SQL Server", "Web", "License included"},
	"sqlserver-se":  {"SQL Server", "Standard", "License included"},
	"sqlserver-ee":  {"SQL Server", "Enterprise", "License included"},
}

// recipeFor returns the recipe of an item, or ErrPriceUnsupported.
func recipeFor(item string) (recipe, error) {
	if r, ok := staticRecipes[item]; ok {
		return r, nil
	}
	parts := strings.Split(item, ".")
	switch {
	case len(parts) == 3 && parts[0] == "ebs" && parts[2] == "storage" && ebsVolumeTypes[parts[1]]:
		// One Storage product per volumeApiName and region.
		return recipe{serviceCode: "AmazonEC2", filters: ec2Filters("Storage", "volumeApiName", parts[1]), units: unitsGBMo}, nil
	case len(parts) >= 3 && parts[0] == "ec2":
		// Linux, shared tenancy, no pre-installed software, capacity used
		// (not a capacity reservation): the Karpenter / Infracost recipe.
		typ := strings.Join(parts[1:], ".")
		return recipe{serviceCode: "AmazonEC2", filters: ec2Filters("Compute Instance", "instanceType", typ, "tenancy", "Shared",
			"operatingSystem", "Linux", "preInstalledSw", "NA", "licenseModel", "No License required", "capacitystatus", "Used",
			"operation", "RunInstances"), usageSuffix: "BoxUsage:" + typ, units: unitsHrs}, nil
	case len(parts) == 3 && parts[0] == "rds" && parts[1] == "storage":
		vt, ok := rdsStorageVolumeType[parts[2]]
		if !ok {
			break
		}
		return recipe{serviceCode: "AmazonRDS", filters: ec2Filters("Database Storage", "volumeType", vt, "databaseEngine", "Any",
			"deploymentOption", "Single-AZ"), units: unitsGBMo}, nil
	case len(parts) >= 4 && parts[0] == "rds" && parts[2] == "db":
		e, ok := rdsEngines[parts[1]]
		if !ok {
			return recipe{}, fmt.Errorf("%w: RDS engine %q (supported: mysql, postgres, mariadb, sqlserver-ex/web/se/ee)", ErrPriceUnsupported, parts[1])
		}
		class := strings.Join(parts[2:], ".")
		f := ec2Filters("Database Instance", "instanceType", class, "databaseEngine", e[0], "deploymentOption", "Single-AZ", "licenseModel", e[2])
		if e[1] != "" {
			f = append(f, [2]string{"databaseEdition", e[1]})
		}
		return recipe{serviceCode: "AmazonRDS", filters: f, usageSuffix: "InstanceUsage:" + class, units: unitsHrs}, nil
	}
	return recipe{}, fmt.Errorf("%w: %q", ErrPriceUnsupported, item)
}
