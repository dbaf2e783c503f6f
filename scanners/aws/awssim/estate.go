// Package awssim is an AWS simulator: it serves EC2 and STS (Query), ELB,
// ELBv2 and RDS (Query), CloudWatch (Smithy RPC v2 CBOR and Query), CloudWatch Logs
// and Organizations (JSON 1.1) from the aws section of an estate file, so
// that the real aws-sdk-go-v2 clients can be tested against it over
// loopback HTTP.
package awssim

import (
	"github.com/ghostaudit/ghostaudit/scanners/estate"
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
//
// Organizations: management_account names the organization's management
// account; accounts with org_status (ACTIVE or SUSPENDED) are its members.
// ListAccounts is answered only for the management account; a member gets
// AccessDeniedException and an account outside the organization
// AWSOrganizationsNotInUseException.
type Estate struct {
	CallerAccount     string    `yaml:"caller_account"`
	ManagementAccount string    `yaml:"management_account"`
	Accounts          []Account `yaml:"accounts"`
	// PriceList is the Price List served by GetProducts (pricing.go);
	// empty means DefaultPriceList.
	PriceList []PriceProduct `yaml:"price_list"`
	// CloudWatchProtocol limits the protocols CloudWatch speaks: "" or
	// "both" (the default: Smithy RPC v2 CBOR, what the current SDKs send,
	// and awsQuery, what the API Reference documents; real CloudWatch
	// accepts both), "cbor" or "query". It stands in for an endpoint that
	// speaks only one of them, such as a simulator built from the API
	// Reference. A request in the other protocol is answered as a server
	// that does not know that protocol answers it: see
	// Sim.unknownCloudWatchProtocol. Options.CloudWatchProtocol overrides it.
	CloudWatchProtocol string `yaml:"cloudwatch_protocol"`
}

// Account is one AWS account of the estate.
type Account struct {
	ID         string      `yaml:"id"` // 12 digits
	Name       string      `yaml:"name"`
	AssumeRole string      `yaml:"assume_role"` // "", "allow" or "deny"
	Faults     Faults      `yaml:"faults"`
	Regions    []Region    `yaml:"regions"`    // the regions enabled for the account
	OrgStatus  string      `yaml:"org_status"` // "" (not in the organization), ACTIVE or SUSPENDED
	Email      string      `yaml:"email"`      // default <name or id>@example.com
	Joined     estate.Time `yaml:"joined"`     // when it joined the organization
	// ManagedResourceVisibility is the account's EC2 managed resource
	// visibility, visible (default, as AWS's) or hidden; a region may set
	// its own. Hidden: DescribeInstances, DescribeVolumes,
	// DescribeLaunchTemplates and DescribeLaunchTemplateVersions leave
	// out the resources marked managed unless the request sets
	// IncludeManagedResources=true ("A value of hidden indicates that
	// managed resources are not included in Describe operation responses
	// by default", ManagedResourceVisibilitySettings; "Hidden resources
	// remain fully operational and billable", ModifyManagedResourceVisibility).
	// A hidden resource named by id reads as one that does not exist.
	ManagedResourceVisibility string `yaml:"managed_resource_visibility"`
}

// Region is one enabled region of an account and what is in it.
type Region struct {
	Name      string     `yaml:"name"`
	Faults    Faults     `yaml:"faults"`
	Volumes   []Volume   `yaml:"volumes"`
	Addresses []Address  `yaml:"addresses"`
	Instances []Instance `yaml:"instances"`

	// ManagedResourceVisibility replaces the account's for this region
	// (EC2 settings are regional): "" (the account's), visible or hidden.
	ManagedResourceVisibility string `yaml:"managed_resource_visibility"`

	Snapshots            []Snapshot            `yaml:"snapshots"`
	Images               []Image               `yaml:"images"`
	LaunchTemplates      []LaunchTemplate      `yaml:"launch_templates"`
	NatGateways          []NatGateway          `yaml:"nat_gateways"`
	LoadBalancers        []LoadBalancer        `yaml:"load_balancers"`         // ELBv2: application, network, gateway
	ClassicLoadBalancers []ClassicLoadBalancer `yaml:"classic_load_balancers"` // ELB Classic
	DBInstances          []DBInstance          `yaml:"db_instances"`
	DBSnapshots          []DBSnapshot          `yaml:"db_snapshots"`
	LogGroups            []LogGroup            `yaml:"log_groups"`
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
	// Rate throttles with token buckets, as AWS does: each key (a service's
	// IAM prefix such as ec2, cloudwatch, elasticloadbalancing, rds, logs,
	// sts, or an operation name such as GetMetricData) gets one bucket per
	// account and region that refills at Rate tokens per second up to Burst
	// tokens (default: one second's worth), starting full. A request takes
	// one token from every bucket that names its service or operation when
	// it arrives; one that finds a bucket empty is answered, after the
	// latency, with the service's throttling error (EC2:
	// RequestLimitExceeded). This is the request-rate model of "Request
	// throttling for the Amazon EC2 API" (per account, per Region; e.g. a
	// non-mutating action's bucket holds 100 tokens and refills 20 per
	// second). A region's value for a key replaces the account's.
	Rate  map[string]float64 `yaml:"rate"`
	Burst map[string]int     `yaml:"burst"`
	// UnknownParameters lists EC2 request parameters (e.g.
	// IncludeManagedResources) that the endpoint does not know: an EC2
	// request carrying one is answered, as an endpoint predating the
	// parameter answers, with UnknownParameter ("An unknown or
	// unrecognized parameter was supplied", HTTP 400), after deny and
	// before throttle faults. A list parameter is named without its ".N"
	// suffix.
	UnknownParameters []string `yaml:"unknown_parameters"`
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
	Metrics    Metrics           `yaml:"metrics"`    // AWS/EBS, dimension VolumeId
	Managed    bool              `yaml:"managed"`    // managed by an AWS service: see Account.ManagedResourceVisibility
	ManagedBy  string            `yaml:"managed_by"` // the managing service principal (Operator.Principal), default eks.amazonaws.com
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
	ID        string      `yaml:"id"`
	Type      string      `yaml:"type"`     // instance type, e.g. m5.large (required)
	ImageID   string      `yaml:"image_id"` // default ami-0abcdef1234567890
	State     string      `yaml:"state"`    // pending running stopping stopped shutting-down terminated
	Launched  estate.Time `yaml:"launched"`
	StoppedAt estate.Time `yaml:"stopped_at"` // rendered into StateTransitionReason
	AZ        string      `yaml:"az"`
	Platform  string      `yaml:"platform"` // "" or "windows"
	// UsageOperation is the instance's billing code (usageOperation), one
	// of the codes of AWS's "AMI billing information fields" table
	// (usageOperations); its platformDetails is that table's label.
	// Default: RunInstances (Linux/UNIX), or RunInstances:0002 (Windows)
	// when platform is windows. A Windows code needs platform windows.
	UsageOperation string            `yaml:"usage_operation"`
	Tags           map[string]string `yaml:"tags"`
	Metrics        Metrics           `yaml:"metrics"`    // AWS/EC2, dimension InstanceId
	Managed        bool              `yaml:"managed"`    // managed by an AWS service: see Account.ManagedResourceVisibility
	ManagedBy      string            `yaml:"managed_by"` // the managing service principal (Operator.Principal), default eks.amazonaws.com
}

// Metrics are the CloudWatch series of a resource, by metric name, served
// by GetMetricData under the resource's namespace and dimension:
//
//	metrics:
//	  CPUUtilization: {daily: [3, 2.5, 4, 80]}   # one value per day, oldest first
//	  NetworkIn: {avg: 1e6, days: 30}             # the same value for each of the last 30 days
//
// The series ends at midnight UTC of the scan day: the last value is
// yesterday's. A day's value is the day's total for a counter metric
// (RequestCount, bytes, ops, flows; queried with Sum) and the day's level
// for a gauge (CPUUtilization, DatabaseConnections, ActiveConnectionCount).
// The simulator keeps hourly datapoints: a counter's day is spread evenly
// over 24 hours, a gauge holds its value for the day. Period and Stat
// (Sum, Average, Maximum, Minimum, SampleCount) aggregate those hourly
// datapoints; days outside the series have no data, as for a resource
// that did not exist or did not run. Load balancer metrics (AWS/ELB,
// AWS/ApplicationELB, AWS/NetworkELB) are reported only while there is
// traffic: a day whose value is 0 has no datapoint (cloudwatch.go,
// reportedOnlyWhenNonZero). The metric names allowed for each
// namespace are listed in metricCatalog.
type Metrics map[string]Series

// Series is one metric's daily values: either Daily, or the compact form
// Avg for each of the last Days days (default 14).
//
// Status is a fault: GetMetricData answers every query of this series
// with that MetricDataResult StatusCode (InternalError or Forbidden), no
// datapoints, and a message {Code: Status, Value: Message}; a series with
// a Status needs no values.
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDataResult.html).
type Series struct {
	Daily   []float64 `yaml:"daily"`
	Avg     *float64  `yaml:"avg"`
	Days    int       `yaml:"days"`
	Status  string    `yaml:"status"`
	Message string    `yaml:"message"`
}

