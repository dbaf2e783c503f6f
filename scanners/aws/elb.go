package aws

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// Attribute keys of aws.elb.load_balancer and aws.elb.classic_load_balancer
// resources. Counts are decimal strings and are present even when zero;
// a count is absent only when the call behind it failed (with a gap).
const (
	AttrLBType    = "type" // application | network | gateway
	AttrScheme    = "scheme"
	AttrARN       = "arn"
	AttrListeners = "listeners"
	// AttrListenerActions lists the distinct types of the listeners'
	// default actions (Action.Type: forward, redirect, fixed-response,
	// authenticate-oidc, authenticate-cognito), sorted and comma-separated;
	// absent when there is no listener (listeners is then 0) or
	// DescribeListeners failed (listeners is then absent too). An ALB whose
	// listeners redirect or return fixed responses serves requests without
	// any target.
	AttrListenerActions = "listener_actions"
	AttrTargetGroups    = "target_groups"
	AttrTargets         = "targets"
	// AttrHealthyTargets counts the targets the load balancer routes to:
	// state healthy, and state unavailable with reason
	// Target.HealthCheckDisabled (a group whose health checks are off, the
	// default for a Lambda target group, is served without them).
	AttrHealthyTargets   = "healthy_targets"
	AttrInstances        = "instances"
	AttrHealthyInstances = "healthy_instances" // InService
)

// lbWindowDays is the idle load balancer look-back (research/aws.md §2.3).
const lbWindowDays = 7

// lbMetrics are queried per ELBv2 type, under its namespace with dimension
// LoadBalancer = the ARN suffix app/<name>/<id>. Gateway load balancers
// are not queried: their idle check rests on targets.
//
// An ALB's RequestCount "is only incremented for requests where the load
// balancer node was able to choose a target": the requests a redirect or
// fixed-response action answers are counted in HTTP_Redirect_Count and
// HTTP_Fixed_Response_Count instead
// (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html).
// Both are fetched for every ALB, not only for those whose default
// actions redirect or answer: listener rules (DescribeRules, one call per
// listener) can do the same, and two more queries in the same
// GetMetricData calls cost less than those calls.
//
// Elastic Load Balancing reports its metrics only while requests flow: a
// day without traffic has no datapoint rather than a 0, so an ELB
// metric's Points counts its days with traffic, and a missing day (once
// the call itself succeeded) means no traffic that day.
var lbMetrics = map[elbv2types.LoadBalancerTypeEnum]struct {
	namespace string
	specs     []metricSpec
}{
	elbv2types.LoadBalancerTypeEnumApplication: {"AWS/ApplicationELB", []metricSpec{{"RequestCount", "Sum", "Count"}, {"ProcessedBytes", "Sum", "Bytes"},
		{"HTTP_Redirect_Count", "Sum", "Count"}, {"HTTP_Fixed_Response_Count", "Sum", "Count"}}},
	elbv2types.LoadBalancerTypeEnumNetwork: {"AWS/NetworkELB", []metricSpec{{"NewFlowCount", "Sum", "Count"}, {"ProcessedBytes", "Sum", "Bytes"}}},
}

