package findings

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// instanceBill prices an instance's compute: the on-demand Linux hourly
// price of its type × 730. An instance whose usage operation bills a
// licence or another operating system costs more: its estimate is a lower
// bound, and says so (licenceFloor).
func instanceBill(rc *RuleContext, r *scanners.Resource) *bill {
	b := newBill(rc, r.Provider, r.Region)
	instanceCompute(b, r)
	return b
}

// instanceCompute adds an instance's on-demand compute at the Linux rate
// (item ec2.<type>: operation RunInstances, no pre-installed software),
// noting a lower bound on the line and on the bill when the instance's
// usage operation is not plain RunInstances.
func instanceCompute(b *bill, r *scanners.Resource) {
	what := r.Attr("instance_type") + " on-demand, 730 h"
	if n := licenceFloor(r); n != "" {
		what += " (" + n + ")"
		b.note(n)
	}
	b.add("ec2."+r.Attr("instance_type"), decimal.NewFromInt(1), what)
}

// licenceFloor says why the Linux rate understates an instance's compute,
// or returns "" when it does not: UsageOperation is the billing code of
// the AMI, the Price List's "operation" (AWS "AMI billing information
// fields"), and only plain RunInstances is Linux/UNIX with no licence.
// Every other code but the BYOL ones (Windows, SQL Server, RHEL, SUSE, Ubuntu Pro...)
// is priced from the same Linux item, so the cost is a lower bound. An
// instance that reports no usage operation is taken as Linux unless its
// platform is windows.
func licenceFloor(r *scanners.Resource) string {
	op := r.Attr("usage_operation")
	what := r.Attr("platform_details")
	switch {
	case op == "RunInstances":
		return ""
	case op == "" && r.Attr("platform") == "windows":
		return "Linux rate; the Windows licence is not included, so this is a lower bound"
	case op == "" || byolOperations[op]:
		return ""
	case what == "":
		what = usageOperationLabels[op]
	}
	if what == "" {
		what = "usage operation " + op
	} else {
		what += " (" + op + ")"
	}
	return "Linux rate; the " + what + " licence is not included, so this is a lower bound"
}

// byolOperations are the bring-your-own-licence codes of the same table:
// EC2 bills no licence with them, so the Linux rate is not a licence
// floor for them.
var byolOperations = map[string]bool{"RunInstances:0800": true, "RunInstances:00g0": true}

// usageOperationLabels are the platform details of each usage operation in
// AWS's "AMI billing information fields" table
// (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/billing-info-fields.html),
// for instances whose platform details were not reported.
var usageOperationLabels = map[string]string{
	"RunInstances":      "Linux/UNIX",
	"RunInstances:00g0": "Red Hat BYOL Linux",
	"RunInstances:0010": "Red Hat Enterprise Linux",
	"RunInstances:1010": "Red Hat Enterprise Linux with HA",
	"RunInstances:1014": "Red Hat Enterprise Linux with SQL Server Standard and HA",
	"RunInstances:1110": "Red Hat Enterprise Linux with SQL Server Enterprise and HA",
	"RunInstances:0014": "Red Hat Enterprise Linux with SQL Server Standard",
	"RunInstances:0210": "Red Hat Enterprise Linux with SQL Server Web",
	"RunInstances:0110": "Red Hat Enterprise Linux with SQL Server Enterprise",
	"RunInstances:0100": "SQL Server Enterprise",
	"RunInstances:0004": "SQL Server Standard",
	"RunInstances:0200": "SQL Server Web",
	"RunInstances:000g": "SUSE Linux",
	"RunInstances:0g00": "Ubuntu Pro",
	"RunInstances:0002": "Windows",
	"RunInstances:0800": "Windows BYOL",
	"RunInstances:0102": "Windows with SQL Server Enterprise",
	"RunInstances:0006": "Windows with SQL Server Standard",
	"RunInstances:0202": "Windows with SQL Server Web",
}

