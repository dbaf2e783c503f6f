package awssim

import (
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ELBv2 (2015-12-01) and ELB Classic (2012-06-01) over the AWS Query
// protocol: <XResponse><XResult>...</XResult><ResponseMetadata/></XResponse>,
// lists as <Name><member>...</member></Name>, paging with Marker, PageSize
// (1-400) and NextMarker
// (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeLoadBalancers.html).

func elbTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func (s *Sim) lbARN(c *call, lb *LoadBalancer) string {
	return "arn:aws:elasticloadbalancing:" + c.region + ":" + c.account + ":loadbalancer/" + lbDimension(c.account, c.region, lb)
}

func (s *Sim) tgARN(c *call, tg *TargetGroup) string {
	return "arn:aws:elasticloadbalancing:" + c.region + ":" + c.account + ":targetgroup/" + tg.Name + "/" + stableHex(16, "tg", c.account, c.region, tg.Name)
}

// markerPage pages keys (sorted) with Marker and PageSize.
func markerPage(c *call, keys []string, maxSize int) (start, end int, next string, err *apiError) {
	size := len(keys)
	if raw := c.r.Form.Get("PageSize"); raw != "" {
		n, perr := strconv.Atoi(raw)
		if perr != nil || n < 1 || n > maxSize {
			return 0, 0, "", validationError("1 validation error detected: Value '%s' at 'pageSize' failed to satisfy constraint: Member must have value between 1 and %d", raw, maxSize)
		}
		size = n
	}
	if m := c.r.Form.Get("Marker"); m != "" {
		after, ok := decodeToken(c.action, m)
		if !ok {
			return 0, 0, "", validationError("Invalid Marker")
		}
		start = sort.SearchStrings(keys, after)
		if start < len(keys) && keys[start] == after {
			start++
		}
	}
	end = len(keys)
	if start+size < len(keys) {
		end = start + size
		next = encodeToken(c.action, keys[end-1])
	}
	return start, end, next, nil
}

type elbLB struct {
	LoadBalancerArn       string `xml:"LoadBalancerArn"`
	DNSName               string `xml:"DNSName"`
	CanonicalHostedZoneID string `xml:"CanonicalHostedZoneId"`
	CreatedTime           string `xml:"CreatedTime"`
	LoadBalancerName      string `xml:"LoadBalancerName"`
	Scheme                string `xml:"Scheme"`
	VpcID                 string `xml:"VpcId"`
	State                 struct {
		Code string `xml:"Code"`
	} `xml:"State"`
	Type              string `xml:"Type"`
	AvailabilityZones []struct {
		ZoneName string `xml:"ZoneName"`
		SubnetID string `xml:"SubnetId"`
	} `xml:"AvailabilityZones>member"`
	IPAddressType string `xml:"IpAddressType"`
}

func (s *Sim) elbv2LBs(c *call) []*LoadBalancer {
	_, r := s.scope(c)
	var out []*LoadBalancer
	if r != nil {
		for i := range r.LoadBalancers {
			out = append(out, &r.LoadBalancers[i])
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (s *Sim) elbv2DescribeLoadBalancers(c *call) (any, *apiError) {
	lbs := s.elbv2LBs(c)
	arns, names := listParam(c.r.Form, "LoadBalancerArns.member"), listParam(c.r.Form, "Names.member")
	var matched []*LoadBalancer
	var keys []string
	for _, lb := range lbs {
		if (len(arns) > 0 && !contains(arns, s.lbARN(c, lb))) || (len(names) > 0 && !contains(names, lb.Name)) {
			continue
		}
		matched = append(matched, lb)
		keys = append(keys, lb.Name)
	}
	for _, n := range names {
		if !containsFunc(matched, func(lb *LoadBalancer) bool { return lb.Name == n }) {
			return nil, errorf(http.StatusBadRequest, "LoadBalancerNotFound", "One or more load balancers not found")
		}
	}
	if len(arns) > 0 && len(matched) != len(arns) {
		return nil, errorf(http.StatusBadRequest, "LoadBalancerNotFound", "One or more load balancers not found")
	}
	start, end, next, err := markerPage(c, keys, 400)
	if err != nil {
		return nil, err
	}
	type result struct {
		LoadBalancers []elbLB `xml:"LoadBalancers>member"`
		NextMarker    string  `xml:"NextMarker,omitempty"`
	}
	out := result{LoadBalancers: []elbLB{}, NextMarker: next}
	now := s.now()
	for _, lb := range matched[start:end] {
		x := elbLB{
			LoadBalancerArn: s.lbARN(c, lb), LoadBalancerName: lb.Name, Scheme: lb.Scheme, Type: lb.Type,
			DNSName:               lb.Name + "-" + stableHex(10, "dns", lb.Name) + "." + c.region + ".elb.amazonaws.com",
			CanonicalHostedZoneID: "Z35SXDOTRQ7X7K", CreatedTime: elbTime(orDefault(lb.Created, lb.Created.At(now), now)),
			VpcID: "vpc-" + stableHex(17, "vpc", c.account, c.region), IPAddressType: "ipv4",
		}
		x.State.Code = lb.State
		for _, z := range []string{"a", "b"} {
			x.AvailabilityZones = append(x.AvailabilityZones, struct {
				ZoneName string `xml:"ZoneName"`
				SubnetID string `xml:"SubnetId"`
			}{c.region + z, "subnet-" + stableHex(17, "subnet", lb.Name, z)})
		}
		out.LoadBalancers = append(out.LoadBalancers, x)
	}
	return queryResult{out}, nil
}

// findLB resolves a LoadBalancerArn parameter.
func (s *Sim) findLB(c *call, arn string) (*LoadBalancer, *apiError) {
	for _, lb := range s.elbv2LBs(c) {
		if s.lbARN(c, lb) == arn {
			return lb, nil
		}
	}
	return nil, errorf(http.StatusBadRequest, "LoadBalancerNotFound", "Load balancer '%s' not found", arn)
}

func (s *Sim) elbv2DescribeTargetGroups(c *call) (any, *apiError) {
	lbs := s.elbv2LBs(c)
	if arn := c.r.Form.Get("LoadBalancerArn"); arn != "" {
		lb, err := s.findLB(c, arn)
		if err != nil {
			return nil, err
		}
		lbs = []*LoadBalancer{lb}
	}
	type tgRow struct {
		lb *LoadBalancer
		tg *TargetGroup
	}
	var rows []tgRow
	for _, lb := range lbs {
		for i := range lb.TargetGroups {
			rows = append(rows, tgRow{lb, &lb.TargetGroups[i]})
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].tg.Name < rows[j].tg.Name })
	keys := make([]string, len(rows))
	for i, rw := range rows {
		keys[i] = rw.tg.Name
	}
	start, end, next, err := markerPage(c, keys, 400)
	if err != nil {
		return nil, err
	}
	type tg struct {
		TargetGroupArn   string   `xml:"TargetGroupArn"`
		TargetGroupName  string   `xml:"TargetGroupName"`
		Protocol         string   `xml:"Protocol,omitempty"`
		Port             int32    `xml:"Port,omitempty"`
		VpcID            string   `xml:"VpcId,omitempty"`
		HealthCheckOn    bool     `xml:"HealthCheckEnabled"`
		TargetType       string   `xml:"TargetType"`
		LoadBalancerArns []string `xml:"LoadBalancerArns>member"`
	}
	type result struct {
		TargetGroups []tg   `xml:"TargetGroups>member"`
		NextMarker   string `xml:"NextMarker,omitempty"`
	}
	out := result{TargetGroups: []tg{}, NextMarker: next}
	for _, rw := range rows[start:end] {
		x := tg{
			TargetGroupArn: s.tgARN(c, rw.tg), TargetGroupName: rw.tg.Name, TargetType: rw.tg.TargetType,
			HealthCheckOn: healthChecksOn(rw.tg), LoadBalancerArns: []string{s.lbARN(c, rw.lb)},
		}
		// A lambda target group has no protocol, port or VPC.
		if rw.tg.TargetType != "lambda" {
			x.Protocol, x.Port, x.VpcID = listenerProtocol(rw.lb.Type), rw.tg.Port, "vpc-"+stableHex(17, "vpc", c.account, c.region)
		}
		out.TargetGroups = append(out.TargetGroups, x)
	}
	return queryResult{out}, nil
}

// healthChecksOn is the group's HealthCheckEnabled: always true except for
// a lambda group, where it is off by default, i.e. unless one of its
// targets is reported with a health check state.
func healthChecksOn(tg *TargetGroup) bool {
	if tg.TargetType != "lambda" {
		return true
	}
	for _, t := range tg.Targets {
		if t.Reason == "Target.HealthCheckDisabled" {
			return false
		}
	}
	return len(tg.Targets) > 0
}

func listenerProtocol(typ string) string {
	switch typ {
	case "network":
		return "TCP"
	case "gateway":
		return "GENEVE"
	}
	return "HTTP"
}

// targetDescriptions are the Description AWS gives with each reason code
// (TargetHealth data type; "If the state is healthy, a description is not
// provided").
var targetDescriptions = map[string]string{
	"Elb.RegistrationInProgress":      "Target registration is in progress",
	"Elb.InitialHealthChecking":       "Initial health checks in progress",
	"Target.FailedHealthChecks":       "Health checks failed",
	"Target.ResponseCodeMismatch":     "Health checks failed with these codes: [502]",
	"Target.Timeout":                  "Request timed out",
	"Elb.InternalError":               "Health checks failed due to an internal error",
	"Target.NotInUse":                 "Target group is not configured to receive traffic from the load balancer",
	"Target.NotRegistered":            "Target is not registered to the target group",
	"Target.InvalidState":             "Target is in the stopped state",
	"Target.IpUnusable":               "The target IP address is reserved for use by a load balancer",
	"Target.DeregistrationInProgress": "Target deregistration is in progress",
	"Target.HealthCheckDisabled":      "Health checks disabled",
}

func (s *Sim) elbv2DescribeTargetHealth(c *call) (any, *apiError) {
	arn := c.r.Form.Get("TargetGroupArn")
	if arn == "" {
		return nil, validationError("1 validation error detected: Value null at 'targetGroupArn' failed to satisfy constraint: Member must not be null")
	}
	var group *TargetGroup
	for _, lb := range s.elbv2LBs(c) {
		for i := range lb.TargetGroups {
			if s.tgARN(c, &lb.TargetGroups[i]) == arn {
				group = &lb.TargetGroups[i]
			}
		}
	}
	if group == nil {
		return nil, errorf(http.StatusBadRequest, "TargetGroupNotFound", "Target groups '%s' not found", arn)
	}
	type desc struct {
		Target struct {
			ID   string `xml:"Id"`
			Port int32  `xml:"Port,omitempty"`
		} `xml:"Target"`
		HealthCheckPort string `xml:"HealthCheckPort,omitempty"`
		TargetHealth    struct {
			State       string `xml:"State"`
			Reason      string `xml:"Reason,omitempty"`
			Description string `xml:"Description,omitempty"`
		} `xml:"TargetHealth"`
	}
	type result struct {
		TargetHealthDescriptions []desc `xml:"TargetHealthDescriptions>member"`
	}
	out := result{TargetHealthDescriptions: []desc{}}
	for _, t := range group.Targets {
		var d desc
		d.Target.ID, d.Target.Port = t.ID, t.Port
		if t.Port != 0 {
			d.HealthCheckPort = strconv.Itoa(int(t.Port))
		}
		// Reason is the estate's (defaulted by Load from the codes the
		// TargetHealth data type documents); a healthy target has none.
		d.TargetHealth.State, d.TargetHealth.Reason = t.Health, t.Reason
		d.TargetHealth.Description = targetDescriptions[t.Reason]
		out.TargetHealthDescriptions = append(out.TargetHealthDescriptions, d)
	}
	return queryResult{out}, nil
}

func (s *Sim) elbv2DescribeListeners(c *call) (any, *apiError) {
	arn := c.r.Form.Get("LoadBalancerArn")
	if arn == "" {
		return nil, validationError("You must specify either listener ARNs or a load balancer ARN")
	}
	lb, apiErr := s.findLB(c, arn)
	if apiErr != nil {
		return nil, apiErr
	}
	keys := make([]string, len(lb.Listeners))
	for i := range lb.Listeners {
		keys[i] = strconv.Itoa(100000 + i)
	}
	start, end, next, apiErr := markerPage(c, keys, 400)
	if apiErr != nil {
		return nil, apiErr
	}
	type listener struct {
		ListenerArn     string      `xml:"ListenerArn"`
		LoadBalancerArn string      `xml:"LoadBalancerArn"`
		Port            int32       `xml:"Port"`
		Protocol        string      `xml:"Protocol"`
		DefaultActions  []elbAction `xml:"DefaultActions>member"`
	}
	type result struct {
		Listeners  []listener `xml:"Listeners>member"`
		NextMarker string     `xml:"NextMarker,omitempty"`
	}
	out := result{Listeners: []listener{}, NextMarker: next}
	lbArn := s.lbARN(c, lb)
	for i := start; i < end; i++ {
		l := lb.Listeners[i]
		out.Listeners = append(out.Listeners, listener{
			ListenerArn:     "arn:aws:elasticloadbalancing:" + c.region + ":" + c.account + ":listener/" + lbDimension(c.account, c.region, lb) + "/" + stableHex(16, "l", lbArn, strconv.Itoa(i)),
			LoadBalancerArn: lbArn, Port: l.Port, Protocol: l.Protocol, DefaultActions: s.elbActions(c, lb, l.DefaultActions),
		})
	}
	return queryResult{out}, nil
}

// elbAction is the Action data type as DescribeListeners returns it: a
// forward names its target group both in TargetGroupArn and in
// ForwardConfig (weight 1), a redirect carries its RedirectConfig and a
// fixed response its FixedResponseConfig
// (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Action.html).
type elbAction struct {
	Type                string                  `xml:"Type"`
	Order               int                     `xml:"Order"`
	TargetGroupArn      string                  `xml:"TargetGroupArn,omitempty"`
	ForwardConfig       *elbForwardConfig       `xml:"ForwardConfig,omitempty"`
	RedirectConfig      *elbRedirectConfig      `xml:"RedirectConfig,omitempty"`
	FixedResponseConfig *elbFixedResponseConfig `xml:"FixedResponseConfig,omitempty"`
}

type elbForwardConfig struct {
	TargetGroups []elbTargetGroupTuple `xml:"TargetGroups>member"`
	Stickiness   struct {
		Enabled bool `xml:"Enabled"`
	} `xml:"TargetGroupStickinessConfig"`
}

type elbTargetGroupTuple struct {
	TargetGroupArn string `xml:"TargetGroupArn"`
	Weight         int    `xml:"Weight"`
}

type elbRedirectConfig struct {
	Protocol   string `xml:"Protocol"`
	Port       string `xml:"Port"`
	Host       string `xml:"Host"`
	Path       string `xml:"Path"`
	Query      string `xml:"Query"`
	StatusCode string `xml:"StatusCode"`
}

type elbFixedResponseConfig struct {
	MessageBody string `xml:"MessageBody,omitempty"`
	StatusCode  string `xml:"StatusCode"`
	ContentType string `xml:"ContentType,omitempty"`
}

func (s *Sim) elbActions(c *call, lb *LoadBalancer, actions []ListenerAction) []elbAction {
	out := make([]elbAction, 0, len(actions))
	for i, a := range actions {
		x := elbAction{Type: a.Type, Order: i + 1}
		switch a.Type {
		case "forward":
			for j := range lb.TargetGroups {
				if lb.TargetGroups[j].Name == a.TargetGroup {
					x.TargetGroupArn = s.tgARN(c, &lb.TargetGroups[j])
					x.ForwardConfig = &elbForwardConfig{TargetGroups: []elbTargetGroupTuple{{x.TargetGroupArn, 1}}}
				}
			}
		case "redirect":
			x.RedirectConfig = &elbRedirectConfig{a.Protocol, a.Port, a.Host, a.Path, a.Query, a.StatusCode}
		case "fixed-response":
			x.FixedResponseConfig = &elbFixedResponseConfig{a.MessageBody, a.StatusCode, a.ContentType}
		}
		out = append(out, x)
	}
	return out
}

// ELB Classic

func (s *Sim) classicLBs(c *call) []*ClassicLoadBalancer {
	_, r := s.scope(c)
	var out []*ClassicLoadBalancer
	if r != nil {
		for i := range r.ClassicLoadBalancers {
			out = append(out, &r.ClassicLoadBalancers[i])
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (s *Sim) elbDescribeLoadBalancers(c *call) (any, *apiError) {
	names := listParam(c.r.Form, "LoadBalancerNames.member")
	var matched []*ClassicLoadBalancer
	var keys []string
	for _, lb := range s.classicLBs(c) {
		if len(names) > 0 && !contains(names, lb.Name) {
			continue
		}
		matched = append(matched, lb)
		keys = append(keys, lb.Name)
	}
	if len(names) > 0 && len(matched) != len(names) {
		return nil, errorf(http.StatusBadRequest, "LoadBalancerNotFound", "There is no ACTIVE Load Balancer named '%s'", names[0])
	}
	start, end, next, err := markerPage(c, keys, 400)
	if err != nil {
		return nil, err
	}
	type instance struct {
		InstanceID string `xml:"InstanceId"`
	}
	type desc struct {
		LoadBalancerName          string     `xml:"LoadBalancerName"`
		DNSName                   string     `xml:"DNSName"`
		CanonicalHostedZoneNameID string     `xml:"CanonicalHostedZoneNameID"`
		CreatedTime               string     `xml:"CreatedTime"`
		Scheme                    string     `xml:"Scheme"`
		Instances                 []instance `xml:"Instances>member"`
		AvailabilityZones         []string   `xml:"AvailabilityZones>member"`
		VPCId                     string     `xml:"VPCId"`
	}
	type result struct {
		LoadBalancerDescriptions []desc `xml:"LoadBalancerDescriptions>member"`
		NextMarker               string `xml:"NextMarker,omitempty"`
	}
	out := result{LoadBalancerDescriptions: []desc{}, NextMarker: next}
	now := s.now()
	for _, lb := range matched[start:end] {
		d := desc{
			LoadBalancerName: lb.Name, DNSName: lb.Name + "-" + stableHex(10, "dns", lb.Name) + "." + c.region + ".elb.amazonaws.com",
			CanonicalHostedZoneNameID: "Z35SXDOTRQ7X7K", CreatedTime: elbTime(orDefault(lb.Created, lb.Created.At(now), now)),
			Scheme: lb.Scheme, AvailabilityZones: []string{c.region + "a"}, VPCId: "vpc-" + stableHex(17, "vpc", c.account, c.region),
		}
		for _, in := range lb.Instances {
			d.Instances = append(d.Instances, instance{in.ID})
		}
		out.LoadBalancerDescriptions = append(out.LoadBalancerDescriptions, d)
	}
	return queryResult{out}, nil
}

func (s *Sim) elbDescribeInstanceHealth(c *call) (any, *apiError) {
	name := c.r.Form.Get("LoadBalancerName")
	var lb *ClassicLoadBalancer
	for _, l := range s.classicLBs(c) {
		if l.Name == name {
			lb = l
		}
	}
	if lb == nil {
		return nil, errorf(http.StatusBadRequest, "LoadBalancerNotFound", "There is no ACTIVE Load Balancer named '%s'", name)
	}
	want := listParam(c.r.Form, "Instances.member")
	type state struct {
		InstanceID  string `xml:"InstanceId"`
		State       string `xml:"State"`
		ReasonCode  string `xml:"ReasonCode"`
		Description string `xml:"Description"`
	}
	type result struct {
		InstanceStates []state `xml:"InstanceStates>member"`
	}
	out := result{InstanceStates: []state{}}
	for _, in := range lb.Instances {
		if len(want) > 0 && !contains(want, in.ID) {
			continue
		}
		st := state{InstanceID: in.ID, State: in.State, ReasonCode: "N/A", Description: "N/A"}
		if in.State == "OutOfService" {
			st.ReasonCode, st.Description = "Instance", "Instance has failed at least the UnhealthyThreshold number of health checks consecutively."
		}
		out.InstanceStates = append(out.InstanceStates, st)
	}
	return queryResult{out}, nil
}

// Tags. ELBv2's DescribeTags takes up to 20 ResourceArns (load balancers
// or target groups) and Classic ELB's up to 20 LoadBalancerNames; both
// answer TagDescriptions>member with the resource and its Tags>member
// Key/Value
// (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTags.html,
// https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_DescribeTags.html).

type elbTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value,omitempty"`
}

func elbTags(m map[string]string) []elbTag {
	out := []elbTag{}
	for _, k := range sortedKeys(m) {
		out = append(out, elbTag{k, m[k]})
	}
	return out
}

// maxTagResources is DescribeTags' limit on ResourceArns and
// LoadBalancerNames ("Array Members: Maximum number of 20 items").
const maxTagResources = 20

func tagListLength(field string, n int) *apiError {
	if n < 1 {
		return validationError("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field)
	}
	if n > maxTagResources {
		return validationError("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", field, maxTagResources)
	}
	return nil
}

func (s *Sim) elbv2DescribeTags(c *call) (any, *apiError) {
	arns := listParam(c.r.Form, "ResourceArns.member")
	if err := tagListLength("resourceArns", len(arns)); err != nil {
		return nil, err
	}
	type desc struct {
		ResourceArn string   `xml:"ResourceArn"`
		Tags        []elbTag `xml:"Tags>member"`
	}
	type result struct {
		TagDescriptions []desc `xml:"TagDescriptions>member"`
	}
	out := result{TagDescriptions: []desc{}}
	lbs := s.elbv2LBs(c)
	for _, arn := range arns {
		var tags map[string]string
		found := false
		for _, lb := range lbs {
			if s.lbARN(c, lb) == arn {
				tags, found = lb.Tags, true
				break
			}
			for i := range lb.TargetGroups {
				if s.tgARN(c, &lb.TargetGroups[i]) == arn {
					found = true // target groups carry no tags in the estate
				}
			}
		}
		if !found {
			if strings.Contains(arn, ":targetgroup/") {
				return nil, errorf(http.StatusBadRequest, "TargetGroupNotFound", "Target groups '%s' not found", arn)
			}
			return nil, errorf(http.StatusBadRequest, "LoadBalancerNotFound", "Load balancers '%s' not found", arn)
		}
		out.TagDescriptions = append(out.TagDescriptions, desc{ResourceArn: arn, Tags: elbTags(tags)})
	}
	return queryResult{out}, nil
}

func (s *Sim) elbDescribeTags(c *call) (any, *apiError) {
	names := listParam(c.r.Form, "LoadBalancerNames.member")
	if err := tagListLength("loadBalancerNames", len(names)); err != nil {
		return nil, err
	}
	type desc struct {
		LoadBalancerName string   `xml:"LoadBalancerName"`
		Tags             []elbTag `xml:"Tags>member"`
	}
	type result struct {
		TagDescriptions []desc `xml:"TagDescriptions>member"`
	}
	out := result{TagDescriptions: []desc{}}
	lbs := s.classicLBs(c)
	for _, name := range names {
		i := slices.IndexFunc(lbs, func(lb *ClassicLoadBalancer) bool { return lb.Name == name })
		if i < 0 {
			return nil, errorf(http.StatusBadRequest, "LoadBalancerNotFound", "There is no ACTIVE Load Balancer named '%s'", name)
		}
		out.TagDescriptions = append(out.TagDescriptions, desc{LoadBalancerName: name, Tags: elbTags(lbs[i].Tags)})
	}
	return queryResult{out}, nil
}
