// Package gcpsim is a Google Cloud simulator: an in-process gRPC server
// that serves Cloud Billing (billing accounts and project billing info),
// Cloud Catalog (services and SKUs) and the Recommender API from the gcp
// section of an estate file, so that the real cloud.google.com/go clients
// can be tested against it over loopback. The same port also serves the
// Compute Engine REST API (disks, addresses and instances, under /compute/v1/) for
// google.golang.org/api/compute/v1; see Sim.ComputeHandler.
//
// It follows the approach of the google-cloud-go testing guide: the
// generated Unimplemented…Server types are embedded and registered on a
// grpc.NewServer(), and clients connect with option.WithEndpoint,
// option.WithoutAuthentication and an insecure transport (ClientOptions).
package gcpsim

import (
	"github.com/ghostaudit/ghostaudit/scanners/estate"
)

// Estate is the gcp section of an estate file.
//
//	gcp:
//	  faults: {...}                       # apply to every call (ListBillingAccounts, catalog, ...)
//	  billing_accounts:
//	    - id: 012345-567890-ABCDEF
//	      display_name: Main
//	      open: true                      # default true; projects of a closed account have billing disabled
//	      currency: USD                   # default USD
//	      master_billing_account: ""      # id of the parent account for a subaccount
//	      faults: {...}                   # calls on billingAccounts/<id>
//	      projects:
//	        - id: acme-prod
//	          number: "123456789012"      # default: derived from the id
//	          billing_enabled: true       # default: the account's open
//	          faults: {...}               # calls on projects/<id>
//	          recommendations: [...]
//	          disks: [...]                # Compute Engine persistent disks (served over REST)
//	          addresses: [...]            # Compute Engine addresses; region "global" for global ones
//	          instances: [...]            # Compute Engine VM instances (served over REST)
//	  services:                           # Cloud Catalog
//	    - id: 6F81-5844-456A
//	      display_name: Compute Engine
//	      skus: [...]
type Estate struct {
	Faults          Faults           `yaml:"faults"`
	BillingAccounts []BillingAccount `yaml:"billing_accounts"`
	Services        []Service        `yaml:"services"`
}

// BillingAccount is a Cloud Billing account and the projects linked to it.
type BillingAccount struct {
	ID                   string    `yaml:"id"` // XXXXXX-XXXXXX-XXXXXX
	DisplayName          string    `yaml:"display_name"`
	Open                 *bool     `yaml:"open"`
	Currency             string    `yaml:"currency"`
	MasterBillingAccount string    `yaml:"master_billing_account"`
	Faults               Faults    `yaml:"faults"`
	Projects             []Project `yaml:"projects"`
}

// IsOpen reports whether the account is open (the default).
func (a *BillingAccount) IsOpen() bool { return a.Open == nil || *a.Open }

// Project is a project linked to a billing account.
type Project struct {
	ID              string           `yaml:"id"`
	Number          string           `yaml:"number"`
	BillingEnabled  *bool            `yaml:"billing_enabled"`
	Faults          Faults           `yaml:"faults"`
	Recommendations []Recommendation `yaml:"recommendations"`
	Disks           []Disk           `yaml:"disks"`
	Addresses       []Address        `yaml:"addresses"`
	Instances       []Instance       `yaml:"instances"`
}

// Disk is a Compute Engine persistent disk (compute#disk).
type Disk struct {
	Name string `yaml:"name"`
	// Zone of a zonal disk (us-central1-a), or Region of a regional one.
	Zone   string `yaml:"zone"`
	Region string `yaml:"region"`
	// Type is the disk type: pd-standard, pd-balanced (default), pd-ssd,
	// pd-extreme, hyperdisk-balanced, ...
	Type   string `yaml:"type"`
	SizeGB int64  `yaml:"size_gb"` // default 10
	// Users are the instances the disk is attached to: instance names
	// (in the disk's zone) or full instance URLs. Empty means unattached.
	Users      []string          `yaml:"users"`
	Status     string            `yaml:"status"` // READY (default), CREATING, RESTORING, FAILED, DELETING
	Created    estate.Time       `yaml:"created"`
	LastAttach estate.Time       `yaml:"last_attach"`
	LastDetach estate.Time       `yaml:"last_detach"`
	Labels     map[string]string `yaml:"labels"`
	// IDText is the numeric id as written in the estate: kept as text
	// because a YAML decoder may round a 19-digit number through float64.
	IDText string `yaml:"id"`
	ID     uint64 `yaml:"-"` // IDText parsed, or derived from project, location and name
}