func floatParam(rc *RuleContext, name string) float64 {
	d, err := decimal.NewFromString(rc.Param(name))
	if err != nil {
		panic(fmt.Sprintf("findings: rule %s parameter %s: %v", rc.rule.ID, name, err))
	}
	f, _ := d.Float64() // a threshold compared with metric values, never money
	return f
}

func fmtDaily(pts []float64, unit string) string {
	parts := make([]string, len(pts))
	for i, v := range pts {
		parts[i] = fmt.Sprintf("%.4g", v)
	}
	return strings.Join(parts, " ") + " " + unit
}

// ruleEC2Idle flags running instances that did nothing for the whole
// lookback: Compute Optimizer's idle definition (peak CPU under 5 % and
// under 5 MB of network a day, every day), stricter than Trusted Advisor's
// "low utilisation" on 4 of 14 days, to avoid flagging quiet but used hosts.
var ruleEC2Idle = Rule{
	ID:          "aws.ec2.idle",
	Category:    CategoryIdleInfrastructure,
	Title:       "Idle EC2 instance",
	Description: "A running instance whose daily maximum CPU stayed at or below `cpu_max_percent` and whose daily network traffic (in + out) stayed at or below `network_max_mb` on every one of the last `lookback_days` days (Compute Optimizer's idle definition; Trusted Advisor's low-utilisation check is looser). Instances younger than the lookback are skipped. Saving: the on-demand Linux price of the type × 730 h; for an instance whose UsageOperation is not plain RunInstances (Windows, SQL Server, RHEL, SUSE, Ubuntu Pro...; not the BYOL codes, whose licence EC2 does not bill) the licence is not included, so the saving is a lower bound and the evidence says so; attached EBS volumes keep costing until deleted. Spot instances (lifecycle spot) are priced at the on-demand rate too, which makes their saving an upper bound: the evidence says so and their confidence is low. The saving contains what aws.ec2.previous_gen would save on the same instance, whose finding then carries none. Stop it, or snapshot and terminate it.",
	Confidence:  Medium, Effort: Low, Risk: Medium,
	Includes: []string{"aws.ec2.previous_gen"},
	Params: []Param{
		lookbackParam("14", awsInstanceWindowDays, "instanceWindowDays", "days of CloudWatch history that must all be idle"),
		{Name: "cpu_max_percent", Default: "5", Description: "highest daily maximum CPUUtilization (%) that still counts as idle"},
		{Name: "network_max_mb", Default: "5", Description: "highest daily NetworkIn + NetworkOut (MB) that still counts as idle"},
	},
	Eval: func(inv *scanners.Inventory, rc *RuleContext) []Finding {
		days := rc.IntParam("lookback_days")
		cpuMax, netMax := floatParam(rc, "cpu_max_percent"), floatParam(rc, "network_max_mb")*1e6
		var out []Finding
		for i := range inv.Resources {
			r := &inv.Resources[i]
			if r.Kind != kindAWSInstance || r.State != "running" || youngerThan(r, rc.Now, days) {
				continue
			}
			cpuOK, cpu := dailyAll(r, "CPUUtilization", "Maximum", days, func(v float64) bool { return v <= cpuMax })
			if !cpuOK {
				continue
			}
			in, _ := r.Metric("NetworkIn", "Sum")
			outm, _ := r.Metric("NetworkOut", "Sum")
			if !complete(in, days) || !complete(outm, days) {
				continue
			}
			net := make([]float64, days)
			quiet := true
			for d := 0; d < days; d++ {
				net[d] = in.Daily[len(in.Daily)-days+d] + outm.Daily[len(outm.Daily)-days+d]
				quiet = quiet && net[d] <= netMax
			}
			if !quiet {
				continue
			}
			f := resourceFinding(r, fmt.Sprintf("Idle %s instance %s", r.Attr("instance_type"), r.ID),
				fmt.Sprintf("Confirm with the owner, then stop it (aws ec2 stop-instances --instance-ids %s --region %s) or snapshot its volumes and terminate it", r.ID, r.Region))
			for d := range net {
				net[d] /= 1e6
			}
			f.Evidence = []Evidence{{"instance_type", r.Attr("instance_type")}, {"state", "running"},
				{"daily_max_cpu_percent", fmtDaily(cpu, "%")}, {"daily_network_mb", fmtDaily(net, "MB")},
				{"thresholds", fmt.Sprintf("CPU max ≤ %s%%, network ≤ %s MB/day, %d of %d days", rc.Param("cpu_max_percent"), rc.Param("network_max_mb"), days, days)}}
			if n := licenceFloor(r); n != "" {
				f.Evidence = append(f.Evidence, Evidence{"licence", n})
			}
			if r.Attr("lifecycle") == "spot" {
				// The catalog has no spot prices, which vary by hour and
				// zone and run well below on-demand.
				f.Confidence = Low
				f.Evidence = append(f.Evidence, Evidence{"lifecycle", "spot: priced at the on-demand rate, so the saving is an upper bound"})
			}
			price(&f, instanceBill(rc, r), func(cost decimal.Decimal) decimal.Decimal { return cost })
			out = append(out, f)
		}
		return out
	},
}

