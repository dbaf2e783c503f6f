// Package graphsim is a Microsoft Graph simulator: a net/http handler that
// serves the read endpoints ghostaudit's m365 scanner uses (subscribedSkus,
// users with $select/$top paging and absolute @odata.nextLink,
// directory/subscriptions, admin/reportSettings, groups/{id}, and the
// Office 365 active user report as a 302 to a CSV download with a UTF-8
// BOM) and the Entra ID OAuth2 token endpoint (client credentials), from
// the m365 section of an estate file.
//
// It answers with Graph's own OData error bodies and can inject 403s per
// endpoint, the 403 Graph returns for signInActivity on tenants without
// Entra ID P1, 429 with Retry-After, and latency.
//
// The package deliberately uses only net/http and encoding/json, so its
// tests never compile msgraph-sdk-go; a test enforces that.
package graphsim

import (
	"strings"

	"github.com/ghostaudit/ghostaudit/scanners/estate"
)

// Estate is the m365 section of an estate file.
//
//	m365:
//	  tenants:
//	    - id: 11111111-1111-1111-1111-111111111111   # tenant (directory) id, a GUID
//	      name: Contoso
//	      entra_p1: true              # default true; false: signInActivity answers 403
//	      concealed_names: false      # admin/reportSettings displayConcealedNames
//	      list_errored_licences: false  # list licences with no working assignment path in assignedLicenses
//	      subscriptions_page_size: 0    # >0: directory/subscriptions answers in pages of this size
//	      apps:                       # app registrations for the token endpoint
//	        - {client_id: <guid>, client_secret: s3cret, roles: [User.Read.All, ...],
//	           certificates: ["-----BEGIN CERTIFICATE-----\n..."]}   # optional, PEM
//	      faults: {deny: [reports], throttle: {users: 1}, retry_after: 1, latency: 5ms}
//	      skus:
//	        - {sku_id: <guid>, part_number: SPE_E5, enabled: 25, warning: 0, suspended: 0, locked_out: 0,
//	           consumed: 14, applies_to: User, capability_status: Enabled,
//	           service_plans: [{id: <guid>, name: EXCHANGE_S_ENTERPRISE}]}
//	      subscriptions:
//	        - {id: <guid>, commerce_id: <guid>, sku: SPE_E5, status: Enabled, total_licenses: 25, is_trial: false,
//	           created: -400d, next_lifecycle: 30d}
//	      groups: [{id: <guid>, name: Licensing - E5}]
//	      users:
//	        - id: <guid>
//	          upn: adele@contoso.com
//	          display_name: Adele Vance
//	          enabled: true           # default true
//	          user_type: Member       # default Member
//	          created: -700d
//	          sign_in: {last_successful: -3d, last: -3d, last_non_interactive: -1d}
//	          licenses:
//	            - {sku: SPE_E5, groups: [<group id>], direct: false, disabled_plans: []}
//	          usage: {exchange: -2d, onedrive: -10d, sharepoint: "", teams: -1d}
//	      deleted_users:              # usage report rows of deleted accounts
//	        - {upn: old@contoso.com, deleted: -20d, usage: {exchange: -25d}}
//
// Times are estate times: RFC 3339 or relative to the scan clock ("-45d").
type Estate struct {
	Tenants []Tenant `yaml:"tenants"`
}

// Tenant is one Entra ID tenant with its licences and users.
type Tenant struct {
	ID             string `yaml:"id"`
	Name           string `yaml:"name"`
	EntraP1        *bool  `yaml:"entra_p1"`
	ConcealedNames bool   `yaml:"concealed_names"`
	// ListErroredLicences lists a licence whose every assignment path is
	// in Error or Disabled state in the user's assignedLicenses (and counts
	// it in consumedUnits). Graph's docs do not say whether it does: by
	// default such a licence is left out, as it is not assigned ("you can
	// see the users who failed to get assigned", Entra ID group licensing
	// docs); true serves the other reading, so both are tested.
	ListErroredLicences bool `yaml:"list_errored_licences"`
	// SubscriptionsPageSize pages GET /directory/subscriptions (server-driven,
	// @odata.nextLink with a $skiptoken) when above 0. Graph documents the
	// list as a collection that supports OData query parameters, not its
	// page size; the default (0) answers with one page.
	SubscriptionsPageSize int            `yaml:"subscriptions_page_size"`
	Apps                  []App          `yaml:"apps"`
	Faults                Faults         `yaml:"faults"`
	SKUs                  []SKU          `yaml:"skus"`
	Subscriptions         []Subscription `yaml:"subscriptions"`
	Groups                []Group        `yaml:"groups"`
	Users                 []User         `yaml:"users"`
	// DeletedUsers are accounts deleted since the report period began: the
	// usage report keeps their rows, with Is Deleted True and their Deleted
	// Date (reportroot-getoffice365activeuserdetail), and a UPN may since
	// belong to a new account.
	DeletedUsers []DeletedUser `yaml:"deleted_users"`
}

