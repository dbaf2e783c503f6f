package findings

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// natMetrics are the NAT gateway byte counters: any traffic through the
// gateway shows in one of them (AWS/NATGateway).
var natMetrics = []string{"BytesOutToDestination", "BytesInFromSource", "BytesInFromDestination", "BytesOutToSource"}

// ruleNATIdle flags NAT gateways that moved no traffic for the whole lookback.
var ruleNATIdle = Rule{
	ID:          "aws.nat.idle",
	Category:    CategoryIdleInfrastructure,
	Title:       "Idle NAT gateway",
	Description: "An available NAT gateway whose byte counters (BytesOutToDestination, BytesInFromSource, BytesInFromDestination, BytesOutToSource) add up to at most `max_bytes` over each of the last `lookback_days` days (Trusted Advisor uses 30 days of no traffic; Thrifty 5, aws-doctor 7: the longer window avoids flagging monthly batch paths). Gateways younger than the lookback, or without metrics, are skipped. Saving: the hourly NAT gateway price × 730; its Elastic IP, once released, also stops costing $3.65/month (not counted here). Delete it after checking route tables.",
	Confidence:  High, Effort: Medium, Risk: Medium,
	Params: []Param{
		lookbackParam("30", awsNATWindowDays, "natWindowDays", "days that must all be without traffic"),
		{Name: "max_bytes", Default: "0", Description: "most bytes a day that still counts as no traffic"},
	},
	Eval: func(inv *scanners.Inventory, rc *RuleContext) []Finding {
		days := rc.IntParam("lookback_days")
		maxBytes := floatParam(rc, "max_bytes")
		var out []Finding
		for i := range inv.Resources {
			r := &inv.Resources[i]
			if r.Kind != kindAWSNatGateway || r.State != "available" || youngerThan(r, rc.Now, days) {
				continue
			}
			// Every day must have a datapoint. Unlike the ELB counters
			// (lbQuiet), it is not confirmed that AWS/NATGateway publishes
			// nothing on a day without traffic rather than a 0, so a missing
			// day is not read as an idle one here.
			total := make([]float64, days)
			hasAll := true
			for _, name := range natMetrics {
				m, ok := r.Metric(name, "Sum")
				if !ok || !complete(m, days) {
					hasAll = false
					break
				}
				for d := 0; d < days; d++ {
					total[d] += m.Daily[len(m.Daily)-days+d]
				}
			}
			if !hasAll {
				continue
			}
			idle := true
			for _, v := range total {
				idle = idle && v <= maxBytes
			}
			if !idle {
				continue
			}
			f := resourceFinding(r, fmt.Sprintf("NAT gateway %s moved no traffic in %d days", r.ID, days),
				fmt.Sprintf("Check the route tables that point at it, then: aws ec2 delete-nat-gateway --nat-gateway-id %s --region %s; release its Elastic IP", r.ID, r.Region))
			f.Evidence = []Evidence{{"state", "available"}, {"daily_bytes", fmtDaily(total, "bytes")}, {"lookback_days", fmt.Sprint(days)}}
			if c, ok := r.Metric("ActiveConnectionCount", "Maximum"); ok {
				f.Evidence = append(f.Evidence, Evidence{"max_active_connections", fmt.Sprintf("%.0f", c.Value)})
			}
			b := newBill(rc, r.Provider, r.Region)
			b.add("natgw.hour", decimal.NewFromInt(1), "NAT gateway, 730 h")
			price(&f, b, func(cost decimal.Decimal) decimal.Decimal { return cost })
			out = append(out, f)
		}
		return out
	},
}

// lbItem is the price item of a load balancer type.
var lbItem = map[string]string{"application": "elb.alb.hour", "network": "elb.nlb.hour", "gateway": "elb.gwlb.hour"}

// lbTrafficMetrics are the counters whose daily total measures a load
// balancer's use. An ALB's RequestCount "is only incremented for requests
// where the load balancer node was able to choose a target"; the requests
// its redirect and fixed-response actions answer are in
// HTTP_Redirect_Count and HTTP_Fixed_Response_Count
// (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html).
var lbTrafficMetrics = map[string][]string{
	"application": {"RequestCount", "HTTP_Redirect_Count", "HTTP_Fixed_Response_Count"},
	"network":     {"NewFlowCount"},
}

// lbTrafficLabel names the traffic total in the evidence.
var lbTrafficLabel = map[string]string{"application": "daily_requests", "network": "daily_newflowcount"}

// lbAnswerMetrics count the requests an ALB answers itself, without a target.
var lbAnswerMetrics = []string{"HTTP_Redirect_Count", "HTTP_Fixed_Response_Count"}

// lbBilledStates are the LoadBalancerState codes of a running, billed load
// balancer: active, and active_impaired ("If load balancer is routing
// traffic but does not have the resources it needs to scale, its state is
// active_impaired"), which runs, and is billed by the hour, like active
// (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_LoadBalancerState.html).
var lbBilledStates = map[string]bool{"active": true, "active_impaired": true}