// stoppedFor returns how long an instance has been stopped, from the
// stopped_at attribute the scanner parses out of StateTransitionReason.
func stoppedFor(r *scanners.Resource, now time.Time) (time.Duration, time.Time, bool) {
	if r.State != "stopped" {
		return 0, time.Time{}, false
	}
	t, ok := attrTime(r, "stopped_at")
	if !ok {
		return 0, time.Time{}, false
	}
	return now.Sub(t), t, true
}

// ruleEC2StoppedLong flags instances stopped for a long time: compute is
// free while stopped, but their volumes and addresses are not. The costs
// are reported by aws.ebs.on_stopped_instance and aws.eip.on_stopped_instance,
// one finding per volume or address, so this finding carries no saving of
// its own (nothing is counted twice).
var ruleEC2StoppedLong = Rule{
	ID:          "aws.ec2.stopped_long",
	Category:    CategoryHygiene,
	Title:       "EC2 instance stopped for a long time",
	Description: "An instance stopped for more than `min_stopped_days` days (stop time parsed from StateTransitionReason, \"User initiated (YYYY-MM-DD HH:MM:SS GMT)\"). Its compute is free, but its EBS volumes and Elastic IPs are billed: those are priced as separate findings (aws.ebs.on_stopped_instance, aws.eip.on_stopped_instance), so this finding's own saving is zero and its monthly cost shows what the instance still costs. Terminate it after snapshotting what must be kept.",
	Confidence:  High, Effort: Low, Risk: Medium,
	Params: []Param{{Name: "min_stopped_days", Default: "30", Description: "days an instance must have been stopped"}},
	Eval: func(inv *scanners.Inventory, rc *RuleContext) []Finding {
		x := newAWSIndex(inv)
		min := time.Duration(rc.IntParam("min_stopped_days")) * 24 * time.Hour
		var out []Finding
		for i := range inv.Resources {
			r := &inv.Resources[i]
			if r.Kind != kindAWSInstance {
				continue
			}
			d, at, ok := stoppedFor(r, rc.Now)
			if !ok || d < min {
				continue
			}
			f := resourceFinding(r, fmt.Sprintf("Instance %s stopped for %d days", r.ID, int(d.Hours()/24)),
				fmt.Sprintf("Snapshot the volumes worth keeping, then terminate it: aws ec2 terminate-instances --instance-ids %s --region %s", r.ID, r.Region))
			f.Evidence = []Evidence{{"state", "stopped"}, {"stopped_at", at.Format("2006-01-02 15:04 MST")}, {"stopped_days", fmt.Sprint(int(d.Hours() / 24))},
				{"attached_volumes", fmt.Sprint(len(x.volumesOf[r.Key()]))}, {"elastic_ips", fmt.Sprint(len(x.eipsOf[r.Key()]))},
				{"saving", "counted in the aws.ebs.on_stopped_instance and aws.eip.on_stopped_instance findings"}}
			b := newBill(rc, r.Provider, r.Region)
			for _, v := range x.volumesOf[r.Key()] {
				if c, ok := costers[kindAWSVolume]; ok {
					c(b, v)
				}
			}
			for range x.eipsOf[r.Key()] {
				b.add("vpc.public_ipv4", decimal.NewFromInt(1), "Elastic IP, 730 h")
			}
			price(&f, b, func(decimal.Decimal) decimal.Decimal { return decimal.Zero })
			out = append(out, f)
		}
		return out
	},
}