// Address is a Compute Engine static IP address (compute#address).
type Address struct {
	Name string `yaml:"name"`
	// Region of a regional address, or "global".
	Region      string `yaml:"region"`
	Address     string `yaml:"address"`      // the IP; default derived
	AddressType string `yaml:"address_type"` // EXTERNAL (default), INTERNAL, or UNSPECIFIED_TYPE (served as is; the API reads it as EXTERNAL)
	// Status is RESERVED (not in use), RESERVING or IN_USE; default
	// IN_USE when Users is set, RESERVED otherwise.
	Status      string            `yaml:"status"`
	Users       []string          `yaml:"users"`        // URLs (or names) of the resources using it
	NetworkTier string            `yaml:"network_tier"` // PREMIUM (default for EXTERNAL) or STANDARD
	Purpose     string            `yaml:"purpose"`      // e.g. GCE_ENDPOINT, VPC_PEERING
	Created     estate.Time       `yaml:"created"`
	Labels      map[string]string `yaml:"labels"`
	IDText      string            `yaml:"id"` // numeric id as text (see Disk.IDText)
	ID          uint64            `yaml:"-"`  // IDText parsed, or derived
}

// Instance is a Compute Engine VM instance (compute#instance). Its
// attached disks are the project's disks whose users name it; an instance
// that a disk's or an address's users name but the estate does not declare
// is served as a RUNNING instance (Compute Engine never names an instance
// that does not exist), created when the first disk naming it was.
type Instance struct {
	Name string `yaml:"name"`
	Zone string `yaml:"zone"` // required, e.g. us-central1-a
	// MachineType is the machine type's name: e2-medium (default), n2-standard-4, ...
	MachineType string `yaml:"machine_type"`
	// Status is RUNNING (default), PROVISIONING, STAGING, STOPPING,
	// STOPPED, SUSPENDING, SUSPENDED, REPAIRING or TERMINATED (a stopped VM).
	Status  string      `yaml:"status"`
	Created estate.Time `yaml:"created"`
	// LastStart, LastStop and LastSuspended are lastStartTimestamp,
	// lastStopTimestamp and lastSuspendedTimestamp; each is omitted when zero.
	LastStart     estate.Time `yaml:"last_start"`
	LastStop      estate.Time `yaml:"last_stop"`
	LastSuspended estate.Time `yaml:"last_suspended"`
	// Address is the instance's external IP: the name of a static address
	// of the project in the instance's region (its users then name the
	// instance, and it is IN_USE), or an IP literal (an ephemeral address).
	Address string            `yaml:"address"`
	Labels  map[string]string `yaml:"labels"`
	IDText  string            `yaml:"id"` // numeric id as text (see Disk.IDText)
	ID      uint64            `yaml:"-"`  // IDText parsed, or derived
	// NatIP is the external IP served in accessConfigs[].natIP (filled in).
	NatIP string `yaml:"-"`
	// Synthesized marks an instance only named by a disk's or address's users.
	Synthesized bool `yaml:"-"`
}

// Billed reports whether billing is enabled for the project.
func (p *Project) Billed() bool { return p.BillingEnabled != nil && *p.BillingEnabled }