// lbAnswers returns the ALB listener default action types that answer
// requests without a target (redirect, fixed-response).
func lbAnswers(r *scanners.Resource, typ string) []string {
	if typ != "application" {
		return nil
	}
	var out []string
	for _, a := range strings.Split(r.Attr("listener_actions"), ",") {
		if a == "redirect" || a == "fixed-response" {
			out = append(out, a)
		}
	}
	return out
}

// ruleELBIdle flags ALBs, NLBs and GWLBs with nothing behind them or
// almost no traffic.
var ruleELBIdle = Rule{
	ID:          "aws.elb.idle",
	Category:    CategoryIdleInfrastructure,
	Title:       "Idle load balancer (ALB, NLB, GWLB)",
	Description: "An active (or active_impaired, which runs and is billed alike) load balancer with no registered target (confidence high), a Gateway Load Balancer with no healthy target (confidence high), or an ALB or NLB with fewer than `max_daily_requests` requests or new flows on each of the last `lookback_days` days (confidence medium). ALB traffic is RequestCount + HTTP_Redirect_Count + HTTP_Fixed_Response_Count: RequestCount leaves out the requests the load balancer answers itself, so an ALB whose listeners' default actions redirect (HTTP to HTTPS) or return a fixed response is judged by its traffic, never as having no target. Only the listeners' default actions are read (DescribeListeners), not their rules (DescribeRules, one more call per listener): an ALB with no target whose rules redirect or answer is recognised only by those two counters, and is not reported when they reach `max_daily_requests` on any day. NLB traffic is NewFlowCount. Targets registered but none healthy prove nothing for an ALB or NLB: with only unhealthy targets the load balancer fails open and routes to all of them, so only the traffic check applies (the evidence says so). ELB publishes these counters only on days with traffic, so a day without a datapoint counts as 0 when the load balancer existed before the lookback began (the evidence says how many days were missing); without metrics at all (the CloudWatch call failed) the traffic check is not made. A target count the scanner could not read is unknown, not zero: only the traffic check then applies. Load balancers younger than the lookback are skipped. Saving: the hourly load-balancer price × 730 (LCU charges of an idle balancer are negligible and not counted).",
	Confidence:  Medium, Effort: Low, Risk: Medium,
	Params: []Param{
		lookbackParam("7", awsLBWindowDays, "lbWindowDays", "days of traffic history considered"),
		{Name: "max_daily_requests", Default: "100", Description: "fewest requests or flows a day that count as use"},
	},
	Eval: func(inv *scanners.Inventory, rc *RuleContext) []Finding {
		days := rc.IntParam("lookback_days")
		maxReq := floatParam(rc, "max_daily_requests")
		var out []Finding
		for i := range inv.Resources {
			r := &inv.Resources[i]
			if r.Kind != kindAWSLoadBalancer || !lbBilledStates[r.State] || youngerThan(r, rc.Now, days) {
				continue
			}
			// The counts are absent when the scanner could not read them
			// (a DescribeTargetGroups or DescribeTargetHealth gap): unknown,
			// not zero, so only the traffic check can then apply.
			targets, targetsKnown := r.AttrInt("targets")
			healthy, healthyKnown := r.AttrInt("healthy_targets")
			typ := orDefault(r.Attr("type"), "application")
			answers := lbAnswers(r, typ)
			var why []Evidence
			conf := High
			switch {
			case targetsKnown && targets == 0 && len(answers) == 0:
				// Nothing to route to. Listener rules (not read) may still
				// redirect or answer: their counters then show it.
				if typ == "application" {
					if pts, _, ok := lbTraffic(r, lbAnswerMetrics, days, rc.Now); ok {
						if quiet, _ := allOf(pts, func(v float64) bool { return v < maxReq }); !quiet {
							continue
						}
					}
				}
				why = []Evidence{{"targets", "none registered"}}
			case typ == "gateway" && targetsKnown && healthyKnown && healthy == 0:
				// A Gateway Load Balancer "routes requests to the registered
				// targets that are healthy"; no fail-open is documented for
				// it, and it has no traffic counter here.
				why = []Evidence{{"targets", fmt.Sprintf("%d registered, none healthy", targets)}}
			default:
				metrics, ok := lbTrafficMetrics[typ]
				if !ok {
					continue
				}
				quiet, pts, gaps := lbQuiet(r, metrics, days, maxReq, rc.Now)
				if !quiet {
					continue
				}
				conf = Medium
				var health string
				switch {
				case !targetsKnown || !healthyKnown && targets > 0:
					health = "unknown (target health could not be read)"
				case targets == 0:
					health = "none registered"
				case healthy == 0:
					health = fmt.Sprintf("%d registered, none healthy; with only unhealthy targets the load balancer fails open and routes to all of them, so the traffic decides", targets)
				default:
					health = fmt.Sprintf("%d healthy of %d", healthy, targets)
				}
				why = []Evidence{{"targets", health}}
				if len(answers) > 0 {
					why = append(why, Evidence{"listener_default_actions", strings.Join(answers, ", ") + ": answered without a target, counted in HTTP_Redirect_Count and HTTP_Fixed_Response_Count"})
				}
				why = append(why, Evidence{lbTrafficLabel[typ], fmtDaily(pts, "")})
				why = append(why, missingDays(strings.Join(metrics, " or "), gaps)...)
			}
			f := resourceFinding(r, fmt.Sprintf("Idle %s load balancer %s", typ, r.Name),
				fmt.Sprintf("Confirm no DNS record or client still uses it, then: aws elbv2 delete-load-balancer --load-balancer-arn %s --region %s", r.Attr("arn"), r.Region))
			f.Confidence = conf
			f.Evidence = append([]Evidence{{"type", typ}, {"scheme", r.Attr("scheme")}, {"state", r.State}}, why...)
			b := newBill(rc, r.Provider, r.Region)
			b.add(lbItem[typ], decimal.NewFromInt(1), typ+" load balancer, 730 h")
			price(&f, b, func(cost decimal.Decimal) decimal.Decimal { return cost })
			out = append(out, f)
		}
		return out
	},
}