// loadBalancers lists ELBv2 load balancers with their tags, listeners,
// target groups and registered targets' health.
//
// aws.elb.load_balancer (ID = name): type, scheme, state, arn, listeners,
// listener_actions, target_groups, targets, healthy_targets; Tags from DescribeTags (20 per
// call); Created = CreatedTime; metrics lbMetrics over lbWindowDays.
func (sc *scope) loadBalancers(ctx context.Context) error {
	p := elasticloadbalancingv2.NewDescribeLoadBalancersPaginator(sc.elbv2, &elasticloadbalancingv2.DescribeLoadBalancersInput{PageSize: sc.pageSizeIn(1, 400)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("elbv2 DescribeLoadBalancers %s: %w", sc.region, err)
		}
		lbs := page.LoadBalancers
		arns := make([]string, len(lbs))
		for i, lb := range lbs {
			arns[i] = aws.ToString(lb.LoadBalancerArn)
		}
		// The tags are fetched while the load balancers' own calls run.
		tags := sc.lbTags(ctx, arns, "", func(batch []string) (map[string]map[string]string, error) {
			out, err := sc.elbv2.DescribeTags(ctx, &elasticloadbalancingv2.DescribeTagsInput{ResourceArns: batch})
			if err != nil {
				return nil, fmt.Errorf("elbv2 DescribeTags %s: %w", sc.region, err)
			}
			m := map[string]map[string]string{}
			for _, d := range out.TagDescriptions {
				m[aws.ToString(d.ResourceArn)] = keyValues(d.Tags, func(t elbv2types.Tag) (*string, *string) { return t.Key, t.Value })
			}
			return m, nil
		})
		each(len(lbs), func(i int) {
			lb := lbs[i]
			arn := aws.ToString(lb.LoadBalancerArn)
			state := ""
			if lb.State != nil {
				state = string(lb.State.Code)
			}
			attrs := map[string]string{
				AttrLBType: string(lb.Type), AttrScheme: string(lb.Scheme), AttrState: state, AttrARN: arn,
			}
			// Listeners and target groups are independent: both at once.
			var listeners, groups, targets, healthy int
			var actions []string
			var lerr, terr error
			each(2, func(j int) {
				if j == 0 {
					listeners, actions, lerr = sc.listenerCount(ctx, arn)
				} else {
					groups, targets, healthy, terr = sc.targetCounts(ctx, arn)
				}
			})
			if lerr != nil {
				sc.gap(ctx, "elasticloadbalancing:DescribeListeners", "", lerr)
			} else {
				attrs[AttrListeners] = strconv.Itoa(listeners)
				attrs[AttrListenerActions] = strings.Join(actions, ",")
			}
			if terr != nil {
				sc.gap(ctx, "elasticloadbalancing:DescribeTargetGroups", "", terr)
				if groups >= 0 {
					attrs[AttrTargetGroups] = strconv.Itoa(groups)
				}
			} else {
				attrs[AttrTargetGroups] = strconv.Itoa(groups)
				attrs[AttrTargets] = strconv.Itoa(targets)
				attrs[AttrHealthyTargets] = strconv.Itoa(healthy)
			}
			if ctx.Err() != nil {
				return
			}
			name := aws.ToString(lb.LoadBalancerName)
			r := scanners.Resource{
				Kind: KindLoadBalancer, ID: name, Name: name, State: state, Tags: tags()[arn],
				Created: timePtr(lb.CreatedTime), Attributes: clean(attrs),
			}
			m, ok := lbMetrics[lb.Type]
			_, suffix, found := strings.Cut(arn, ":loadbalancer/")
			if !ok || !found {
				sc.emit(r)
				return
			}
			sc.withMetrics(r, m.namespace, "LoadBalancer", suffix, lbWindowDays, m.specs...)
		})
		tags() // never leave the tag calls running behind the scope
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}

// listenerCount returns the load balancer's listeners and the distinct
// types of their default actions, sorted (see AttrListenerActions).
func (sc *scope) listenerCount(ctx context.Context, arn string) (int, []string, error) {
	n := 0
	var types []string
	p := elasticloadbalancingv2.NewDescribeListenersPaginator(sc.elbv2, &elasticloadbalancingv2.DescribeListenersInput{
		LoadBalancerArn: aws.String(arn), PageSize: sc.pageSizeIn(1, 400),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, nil, fmt.Errorf("elbv2 DescribeListeners %s: %w", arn, err)
		}
		n += len(page.Listeners)
		for _, l := range page.Listeners {
			for _, a := range l.DefaultActions {
				if t := string(a.Type); t != "" && !slices.Contains(types, t) {
					types = append(types, t)
				}
			}
		}
	}
	slices.Sort(types)
	return n, types, nil
}

// targetCounts returns the load balancer's target groups, registered
// targets and serving targets (see serving). When only DescribeTargetHealth fails,
// groups is still known; when DescribeTargetGroups fails it is -1.
func (sc *scope) targetCounts(ctx context.Context, arn string) (groups, targets, healthy int, err error) {
	var tgs []string
	p := elasticloadbalancingv2.NewDescribeTargetGroupsPaginator(sc.elbv2, &elasticloadbalancingv2.DescribeTargetGroupsInput{
		LoadBalancerArn: aws.String(arn), PageSize: sc.pageSizeIn(1, 400),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return -1, 0, 0, fmt.Errorf("elbv2 DescribeTargetGroups %s: %w", arn, err)
		}
		for _, tg := range page.TargetGroups {
			tgs = append(tgs, aws.ToString(tg.TargetGroupArn))
		}
	}
	// One DescribeTargetHealth per group, all at once; the first error
	// (in group order) is reported.
	errs := make([]error, len(tgs))
	var mu sync.Mutex
	each(len(tgs), func(i int) {
		out, err := sc.elbv2.DescribeTargetHealth(ctx, &elasticloadbalancingv2.DescribeTargetHealthInput{TargetGroupArn: aws.String(tgs[i])})
		if err != nil {
			errs[i] = fmt.Errorf("elbv2 DescribeTargetHealth %s: %w", tgs[i], err)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		for _, d := range out.TargetHealthDescriptions {
			targets++
			if serving(d.TargetHealth) {
				healthy++
			}
		}
	})
	for _, err := range errs {
		if err != nil {
			return len(tgs), 0, 0, err
		}
	}
	return len(tgs), targets, healthy, nil
}

// serving reports whether the load balancer routes requests to a target
// in this health: a healthy one, or one whose group has health checks
// disabled (state unavailable, reason Target.HealthCheckDisabled; a Lambda
// target group's health checks are off by default).
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html
func serving(h *elbv2types.TargetHealth) bool {
	if h == nil {
		return false
	}
	return h.State == elbv2types.TargetHealthStateEnumHealthy ||
		h.State == elbv2types.TargetHealthStateEnumUnavailable && h.Reason == elbv2types.TargetHealthReasonEnumHealthCheckDisabled
}

// classicLoadBalancers lists Classic Load Balancers with their tags and
// their instances' health.
//
// aws.elb.classic_load_balancer (ID = name): scheme, instances,
// healthy_instances (InService); Tags from DescribeTags (20 per call);
// Created = CreatedTime; metric
// RequestCount Sum over lbWindowDays (AWS/ELB, LoadBalancerName).
func (sc *scope) classicLoadBalancers(ctx context.Context) error {
	p := elasticloadbalancing.NewDescribeLoadBalancersPaginator(sc.elb, &elasticloadbalancing.DescribeLoadBalancersInput{PageSize: sc.pageSizeIn(1, 400)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("elb DescribeLoadBalancers %s: %w", sc.region, err)
		}
		lbs := page.LoadBalancerDescriptions
		names := make([]string, len(lbs))
		for i, lb := range lbs {
			names[i] = aws.ToString(lb.LoadBalancerName)
		}
		tags := sc.lbTags(ctx, names, " (Classic Load Balancers)", func(batch []string) (map[string]map[string]string, error) {
			out, err := sc.elb.DescribeTags(ctx, &elasticloadbalancing.DescribeTagsInput{LoadBalancerNames: batch})
			if err != nil {
				return nil, fmt.Errorf("elb DescribeTags %s: %w", sc.region, err)
			}
			m := map[string]map[string]string{}
			for _, d := range out.TagDescriptions {
				m[aws.ToString(d.LoadBalancerName)] = keyValues(d.Tags, func(t elbtypes.Tag) (*string, *string) { return t.Key, t.Value })
			}
			return m, nil
		})
		each(len(lbs), func(i int) {
			lb := lbs[i]
			name := aws.ToString(lb.LoadBalancerName)
			attrs := map[string]string{AttrScheme: aws.ToString(lb.Scheme), AttrInstances: strconv.Itoa(len(lb.Instances))}
			out, err := sc.elb.DescribeInstanceHealth(ctx, &elasticloadbalancing.DescribeInstanceHealthInput{LoadBalancerName: aws.String(name)})
			if err != nil {
				sc.gap(ctx, "elasticloadbalancing:DescribeInstanceHealth", " (Classic Load Balancers)", err)
			} else {
				healthy := 0
				for _, st := range out.InstanceStates {
					if aws.ToString(st.State) == "InService" {
						healthy++
					}
				}
				attrs[AttrHealthyInstances] = strconv.Itoa(healthy)
			}
			if ctx.Err() != nil {
				return
			}
			r := scanners.Resource{Kind: KindClassicLB, ID: name, Name: name, Tags: tags()[name], Created: timePtr(lb.CreatedTime), Attributes: clean(attrs)}
			sc.withMetrics(r, "AWS/ELB", "LoadBalancerName", name, lbWindowDays, metricSpec{"RequestCount", "Sum", "Count"})
		})
		tags()
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}

// maxTagResources is DescribeTags' limit, for ELBv2 (ResourceArns) and
// Classic ELB (LoadBalancerNames) alike: 20 per call.
const maxTagResources = 20

// lbTags starts fetching the tags of one page of load balancers (ARNs or
// names) with describe, maxTagResources at a time, the batches at once,
// and returns a function that waits for them. A failed batch is one
// elasticloadbalancing:DescribeTags gap for the scope; its load
// balancers are emitted without tags.
func (sc *scope) lbTags(ctx context.Context, ids []string, scopeSuffix string, describe func([]string) (map[string]map[string]string, error)) func() map[string]map[string]string {
	done := make(chan struct{})
	var out map[string]map[string]string
	go func() {
		defer close(done)
		out = sc.fetchLBTags(ctx, ids, scopeSuffix, describe)
	}()
	return func() map[string]map[string]string {
		<-done
		return out
	}
}

func (sc *scope) fetchLBTags(ctx context.Context, ids []string, scopeSuffix string, describe func([]string) (map[string]map[string]string, error)) map[string]map[string]string {
	var batches [][]string
	for len(ids) > 0 {
		n := min(len(ids), maxTagResources)
		batches = append(batches, ids[:n])
		ids = ids[n:]
	}
	out := map[string]map[string]string{}
	var mu sync.Mutex
	each(len(batches), func(i int) {
		m, err := describe(batches[i])
		if err != nil {
			sc.gap(ctx, "elasticloadbalancing:DescribeTags", scopeSuffix, err)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		for k, v := range m {
			out[k] = v
		}
	})
	return out
}