// Snapshot is an EBS snapshot owned by the account (DescribeSnapshots).
type Snapshot struct {
	ID          string            `yaml:"id"`           // snap-...
	VolumeID    string            `yaml:"volume_id"`    // source volume; need not exist any more
	SizeGiB     int32             `yaml:"size_gib"`     // VolumeSize
	Started     estate.Time       `yaml:"started"`      // StartTime
	StorageTier string            `yaml:"storage_tier"` // standard (default) | archive
	State       string            `yaml:"state"`        // completed (default) | pending | error | recoverable | recovering
	Description string            `yaml:"description"`
	Encrypted   bool              `yaml:"encrypted"`
	Tags        map[string]string `yaml:"tags"`
	// TransferType marks a snapshot copy: standard or time-based, the
	// kind of CopySnapshot that made it; "" for a snapshot of a volume.
	// EC2 sets it "Only for snapshot copies", and a copy's VolumeId is
	// "an arbitrary volume ID that you should not use for any purpose"
	// (Snapshot data type), so volume_id may name any vol- id.
	TransferType string `yaml:"transfer_type"`
}

// Image is an AMI owned by the account (DescribeImages). A disabled AMI is
// returned only when the request sets IncludeDisabled.
type Image struct {
	ID          string            `yaml:"id"` // ami-...
	Name        string            `yaml:"name"`
	State       string            `yaml:"state"` // available (default) | disabled | pending | deregistered | failed ...
	Created     estate.Time       `yaml:"created"`
	SnapshotIDs []string          `yaml:"snapshot_ids"` // EBS block device mappings, /dev/xvda, /dev/xvdb, ...
	Tags        map[string]string `yaml:"tags"`
}