// missingDays explains, as evidence, that days without a datapoint were
// counted as no traffic.
func missingDays(metric string, gaps int) []Evidence {
	if gaps == 0 {
		return nil
	}
	return []Evidence{{"missing_days", fmt.Sprintf("%d day(s) of the metrics window had no %s datapoint and count as 0: ELB publishes it only when there is traffic", gaps, metric)}}
}

// ruleCLBIdle flags Classic Load Balancers with no healthy instance or
// almost no requests.
var ruleCLBIdle = Rule{
	ID:          "aws.elb.classic_idle",
	Category:    CategoryIdleInfrastructure,
	Title:       "Idle Classic Load Balancer",
	Description: "A Classic Load Balancer with no registered instance, no InService instance (confidence high: unlike an ALB or NLB, a Classic Load Balancer does not fail open, it routes requests only to healthy instances), or fewer than `max_daily_requests` requests on each of the last `lookback_days` days (confidence medium; a day without a RequestCount datapoint counts as 0 when the load balancer existed before the lookback began, since ELB publishes it only when requests flow). An instance health the scanner could not read is unknown, not zero. Load balancers younger than the lookback are skipped. Saving: the hourly Classic Load Balancer price × 730.",
	Confidence:  Medium, Effort: Low, Risk: Medium,
	Params: []Param{
		lookbackParam("7", awsLBWindowDays, "lbWindowDays", "days of traffic history considered"),
		{Name: "max_daily_requests", Default: "100", Description: "fewest requests a day that count as use"},
	},
	Eval: func(inv *scanners.Inventory, rc *RuleContext) []Finding {
		days := rc.IntParam("lookback_days")
		maxReq := floatParam(rc, "max_daily_requests")
		var out []Finding
		for i := range inv.Resources {
			r := &inv.Resources[i]
			if r.Kind != kindAWSClassicLB || youngerThan(r, rc.Now, days) {
				continue
			}
			// healthy_instances is absent when DescribeInstanceHealth
			// failed: unknown, not zero. Unlike an ALB or NLB, a Classic
			// Load Balancer does not fail open: it "routes requests only to
			// the healthy instances"
			// (https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/elb-healthchecks.html),
			// so with none InService it serves nothing.
			instances, instancesKnown := r.AttrInt("instances")
			healthy, healthyKnown := r.AttrInt("healthy_instances")
			var why []Evidence
			conf := High
			switch {
			case instancesKnown && instances == 0:
				why = []Evidence{{"instances", "none registered"}}
			case instancesKnown && healthyKnown && healthy == 0:
				why = []Evidence{{"instances", fmt.Sprintf("%d registered, none InService", instances)}}
			default:
				quiet, pts, gaps := lbQuiet(r, []string{"RequestCount"}, days, maxReq, rc.Now)
				if !quiet {
					continue
				}
				conf = Medium
				health := "unknown (instance health could not be read)"
				if healthyKnown {
					health = fmt.Sprintf("%d InService", healthy)
				}
				why = []Evidence{{"instances", health}, {"daily_requests", fmtDaily(pts, "")}}
				why = append(why, missingDays("RequestCount", gaps)...)
			}
			f := resourceFinding(r, fmt.Sprintf("Idle Classic Load Balancer %s", r.ID),
				fmt.Sprintf("Confirm no DNS record still uses it, then: aws elb delete-load-balancer --load-balancer-name %s --region %s", r.ID, r.Region))
			f.Confidence = conf
			f.Evidence = why
			b := newBill(rc, r.Provider, r.Region)
			b.add("elb.clb.hour", decimal.NewFromInt(1), "Classic Load Balancer, 730 h")
			price(&f, b, func(cost decimal.Decimal) decimal.Decimal { return cost })
			out = append(out, f)
		}
		return out
	},
}