// Recommendation is one Recommender recommendation of a project
// (google.cloud.recommender.v1.Recommendation).
type Recommendation struct {
	// Recommender is the recommender id, e.g. google.compute.disk.IdleResourceRecommender.
	Recommender string `yaml:"recommender"`
	// Location is a zone (us-central1-a), a region (us-central1) or global,
	// as the recommender expects (checked for the known recommenders).
	Location string `yaml:"location"`
	// ID is the recommendation id (last name segment); default: a stable
	// UUID-shaped id derived from the project, location, recommender and target.
	ID          string `yaml:"id"`
	Subtype     string `yaml:"subtype"` // recommenderSubtype, e.g. DELETE_DISK
	Description string `yaml:"description"`
	// Target is the full resource name, e.g.
	// //compute.googleapis.com/projects/acme-prod/zones/us-central1-a/disks/scratch.
	// The project may be named by its id or by its number.
	Target string `yaml:"target"`
	// OmitTargetResources serves the recommendation without
	// targetResources and without an overview, as in Google's captured
	// idle-disk recommendations: the target is then only named by an
	// operation. (A SNAPSHOT_AND_DELETE_DISK recommendation always carries
	// Google's two operations: "add" a snapshot, then "remove" the disk.)
	OmitTargetResources bool `yaml:"omit_target_resources"`
	// OmitStateInfo serves the recommendation without stateInfo, as a
	// minimal server might (Google always sends it); it still matches a
	// state filter by State.
	OmitStateInfo bool `yaml:"omit_state_info"`
	// ResourceType of the operation, e.g. compute.googleapis.com/Disk; default from the recommender.
	ResourceType string `yaml:"resource_type"`
	// Cost is the primary impact's cost projection over Duration as a
	// decimal; negative is a saving, as the API reports it. Empty means the
	// recommendation has no cost projection.
	Cost     string `yaml:"cost"`
	Currency string `yaml:"currency"` // default USD
	// Duration of the projection, a Go duration or days such as 30d; default 30d.
	Duration string `yaml:"duration"`
	// Category of the primary impact: COST (default), PERFORMANCE, SECURITY, ...
	Category    string      `yaml:"category"`
	State       string      `yaml:"state"`    // ACTIVE (default), CLAIMED, SUCCEEDED, FAILED, DISMISSED
	Priority    string      `yaml:"priority"` // P1..P4, default P4
	LastRefresh estate.Time `yaml:"last_refresh"`
	// XorGroupID is the recommendation's xorGroupId: recommendations of one
	// recommender sharing it are alternatives, of which only one is
	// suggested to be applied (Recommender API reference).
	XorGroupID string `yaml:"xor_group_id"`
}

// Service is a Cloud Catalog service.
type Service struct {
	ID          string `yaml:"id"` // e.g. 6F81-5844-456A
	DisplayName string `yaml:"display_name"`
	Skus        []Sku  `yaml:"skus"`
}

// Sku is a Cloud Catalog SKU with its current pricing.
type Sku struct {
	ID             string   `yaml:"id"`
	Description    string   `yaml:"description"`
	ResourceFamily string   `yaml:"resource_family"` // Compute, Storage, Network, ...
	ResourceGroup  string   `yaml:"resource_group"`  // CPU, PDStandard, ...
	UsageType      string   `yaml:"usage_type"`      // default OnDemand
	Regions        []string `yaml:"regions"`
	UsageUnit      string   `yaml:"usage_unit"` // GiBy.mo, h, GiBy.h, GiBy
	// UnitPrice is a single-tier price per usage unit; Tiers replaces it for graduated prices.
	UnitPrice string      `yaml:"unit_price"`
	Tiers     []Tier      `yaml:"tiers"`
	Effective estate.Time `yaml:"effective"` // pricing effective time, default -30d
}

// Tier is one rate of a graduated price: from Start units onwards, Price per unit.
type Tier struct {
	Start float64 `yaml:"start"`
	Price string  `yaml:"price"`
}

// Faults injects failures. Estate-level faults apply to every call; an
// account's to calls on billingAccounts/<id>; a project's to calls on
// projects/<id> (project billing info and recommendations). They add up.
type Faults struct {
	// Deny lists methods ("ListRecommendations") answered with
	// PERMISSION_DENIED; "*" denies all.
	Deny []string `yaml:"deny"`
	// Throttle answers the first N calls of each listed method ("*" for
	// any) with RESOURCE_EXHAUSTED (RATE_LIMIT_EXCEEDED).
	Throttle map[string]int `yaml:"throttle"`
	// Unavailable answers the first N calls of each listed method with UNAVAILABLE.
	Unavailable map[string]int `yaml:"unavailable"`
	// Latency delays every response, e.g. "25ms"; the caller's deadline or
	// cancellation ends the wait.
	Latency string `yaml:"latency"`
	// APIDisabled answers Recommender calls with the SERVICE_DISABLED
	// PERMISSION_DENIED error Google returns when the API is not enabled.
	APIDisabled bool `yaml:"api_disabled"`
	// ComputeDisabled answers Compute Engine REST calls with the 403
	// accessNotConfigured / SERVICE_DISABLED error of a project where
	// compute.googleapis.com is not enabled.
	ComputeDisabled bool `yaml:"compute_disabled"`
	// Unreachable lists zones and regions (us-east1-b, europe-west6) that
	// the project's Compute Engine aggregated lists cannot reach: they are
	// named in the list's "unreachables" ("[Output Only] Unreachable
	// resources.") as zones/<zone> or regions/<region>, and their disks and
	// addresses are left out. Project faults only.
	Unreachable []string `yaml:"unreachable"`
}