// DeletedUser is a deleted account's row in the usage report.
type DeletedUser struct {
	UPN     string      `yaml:"upn"`
	Deleted estate.Time `yaml:"deleted"`
	Usage   Usage       `yaml:"usage"`
}

// FederatedCredential is one federated identity credential of an app.
type FederatedCredential struct {
	Issuer    string   `yaml:"issuer"`    // e.g. https://token.actions.githubusercontent.com
	Subject   string   `yaml:"subject"`   // e.g. repo:acme/infra:ref:refs/heads/main
	Audiences []string `yaml:"audiences"` // default [api://AzureADTokenExchange]
}

// HasP1 reports whether the tenant has Entra ID P1 or P2 (the default).
func (t *Tenant) HasP1() bool { return t.EntraP1 == nil || *t.EntraP1 }

// App is an app registration that may obtain tokens with client credentials.
type App struct {
	ClientID     string `yaml:"client_id"`
	ClientSecret string `yaml:"client_secret"`
	// Certificates are the public certificates (PEM) registered on the app
	// for certificate credentials: the token endpoint verifies a
	// client_assertion's signature against the one its x5t#S256 (or x5t)
	// header names. An app needs a client_secret, a certificate, or both.
	Certificates []string `yaml:"certificates"`
	// Federated are federated identity credentials (workload identity: a
	// CI job's OIDC token exchanged for an app token). The simulator stands
	// in for each issuer: Sim.FederatedToken mints a token signed with the
	// simulator's key for that issuer, and the token endpoint checks
	// signature, iss, sub, aud and lifetime as Entra ID does.
	Federated []FederatedCredential `yaml:"federated"`
	// PublicClient allows public client flows (the device code sign-in of
	// an administrator). Its tokens are delegated: Roles are carried as the
	// scp claim. The simulated administrator approves the code at once.
	PublicClient bool `yaml:"public_client"`
	// Roles are the application permissions granted (with admin consent)
	// and carried in the token's roles claim, e.g. User.Read.All. Graph
	// calls that need a role the token lacks answer 403.
	Roles []string `yaml:"roles"`
}

// SKU is a subscribed SKU (subscribedSkus).
type SKU struct {
	SKUID            string        `yaml:"sku_id"`
	PartNumber       string        `yaml:"part_number"`
	AppliesTo        string        `yaml:"applies_to"`        // default User
	CapabilityStatus string        `yaml:"capability_status"` // default Enabled
	Enabled          int           `yaml:"enabled"`
	Warning          int           `yaml:"warning"`
	Suspended        int           `yaml:"suspended"`
	LockedOut        int           `yaml:"locked_out"`
	Consumed         *int          `yaml:"consumed"` // default: the users holding it
	ServicePlans     []ServicePlan `yaml:"service_plans"`
}

// ServicePlan is one service plan of a SKU.
type ServicePlan struct {
	ID        string `yaml:"id"`
	Name      string `yaml:"name"`
	AppliesTo string `yaml:"applies_to"` // default User
}

// Subscription is a commerce subscription (directory/subscriptions).
type Subscription struct {
	ID string `yaml:"id"`
	// CommerceID is commerceSubscriptionId, default ID. Graph's example
	// shows it differing from id, and the docs do not say which of the two
	// subscribedSku.subscriptionIds carries: the simulator lists CommerceID
	// there, and the scanner matches either.
	CommerceID    string      `yaml:"commerce_id"`
	SKU           string      `yaml:"sku"` // part number or sku id of one of the tenant's skus
	Status        string      `yaml:"status"`
	TotalLicenses int         `yaml:"total_licenses"`
	IsTrial       bool        `yaml:"is_trial"`
	Created       estate.Time `yaml:"created"`
	NextLifecycle estate.Time `yaml:"next_lifecycle"`
}