// ruleEBSOnStoppedInstance flags volumes whose every attachment is to an
// instance stopped for a long time.
var ruleEBSOnStoppedInstance = Rule{
	ID:          "aws.ebs.on_stopped_instance",
	Category:    CategoryIdleInfrastructure,
	Title:       "EBS volume attached only to long-stopped instances",
	Description: "A volume attached only to instances stopped for more than `min_stopped_days` days is billed in full while serving nothing. Saving: the volume's monthly cost (storage, IOPS, throughput); snapshot it first if its data may be needed (the snapshot costs less, and is priced separately once it exists).",
	Confidence:  High, Effort: Low, Risk: Medium,
	Params: []Param{{Name: "min_stopped_days", Default: "30", Description: "days every attached instance must have been stopped"}},
	Eval: func(inv *scanners.Inventory, rc *RuleContext) []Finding {
		x := newAWSIndex(inv)
		min := time.Duration(rc.IntParam("min_stopped_days")) * 24 * time.Hour
		var out []Finding
		for i := range inv.Resources {
			r := &inv.Resources[i]
			if r.Kind != kindAWSVolume {
				continue
			}
			stopped, ok := onLongStoppedInstances(x, r, rc.Now, min)
			if !ok {
				continue
			}
			f := resourceFinding(r, fmt.Sprintf("%s volume %s (%s GiB) on a stopped instance", r.Attr("volume_type"), r.ID, r.Attr("size_gib")),
				fmt.Sprintf("Snapshot it, then detach and delete it: aws ec2 create-snapshot --volume-id %s --region %s", r.ID, r.Region))
			f.Evidence = []Evidence{{"attached_to", strings.Join(stopped, ", ")}, {"volume_type", r.Attr("volume_type")}, {"size_gib", r.Attr("size_gib")}}
			b, _ := resourceBill(rc, r)
			price(&f, b, func(cost decimal.Decimal) decimal.Decimal { return cost })
			out = append(out, f)
		}
		return out
	},
}

// ruleEIPOnStoppedInstance flags Elastic IPs on stopped instances.
var ruleEIPOnStoppedInstance = Rule{
	ID:          "aws.eip.on_stopped_instance",
	Category:    CategoryIdleInfrastructure,
	Title:       "Elastic IP on a stopped instance",
	Description: "An Elastic IP associated with an instance stopped for more than `min_stopped_days` days is billed as a public IPv4 address (Trusted Advisor: \"not associated with a running instance\"). Saving: the hourly public IPv4 price × 730. Release it unless the address must survive the instance's restart.",
	Confidence:  Medium, Effort: Low, Risk: Medium,
	Params: []Param{{Name: "min_stopped_days", Default: "7", Description: "days the instance must have been stopped"}},
	Eval: func(inv *scanners.Inventory, rc *RuleContext) []Finding {
		x := newAWSIndex(inv)
		min := time.Duration(rc.IntParam("min_stopped_days")) * 24 * time.Hour
		var out []Finding
		for i := range inv.Resources {
			r := &inv.Resources[i]
			if r.Kind != kindAWSAddress || r.Attr("instance_id") == "" {
				continue
			}
			inst := x.byKey[scanners.MakeKey("aws", r.Account, r.Region, kindAWSInstance, r.Attr("instance_id"))]
			if inst == nil {
				continue
			}
			d, _, ok := stoppedFor(inst, rc.Now)
			if !ok || d < min {
				continue
			}
			f := resourceFinding(r, fmt.Sprintf("Elastic IP %s on stopped instance %s", r.Attr("public_ip"), inst.ID),
				fmt.Sprintf("Disassociate and release it if the instance will not need the same address: aws ec2 release-address --allocation-id %s --region %s", r.ID, r.Region))
			f.Evidence = []Evidence{{"public_ip", r.Attr("public_ip")}, {"instance", inst.ID}, {"instance_stopped_days", fmt.Sprint(int(d.Hours() / 24))}}
			b, _ := resourceBill(rc, r)
			price(&f, b, func(cost decimal.Decimal) decimal.Decimal { return cost })
			out = append(out, f)
		}
		return out
	},
}