// LaunchTemplate is an EC2 launch template (DescribeLaunchTemplates,
// DescribeLaunchTemplateVersions); its versions are numbered from 1.
type LaunchTemplate struct {
	ID             string                  `yaml:"id"` // lt-...
	Name           string                  `yaml:"name"`
	Created        estate.Time             `yaml:"created"`
	DefaultVersion int64                   `yaml:"default_version"` // default 1
	Versions       []LaunchTemplateVersion `yaml:"versions"`        // at least one
	Tags           map[string]string       `yaml:"tags"`
	Managed        bool                    `yaml:"managed"`    // managed by an AWS service: see Account.ManagedResourceVisibility
	ManagedBy      string                  `yaml:"managed_by"` // the managing service principal (Operator.Principal), default eks.amazonaws.com
}

// LaunchTemplateVersion is one version's launch data.
type LaunchTemplateVersion struct {
	ImageID      string   `yaml:"image_id"`
	InstanceType string   `yaml:"instance_type"`
	SnapshotIDs  []string `yaml:"snapshot_ids"` // EBS block device mappings
}

// NatGateway is a NAT gateway (DescribeNatGateways).
type NatGateway struct {
	ID           string            `yaml:"id"`            // nat-...
	State        string            `yaml:"state"`         // available (default) | pending | failed | deleting | deleted
	VpcID        string            `yaml:"vpc_id"`        // default vpc-<derived>
	SubnetID     string            `yaml:"subnet_id"`     // default subnet-<derived>
	AllocationID string            `yaml:"allocation_id"` // the EIP of a public gateway
	PublicIP     string            `yaml:"public_ip"`
	PrivateIP    string            `yaml:"private_ip"`   // default derived
	Connectivity string            `yaml:"connectivity"` // public (default) | private
	Created      estate.Time       `yaml:"created"`
	Tags         map[string]string `yaml:"tags"`
	Metrics      Metrics           `yaml:"metrics"` // AWS/NATGateway, dimension NatGatewayId
}