// Group is a security group that may assign licences.
type Group struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
}

// User is a directory user.
type User struct {
	ID          string      `yaml:"id"`
	UPN         string      `yaml:"upn"`
	DisplayName string      `yaml:"display_name"`
	Enabled     *bool       `yaml:"enabled"`
	UserType    string      `yaml:"user_type"`
	Created     estate.Time `yaml:"created"`
	SignIn      SignIn      `yaml:"sign_in"`
	Licenses    []License   `yaml:"licenses"`
	Usage       *Usage      `yaml:"usage"`
}

// IsEnabled reports accountEnabled (default true).
func (u *User) IsEnabled() bool { return u.Enabled == nil || *u.Enabled }

// SignIn is the user's signInActivity.
type SignIn struct {
	LastSuccessful     estate.Time `yaml:"last_successful"`
	Last               estate.Time `yaml:"last"`
	LastNonInteractive estate.Time `yaml:"last_non_interactive"`
}

// License is one SKU assigned to a user, directly, through groups, or both.
type License struct {
	SKU           string   `yaml:"sku"` // part number or sku id
	Groups        []string `yaml:"groups"`
	Direct        *bool    `yaml:"direct"` // default: true when no groups
	DisabledPlans []string `yaml:"disabled_plans"`
	State         string   `yaml:"state"` // Active (default), ActiveWithError, Disabled or Error: of every path
	Error         string   `yaml:"error"` // default None; CountViolation, MutuallyExclusiveViolation, DependencyViolation, ProhibitedInUsageLocationViolation, UniquenessViolation, Other
	// GroupErrors puts the listed group paths in Error state with the given
	// error (e.g. {<group id>: CountViolation}: the group's SKU ran out of
	// seats), whatever State the licence's other paths have.
	GroupErrors map[string]string `yaml:"group_errors"`
}

// PathState is the licenseAssignmentState state and error of one path of
// the licence: group "" is the direct assignment.
func (l *License) PathState(group string) (state, err string) {
	for g, e := range l.GroupErrors {
		if group != "" && strings.EqualFold(g, group) {
			return "Error", e
		}
	}
	return l.State, l.Error
}

// Held reports whether the user holds the licence: some path of it is
// Active or ActiveWithError.
func (l *License) Held() bool {
	working := func(st string) bool { return st == "" || st == "Active" || st == "ActiveWithError" }
	if l.IsDirect() {
		if st, _ := l.PathState(""); working(st) {
			return true
		}
	}
	for _, g := range l.Groups {
		if st, _ := l.PathState(g); working(st) {
			return true
		}
	}
	return false
}

// IsDirect reports whether the licence is assigned directly.
func (l *License) IsDirect() bool {
	if l.Direct != nil {
		return *l.Direct
	}
	return len(l.Groups) == 0
}

// Usage is the user's row in the Office 365 active user detail report:
// last activity per service. A nil Usage means no row.
type Usage struct {
	Exchange   estate.Time `yaml:"exchange"`
	OneDrive   estate.Time `yaml:"onedrive"`
	SharePoint estate.Time `yaml:"sharepoint"`
	Skype      estate.Time `yaml:"skype"`
	Yammer     estate.Time `yaml:"yammer"`
	Teams      estate.Time `yaml:"teams"`
	// Deleted marks this live user's row Is Deleted True. Graph does not do
	// that for a live account; kept for old estates (use deleted_users).
	Deleted bool `yaml:"deleted"`
}

// Faults injects failures into one tenant's Graph calls. Endpoint names:
// subscribedSkus, users, signInActivity (users with signInActivity
// selected), subscriptions, reportSettings, reports, groups, token, and "*".
type Faults struct {
	// Deny answers the listed endpoints with 403 Authorization_RequestDenied.
	Deny []string `yaml:"deny"`
	// Throttle answers the first N calls of each listed endpoint with 429
	// TooManyRequests and a Retry-After header.
	Throttle map[string]int `yaml:"throttle"`
	// RetryAfter is the Retry-After value in seconds (default 1).
	RetryAfter int `yaml:"retry_after"`
	// Latency delays every Graph response that is not throttled, e.g. "25ms".
	Latency string `yaml:"latency"`
}

// Endpoints the simulator serves, as named in fault lists.
var Endpoints = []string{"*", "subscribedSkus", "users", "signInActivity", "subscriptions", "reportSettings", "reports", "groups", "token"}