// previousGen maps each previous-generation type to a current type that
// exists, of the same family role and at least the same vCPUs and memory
// (Thrifty flags t2/m3/m4; extended to c1/c3/c4, r3/r4, i2, m1/m2). A size
// with no same-name current size maps to the nearest larger one
// (c4.8xlarge → c5.9xlarge, m4.10xlarge → m5.12xlarge). m1.small,
// m1.medium and m3.medium are smaller than any m5: they map to a t3 of the
// same memory, burstable, which the evidence says (smallBurstable).
// Types not listed (t1.micro, cc2, cr1, hs1...) are not reported.
var previousGen = map[string]string{
	"t2.nano": "t3.nano", "t2.micro": "t3.micro", "t2.small": "t3.small", "t2.medium": "t3.medium",
	"t2.large": "t3.large", "t2.xlarge": "t3.xlarge", "t2.2xlarge": "t3.2xlarge",
	"m1.small": "t3.small", "m1.medium": "t3.medium", "m1.large": "m5.large", "m1.xlarge": "m5.xlarge",
	"m3.medium": "t3.medium", "m3.large": "m5.large", "m3.xlarge": "m5.xlarge", "m3.2xlarge": "m5.2xlarge",
	"m4.large": "m5.large", "m4.xlarge": "m5.xlarge", "m4.2xlarge": "m5.2xlarge", "m4.4xlarge": "m5.4xlarge",
	"m4.10xlarge": "m5.12xlarge", "m4.16xlarge": "m5.16xlarge",
	"m2.xlarge": "r5.xlarge", "m2.2xlarge": "r5.2xlarge", "m2.4xlarge": "r5.4xlarge",
	"c1.medium": "c5.large", "c1.xlarge": "c5.2xlarge",
	"c3.large": "c5.large", "c3.xlarge": "c5.xlarge", "c3.2xlarge": "c5.2xlarge", "c3.4xlarge": "c5.4xlarge", "c3.8xlarge": "c5.9xlarge",
	"c4.large": "c5.large", "c4.xlarge": "c5.xlarge", "c4.2xlarge": "c5.2xlarge", "c4.4xlarge": "c5.4xlarge", "c4.8xlarge": "c5.9xlarge",
	"r3.large": "r5.large", "r3.xlarge": "r5.xlarge", "r3.2xlarge": "r5.2xlarge", "r3.4xlarge": "r5.4xlarge", "r3.8xlarge": "r5.8xlarge",
	"r4.large": "r5.large", "r4.xlarge": "r5.xlarge", "r4.2xlarge": "r5.2xlarge", "r4.4xlarge": "r5.4xlarge",
	"r4.8xlarge": "r5.8xlarge", "r4.16xlarge": "r5.16xlarge",
	"i2.xlarge": "i3.xlarge", "i2.2xlarge": "i3.2xlarge", "i2.4xlarge": "i3.4xlarge", "i2.8xlarge": "i3.8xlarge",
}

// smallBurstable are the fixed-performance types whose current
// replacement in previousGen is a burstable t3.
var smallBurstable = map[string]bool{"m1.small": true, "m1.medium": true, "m3.medium": true}