// LoadBalancer is an ELBv2 load balancer (DescribeLoadBalancers, version
// 2015-12-01). Its ARN is derived from the account, region, type and name.
type LoadBalancer struct {
	Name         string            `yaml:"name"`
	Type         string            `yaml:"type"`   // application (default) | network | gateway
	State        string            `yaml:"state"`  // active (default) | provisioning | active_impaired | failed
	Scheme       string            `yaml:"scheme"` // internet-facing (default) | internal
	Created      estate.Time       `yaml:"created"`
	Listeners    []Listener        `yaml:"listeners"`
	TargetGroups []TargetGroup     `yaml:"target_groups"`
	Tags         map[string]string `yaml:"tags"`    // DescribeTags (2015-12-01)
	Metrics      Metrics           `yaml:"metrics"` // AWS/ApplicationELB, AWS/NetworkELB or AWS/GatewayELB, dimension LoadBalancer=app/<name>/<id>
}

// Listener is an ELBv2 listener (DescribeListeners).
type Listener struct {
	Port     int32  `yaml:"port"`
	Protocol string `yaml:"protocol"` // default HTTP (application), TCP (network), GENEVE (gateway)
	// DefaultActions are the listener's default actions, in order
	// (Listener.DefaultActions, Order 1, 2, ...). Empty means one forward
	// to the load balancer's first target group.
	//
	//	default_actions: [{type: redirect}]                       # HTTP -> HTTPS, HTTP_301
	//	default_actions: [{type: fixed-response, status_code: "503", message_body: down for maintenance}]
	//	default_actions: [{type: forward, target_group: web-b}]
	DefaultActions []ListenerAction `yaml:"default_actions"`
}

// ListenerAction is one action of a listener (the Action data type,
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Action.html).
// Only an Application Load Balancer's listeners redirect or return fixed
// responses; a Network or Gateway Load Balancer's only forward.
type ListenerAction struct {
	Type string `yaml:"type"` // forward (default) | redirect | fixed-response
	// TargetGroup names one of the load balancer's target groups (forward;
	// default the first). AWS requires one: a forward of a load balancer
	// that declares no target group is served without TargetGroupArn.
	TargetGroup string `yaml:"target_group"`
	// StatusCode is the redirect's HTTP_301 (default) or HTTP_302, or the
	// fixed response's 2XX, 4XX or 5XX code (default 503).
	StatusCode string `yaml:"status_code"`
	// Protocol, Port, Host, Path and Query are the redirect's RedirectConfig,
	// by default the HTTP to HTTPS redirect: HTTPS, 443, #{host},
	// /#{path}, #{query}.
	Protocol string `yaml:"protocol"`
	Port     string `yaml:"port"`
	Host     string `yaml:"host"`
	Path     string `yaml:"path"`
	Query    string `yaml:"query"`
	// ContentType (default text/plain) and MessageBody are the fixed
	// response's FixedResponseConfig.
	ContentType string `yaml:"content_type"`
	MessageBody string `yaml:"message_body"`
}

// TargetGroup is an ELBv2 target group (DescribeTargetGroups,
// DescribeTargetHealth).
type TargetGroup struct {
	Name string `yaml:"name"`
	Port int32  `yaml:"port"` // default 80; none for a lambda group
	// TargetType is instance (default) | ip | lambda | alb. A lambda
	// group's health checks are disabled by default, so its targets
	// default to health: unavailable (Target.HealthCheckDisabled).
	TargetType string   `yaml:"target_type"`
	Targets    []Target `yaml:"targets"`
}

