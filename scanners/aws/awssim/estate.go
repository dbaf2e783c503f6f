// Package awssim is an AWS simulator: it serves the EC2 and STS Query
// protocols from the aws section of an estate file, so that the real
// aws-sdk-go-v2 clients can be tested against it over loopback HTTP.
package awssim

import (
	"github.com/ghostaudit/ghostaudit/internal/estate"
)

// Estate is the aws section of an estate file.
//
//	aws:
//	  caller_account: "111111111111"   # account of the base credentials (default: the first account)
//	  accounts:
//	    - id: "111111111111"
//	      name: production
//	      assume_role: allow            # allow (default) | deny: sts:AssumeRole into it fails with AccessDenied
//	      faults: {...}                 # account-wide faults, see Faults
//	      regions:
//	        - name: us-east-1
//	          faults: {...}
//	          volumes: [...]
//	          addresses: [...]
//	          instances: [...]
type Estate struct {
	CallerAccount string    `yaml:"caller_account"`
	Accounts      []Account `yaml:"accounts"`
}

// Account is one AWS account of the estate.
type Account struct {
	ID         string   `yaml:"id"` // 12 digits
	Name       string   `yaml:"name"`
	AssumeRole string   `yaml:"assume_role"` // "", "allow" or "deny"
	Faults     Faults   `yaml:"faults"`
	Regions    []Region `yaml:"regions"` // the regions enabled for the account
}

// Region is one enabled region of an account and what is in it.
type Region struct {
	Name      string     `yaml:"name"`
	Faults    Faults     `yaml:"faults"`
	Volumes   []Volume   `yaml:"volumes"`
	Addresses []Address  `yaml:"addresses"`
	Instances []Instance `yaml:"instances"`
}

// Faults injects failures. Account faults apply to every region of the
// account; region faults add to them.
type Faults struct {
	// Deny lists operations ("DescribeVolumes") answered with the service's
	// access-denied error (EC2: UnauthorizedOperation, HTTP 403); "*" denies all.
	Deny []string `yaml:"deny"`
	// Throttle answers the first N requests of each listed operation ("*" for
	// any) with the throttling error (EC2: RequestLimitExceeded, HTTP 503).
	Throttle map[string]int `yaml:"throttle"`
	// Unavailable answers the first N requests of each listed operation with
	// HTTP 503 Unavailable (EC2: "Unavailable").
	Unavailable map[string]int `yaml:"unavailable"`
	// Latency delays every response, e.g. "25ms".
	Latency string `yaml:"latency"`
}

// Volume is an EBS volume (DescribeVolumes).
type Volume struct {
	ID         string            `yaml:"id"`
	SizeGiB    int32             `yaml:"size_gib"`
	Type       string            `yaml:"type"` // gp2 gp3 io1 io2 st1 sc1 standard
	IOPS       int32             `yaml:"iops"`
	Throughput int32             `yaml:"throughput"` // MiB/s, gp3 only
	AZ         string            `yaml:"az"`         // default <region>a
	State      string            `yaml:"state"`      // available | in-use (default: in-use when attached_to, else available)
	AttachedTo string            `yaml:"attached_to"`
	Device     string            `yaml:"device"` // attachment device, default /dev/sdf, /dev/sdg ... per instance in id order
	SnapshotID string            `yaml:"snapshot_id"`
	Encrypted  bool              `yaml:"encrypted"`
	Created    estate.Time       `yaml:"created"`
	Tags       map[string]string `yaml:"tags"`
}

// Address is an Elastic IP (DescribeAddresses).
type Address struct {
	AllocationID       string            `yaml:"allocation_id"`
	PublicIP           string            `yaml:"public_ip"`
	AssociationID      string            `yaml:"association_id"`
	InstanceID         string            `yaml:"instance_id"`
	NetworkInterfaceID string            `yaml:"network_interface_id"`
	PrivateIP          string            `yaml:"private_ip"`
	Tags               map[string]string `yaml:"tags"`
}

// Instance is an EC2 instance (DescribeInstances).
type Instance struct {
	ID        string            `yaml:"id"`
	Type      string            `yaml:"type"`     // instance type, e.g. m5.large (required)
	ImageID   string            `yaml:"image_id"` // default ami-0abcdef1234567890
	State     string            `yaml:"state"`    // pending running stopping stopped shutting-down terminated
	Launched  estate.Time       `yaml:"launched"`
	StoppedAt estate.Time       `yaml:"stopped_at"` // rendered into StateTransitionReason
	AZ        string            `yaml:"az"`
	Platform  string            `yaml:"platform"` // "" or "windows"
	Tags      map[string]string `yaml:"tags"`
}