// ruleEC2PreviousGen reports previous-generation instance types, priced as
// the on-demand difference to the current type in previousGen.
var ruleEC2PreviousGen = Rule{
	ID:          "aws.ec2.previous_gen",
	Category:    CategoryRightsizing,
	Title:       "Previous-generation instance type",
	Description: "Running instances of previous-generation families (t2, m1-m4, c1-c4, r3, r4, i2) cost more than a current type of the same size and perform worse. The target is a type that exists, of at least the same vCPUs and memory: the same size in the current family, or the next larger one where that size does not exist (c4.8xlarge → c5.9xlarge, m4.10xlarge → m5.12xlarge); m1.small, m1.medium and m3.medium, smaller than any m5, map to a burstable t3 of the same memory (the evidence says to check sustained CPU first). For information: moving needs a stop/start and, for some older AMIs, driver checks (ENA, NVMe). Saving: on-demand price of the type − price of the target, when both are known and the target is cheaper; both are Linux rates, so for a licensed instance (UsageOperation other than RunInstances) the monthly cost is a lower bound and the saving leaves out any licence difference between the types, which the evidence says. Spot instances are left unpriced: the saving would be the difference of two spot prices, which the on-demand difference does not bound. An instance also found idle (aws.ec2.idle) keeps this finding without a saving: the idle finding counts its whole cost.",
	Confidence:  Medium, Effort: Medium, Risk: Low,
	Eval: func(inv *scanners.Inventory, rc *RuleContext) []Finding {
		var out []Finding
		for i := range inv.Resources {
			r := &inv.Resources[i]
			if r.Kind != kindAWSInstance || r.State != "running" {
				continue
			}
			typ := r.Attr("instance_type")
			target, old := previousGen[typ]
			if !old {
				continue
			}
			f := resourceFinding(r, fmt.Sprintf("%s is a previous-generation type (%s is current)", typ, target),
				fmt.Sprintf("Plan a stop/start to %s: aws ec2 modify-instance-attribute --instance-id %s --instance-type %s --region %s (while stopped)", target, r.ID, target, r.Region))
			f.Evidence = []Evidence{{"instance_type", typ}, {"current_generation", target}}
			if n := licenceFloor(r); n != "" {
				f.Evidence = append(f.Evidence, Evidence{"licence", n + "; the saving compares the Linux rates of both types and leaves out any difference in the licence between them"})
			}
			if smallBurstable[typ] {
				f.Confidence = Low
				f.Evidence = append(f.Evidence, Evidence{"note", "no m5 size is this small: " + target + " is burstable (CPU credits), check the sustained CPU first or use m5.large"})
			}
			if r.Attr("lifecycle") == "spot" {
				f.Evidence = append(f.Evidence, Evidence{"lifecycle", "spot"})
				f.Unpriced = "spot instance: the saving is the difference of two spot prices, which the catalog does not have"
				out = append(out, f)
				continue
			}
			now, after := instanceBill(rc, r), newBill(rc, r.Provider, r.Region)
			after.add("ec2."+target, decimal.NewFromInt(1), target+" on-demand, 730 h")
			costNow, okNow, whyNow := now.result()
			costAfter, okAfter, whyAfter := after.result()
			f.Prices = append(now.prices, after.prices...)
			switch {
			case !okNow:
				f.Unpriced = whyNow
			case !okAfter:
				f.MonthlyCost, f.Unpriced = Money(costNow), whyAfter
			case !costNow.GreaterThan(costAfter):
				continue
			default:
				f.MonthlyCost, f.MonthlySavings = Money(costNow), Money(costNow.Sub(costAfter))
			}
			out = append(out, f)
		}
		return out
	},
}