// Target is one registered target and its health, as DescribeTargetHealth
// reports it (State and Reason of the TargetHealth data type,
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html).
// A target of a target group whose health checks are disabled (the
// default for a Lambda target group) is health: unavailable with reason
// Target.HealthCheckDisabled; the load balancer still routes to it.
type Target struct {
	ID     string `yaml:"id"`     // instance id, IP address or Lambda function ARN
	Port   int32  `yaml:"port"`   // default the group's port
	Health string `yaml:"health"` // healthy (default) | unhealthy | unused | draining | initial | unavailable
	// Reason is the reason code, one of those AWS documents for the
	// state (targetReasons); the default is the first listed, except that
	// an unavailable target outside a lambda group defaults to
	// Elb.InternalError (only a lambda group's health checks can be
	// disabled). A healthy target has none.
	Reason string `yaml:"reason"`
}

// ClassicLoadBalancer is an ELB Classic load balancer (DescribeLoadBalancers,
// DescribeInstanceHealth, version 2012-06-01).
type ClassicLoadBalancer struct {
	Name      string            `yaml:"name"`
	Scheme    string            `yaml:"scheme"` // internet-facing (default) | internal
	Created   estate.Time       `yaml:"created"`
	Instances []ClassicBackend  `yaml:"instances"`
	Tags      map[string]string `yaml:"tags"`    // DescribeTags (2012-06-01)
	Metrics   Metrics           `yaml:"metrics"` // AWS/ELB, dimension LoadBalancerName
}

// ClassicBackend is an instance registered with a Classic load balancer.
type ClassicBackend struct {
	ID    string `yaml:"id"`
	State string `yaml:"state"` // InService (default) | OutOfService | Unknown
}

// DBInstance is an RDS DB instance (DescribeDBInstances).
type DBInstance struct {
	ID           string            `yaml:"id"`            // DBInstanceIdentifier
	Class        string            `yaml:"class"`         // e.g. db.t3.micro (required)
	Engine       string            `yaml:"engine"`        // default postgres
	Status       string            `yaml:"status"`        // available (default) or any status of the RDS "DB instance status" table (dbStatuses)
	AllocatedGiB int32             `yaml:"allocated_gib"` // default 20
	StorageType  string            `yaml:"storage_type"`  // gp2 (default) | gp3 | io1 | io2 | standard
	MultiAZ      bool              `yaml:"multi_az"`
	Created      estate.Time       `yaml:"created"` // InstanceCreateTime
	Tags         map[string]string `yaml:"tags"`
	Metrics      Metrics           `yaml:"metrics"` // AWS/RDS, dimension DBInstanceIdentifier
}

// DBSnapshot is an RDS DB snapshot (DescribeDBSnapshots).
type DBSnapshot struct {
	ID           string      `yaml:"id"`             // DBSnapshotIdentifier
	DBInstanceID string      `yaml:"db_instance_id"` // source; need not exist any more
	Type         string      `yaml:"type"`           // manual (default) | automated
	Created      estate.Time `yaml:"created"`        // SnapshotCreateTime
	AllocatedGiB int32       `yaml:"allocated_gib"`  // default 20
	Engine       string      `yaml:"engine"`         // default postgres
	Status       string      `yaml:"status"`         // available (default)
	// SourceSnapshot is SourceDBSnapshotIdentifier, the ARN of the DB
	// snapshot this one was copied from: "It only has a value in the case
	// of a cross-account or cross-Region copy" (DBSnapshot data type).
	// For such a copy db_instance_id names the instance in the source
	// account or region.
	SourceSnapshot string `yaml:"source_snapshot"`
	// SourceRegion is "The Amazon Web Services Region that the DB
	// snapshot was created in or copied from"; default the region of
	// source_snapshot's ARN, else absent.
	SourceRegion string `yaml:"source_region"`
}

// LogGroup is a CloudWatch Logs log group (DescribeLogGroups; its tags
// by ListTagsForResource).
type LogGroup struct {
	Name          string            `yaml:"name"`
	RetentionDays int32             `yaml:"retention_days"` // 0: never expire (retentionInDays absent)
	StoredBytes   int64             `yaml:"stored_bytes"`
	Created       estate.Time       `yaml:"created"`
	Tags          map[string]string `yaml:"tags"`
	// Class is the logGroupClass: STANDARD (default), INFREQUENT_ACCESS or
	// DELIVERY. AWS keeps the events of a DELIVERY group for one day
	// (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_LogGroup.html).
	Class string `yaml:"class"`
}