// licensedOperations maps EC2 UsageOperation codes to the licence they
// bill (AWS "Billing information fields": platform details and usage
// operation). Windows BYOL (RunInstances:0800) is not here: its licence is
// the customer's own, not billed through EC2.
var licensedOperations = map[string]string{
	"RunInstances:0002": "Windows",
	"RunInstances:0006": "Windows with SQL Server Standard", "RunInstances:0102": "Windows with SQL Server Enterprise",
	"RunInstances:0202": "Windows with SQL Server Web", "RunInstances:0004": "Linux with SQL Server Standard",
	"RunInstances:0100": "Linux with SQL Server Enterprise", "RunInstances:0200": "Linux with SQL Server Web",
	"RunInstances:0014": "Red Hat Enterprise Linux with SQL Server Standard", "RunInstances:0110": "Red Hat Enterprise Linux with SQL Server Enterprise",
	"RunInstances:0210": "Red Hat Enterprise Linux with SQL Server Web", "RunInstances:1014": "Red Hat Enterprise Linux with SQL Server Standard and HA",
	"RunInstances:1110": "Red Hat Enterprise Linux with SQL Server Enterprise and HA",
}

// ruleLicenceInventory lists the Windows and SQL Server licences that EC2
// bills through the instance price, for the licence review.
var ruleLicenceInventory = Rule{
	ID:          "aws.license.windows_sql",
	Category:    CategoryHygiene,
	Title:       "Windows / SQL Server licence billed through EC2",
	Description: "For information: instances whose UsageOperation bills a Windows or SQL Server licence with the instance hours (licence-included AMIs). These belong in the licence inventory: a SQL Server Enterprise licence on a lightly used host, or a licence the company already owns (BYOL), is a saving to review. No saving is estimated.",
	Confidence:  High, Effort: Medium, Risk: Low,
	Eval: func(inv *scanners.Inventory, rc *RuleContext) []Finding {
		var out []Finding
		for i := range inv.Resources {
			r := &inv.Resources[i]
			licence, ok := licensedOperations[r.Attr("usage_operation")]
			if r.Kind != kindAWSInstance || !ok || r.State == "terminated" {
				continue
			}
			f := resourceFinding(r, fmt.Sprintf("%s licence on %s (%s)", licence, r.ID, r.Attr("instance_type")),
				"Review the licence: is SQL Server used, is the edition needed, does the company own licences it could bring (BYOL)?")
			f.Evidence = []Evidence{{"usage_operation", r.Attr("usage_operation")}, {"licence", licence}, {"state", r.State}}
			f.MonthlySavings = Money(decimal.Zero)
			f.Unpriced = ""
			out = append(out, f)
		}
		return out
	},
}

// onLongStoppedInstances reports whether an in-use volume's every
// attachment is to an instance stopped for at least min, naming them: the
// volumes aws.ebs.on_stopped_instance reports.
func onLongStoppedInstances(x *awsIndex, r *scanners.Resource, now time.Time, min time.Duration) ([]string, bool) {
	if r.State != "in-use" {
		return nil, false
	}
	var stopped []string
	for _, rel := range r.Relations {
		if rel.Type != "attached-to" {
			continue
		}
		inst := x.byKey[rel.Key]
		if inst == nil {
			return nil, false
		}
		d, _, ok := stoppedFor(inst, now)
		if !ok || d < min {
			return nil, false
		}
		stopped = append(stopped, fmt.Sprintf("%s (stopped %d days)", inst.ID, int(d.Hours()/24)))
	}
	return stopped, len(stopped) > 0
}

// reportedOnStopped reports whether aws.ebs.on_stopped_instance reports
// the volume (with its configured min_stopped_days): its whole cost is
// counted there, so a type-change rule must not price it too. A volume on
// an instance stopped for less time is still a type-change candidate.
func reportedOnStopped(x *awsIndex, r *scanners.Resource, rc *RuleContext) bool {
	v, ok := rc.ParamOf(ruleEBSOnStoppedInstance.ID, "min_stopped_days")
	if !ok {
		return false // that rule does not run: nothing else prices the volume
	}
	days, err := strconv.Atoi(v)
	if err != nil {
		panic(fmt.Sprintf("findings: rule %s parameter min_stopped_days: %v", ruleEBSOnStoppedInstance.ID, err))
	}
	_, on := onLongStoppedInstances(x, r, rc.Now, time.Duration(days)*24*time.Hour)
	return on
}
