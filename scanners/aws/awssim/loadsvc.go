package awssim

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

var (
	lbStates      = []string{"active", "provisioning", "active_impaired", "failed"}
	targetHealths = []string{"initial", "healthy", "unhealthy", "unused", "draining", "unavailable"}
	// targetReasons are the reason codes the TargetHealth data type
	// documents for each state, the default first; healthy has none.
	targetReasons = map[string][]string{
		"initial":     {"Elb.RegistrationInProgress", "Elb.InitialHealthChecking"},
		"unhealthy":   {"Target.FailedHealthChecks", "Target.ResponseCodeMismatch", "Target.Timeout", "Elb.InternalError"},
		"unused":      {"Target.NotInUse", "Target.NotRegistered", "Target.InvalidState", "Target.IpUnusable"},
		"draining":    {"Target.DeregistrationInProgress"},
		"unavailable": {"Target.HealthCheckDisabled", "Elb.InternalError"},
	}
	// dbStatuses are the DB instance statuses of the RDS User Guide's "DB
	// instance status" table (Overview.DBInstance.Status).
	dbStatuses = []string{"available", "backing-up", "backtracking", "configuring-enhanced-monitoring", "configuring-iam-database-auth",
		"configuring-log-exports", "converting-to-vpc", "creating", "deleting", "failed", "inaccessible-encryption-credentials",
		"incompatible-network", "incompatible-option-group", "incompatible-parameters", "incompatible-restore", "insufficient-capacity",
		"maintenance", "modifying", "moving-to-vpc", "rebooting", "resetting-master-credentials", "renaming", "restore-error",
		"starting", "stopped", "stopping", "storage-full", "storage-optimization", "upgrading"}
	storageTypes  = []string{"gp2", "gp3", "io1", "io2", "standard"}
	lbNameRE      = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$`)
	dbIDRE        = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9-]{0,62}$`)
	logGroupRE    = regexp.MustCompile(`^[\.\-_/#A-Za-z0-9]{1,512}$`)
	retentionDays = map[int32]bool{1: true, 3: true, 5: true, 7: true, 14: true, 30: true, 60: true, 90: true, 120: true, 150: true, 180: true,
		365: true, 400: true, 545: true, 731: true, 1096: true, 1827: true, 2192: true, 2557: true, 2922: true, 3288: true, 3653: true}
)

// regionServices validates the ELB, RDS and Logs resources of a region
// and fills in their defaults.
func (v *validator) regionServices(f, account string, r *Region, instances map[string]*Instance) error {
	names := map[string]string{}
	uniq := func(field, kind, name string) error {
		if prev, dup := names[kind+"/"+name]; dup {
			return v.fail(field, "%s %s is also declared at aws.%s", kind, name, prev)
		}
		names[kind+"/"+name] = field
		return nil
	}
	for i := range r.LoadBalancers {
		lb := &r.LoadBalancers[i]
		fl := fmt.Sprintf("%s.load_balancers[%d]", f, i)
		if !lbNameRE.MatchString(lb.Name) {
			return v.fail(fl+".name", "%q is not a load balancer name (1-32 letters, digits and hyphens)", lb.Name)
		}
		if err := uniq(fl+".name", "load balancer", lb.Name); err != nil {
			return err
		}
		if lb.Type == "" {
			lb.Type = "application"
		}
		if _, ok := lbTypes[lb.Type]; !ok {
			return v.fail(fl+".type", "%q is not application, network or gateway", lb.Type)
		}
		if lb.State == "" {
			lb.State = "active"
		} else if !contains(lbStates, lb.State) {
			return v.fail(fl+".state", "%q is not a load balancer state (%s)", lb.State, strings.Join(lbStates, ", "))
		}
		if err := v.scheme(fl+".scheme", &lb.Scheme); err != nil {
			return err
		}
		for j := range lb.Listeners {
			l := &lb.Listeners[j]
			if l.Port < 1 || l.Port > 65535 {
				return v.fail(fmt.Sprintf("%s.listeners[%d].port", fl, j), "%d is not a port", l.Port)
			}
			if l.Protocol == "" {
				l.Protocol = listenerProtocol(lb.Type)
			}
			if err := v.listenerActions(fmt.Sprintf("%s.listeners[%d]", fl, j), lb, l); err != nil {
				return err
			}
		}
		for j := range lb.TargetGroups {
			tg := &lb.TargetGroups[j]
			ft := fmt.Sprintf("%s.target_groups[%d]", fl, j)
			if !lbNameRE.MatchString(tg.Name) {
				return v.fail(ft+".name", "%q is not a target group name (1-32 letters, digits and hyphens)", tg.Name)
			}
			if err := uniq(ft+".name", "target group", tg.Name); err != nil {
				return err
			}
			switch tg.TargetType {
			case "":
				tg.TargetType = "instance"
			case "instance", "ip", "lambda", "alb":
			default:
				return v.fail(ft+".target_type", "%q is not instance, ip, lambda or alb", tg.TargetType)
			}
			if tg.TargetType == "lambda" {
				if tg.Port != 0 {
					return v.fail(ft+".port", "a lambda target group has no port")
				}
				if len(tg.Targets) > 1 {
					return v.fail(ft+".targets", "a lambda target group has at most one target (a function)")
				}
			} else if tg.Port == 0 {
				tg.Port = 80
			}
			for k := range tg.Targets {
				t := &tg.Targets[k]
				fx := fmt.Sprintf("%s.targets[%d]", ft, k)
				if t.ID == "" {
					return v.fail(fx+".id", "a target id (instance id or IP address) is required")
				}
				if strings.HasPrefix(t.ID, "i-") && instances[t.ID] == nil {
					return v.fail(fx+".id", "%q is not an instance in %s", t.ID, r.Name)
				}
				if t.Port == 0 {
					t.Port = tg.Port
				}
				if t.Health == "" && tg.TargetType == "lambda" {
					t.Health = "unavailable" // health checks are off by default for Lambda
				} else if t.Health == "" {
					t.Health = "healthy"
				} else if !contains(targetHealths, t.Health) {
					return v.fail(fx+".health", "%q is not a target health state (%s)", t.Health, strings.Join(targetHealths, ", "))
				}
				reasons := targetReasons[t.Health]
				switch {
				case t.Reason == "" && t.Health == "unavailable" && tg.TargetType != "lambda":
					t.Reason = "Elb.InternalError" // health checks cannot be off
				case t.Reason == "" && len(reasons) > 0:
					t.Reason = reasons[0]
				case t.Reason != "" && len(reasons) == 0:
					return v.fail(fx+".reason", "a %s target has no reason code", t.Health)
				case t.Reason != "" && !contains(reasons, t.Reason):
					return v.fail(fx+".reason", "%q is not a reason code of a %s target (%s)", t.Reason, t.Health, strings.Join(reasons, ", "))
				}
				// "If the target type is instance, ip, or alb, health checks
				// are always enabled and can't be disabled" (CreateTargetGroup,
				// HealthCheckEnabled).
				if t.Reason == "Target.HealthCheckDisabled" && tg.TargetType != "lambda" {
					return v.fail(fx+".reason", "health checks can be disabled only for a lambda target group, not %s", tg.TargetType)
				}
			}
		}
		if err := v.metrics(fl+".metrics", lbTypes[lb.Type].namespace, lb.Metrics); err != nil {
			return err
		}
	}
	for i := range r.ClassicLoadBalancers {
		lb := &r.ClassicLoadBalancers[i]
		fl := fmt.Sprintf("%s.classic_load_balancers[%d]", f, i)
		if !lbNameRE.MatchString(lb.Name) {
			return v.fail(fl+".name", "%q is not a load balancer name (1-32 letters, digits and hyphens)", lb.Name)
		}
		if err := uniq(fl+".name", "classic load balancer", lb.Name); err != nil {
			return err
		}
		if err := v.scheme(fl+".scheme", &lb.Scheme); err != nil {
			return err
		}
		for j := range lb.Instances {
			in := &lb.Instances[j]
			fi := fmt.Sprintf("%s.instances[%d]", fl, j)
			if instances[in.ID] == nil {
				return v.fail(fi+".id", "%q is not an instance in %s", in.ID, r.Name)
			}
			if in.State == "" {
				in.State = "InService"
			} else if in.State != "InService" && in.State != "OutOfService" && in.State != "Unknown" {
				return v.fail(fi+".state", "%q is not InService, OutOfService or Unknown", in.State)
			}
		}
		if err := v.metrics(fl+".metrics", "AWS/ELB", lb.Metrics); err != nil {
			return err
		}
	}
	for i := range r.DBInstances {
		db := &r.DBInstances[i]
		fd := fmt.Sprintf("%s.db_instances[%d]", f, i)
		if !dbIDRE.MatchString(db.ID) || strings.HasSuffix(db.ID, "-") || strings.Contains(db.ID, "--") {
			return v.fail(fd+".id", "%q is not a DB instance identifier (a letter, then letters, digits, single hyphens)", db.ID)
		}
		if err := uniq(fd+".id", "DB instance", db.ID); err != nil {
			return err
		}
		if !strings.HasPrefix(db.Class, "db.") {
			return v.fail(fd+".class", "a DB instance class such as db.t3.micro is required")
		}
		if db.Engine == "" {
			db.Engine = "postgres"
		}
		if db.Status == "" {
			db.Status = "available"
		} else if !contains(dbStatuses, db.Status) {
			return v.fail(fd+".status", "%q is not a DB instance status (%s)", db.Status, strings.Join(dbStatuses, ", "))
		}
		if db.AllocatedGiB == 0 {
			db.AllocatedGiB = 20
		} else if db.AllocatedGiB < 0 || db.AllocatedGiB > 65536 {
			return v.fail(fd+".allocated_gib", "%d is not a storage size in GiB", db.AllocatedGiB)
		}
		if db.StorageType == "" {
			db.StorageType = "gp2"
		} else if !contains(storageTypes, db.StorageType) {
			return v.fail(fd+".storage_type", "%q is not a storage type (%s)", db.StorageType, strings.Join(storageTypes, ", "))
		}
		if err := v.metrics(fd+".metrics", "AWS/RDS", db.Metrics); err != nil {
			return err
		}
	}
	for i := range r.DBSnapshots {
		sn := &r.DBSnapshots[i]
		fs := fmt.Sprintf("%s.db_snapshots[%d]", f, i)
		if sn.ID == "" {
			return v.fail(fs+".id", "a DB snapshot identifier is required")
		}
		if err := uniq(fs+".id", "DB snapshot", sn.ID); err != nil {
			return err
		}
		if sn.DBInstanceID == "" {
			return v.fail(fs+".db_instance_id", "the source DB instance identifier is required")
		}
		if sn.Type == "" {
			sn.Type = "manual"
		} else if sn.Type != "manual" && sn.Type != "automated" {
			return v.fail(fs+".type", "%q is not manual or automated", sn.Type)
		}
		if sn.AllocatedGiB == 0 {
			sn.AllocatedGiB = 20
		}
		if sn.Engine == "" {
			sn.Engine = "postgres"
		}
		if sn.Status == "" {
			sn.Status = "available"
		}
		if sn.SourceSnapshot != "" {
			// arn:aws:rds:<region>:<account>:snapshot:<id>
			parts := strings.SplitN(sn.SourceSnapshot, ":", 7)
			if len(parts) != 7 || parts[0] != "arn" || parts[2] != "rds" || !regionRE.MatchString(parts[3]) || parts[5] != "snapshot" || parts[6] == "" {
				return v.fail(fs+".source_snapshot", "%q is not a DB snapshot ARN (arn:aws:rds:<region>:<account>:snapshot:<id>)", sn.SourceSnapshot)
			}
			if sn.SourceRegion == "" {
				sn.SourceRegion = parts[3]
			}
		}
		if sn.SourceRegion != "" && !regionRE.MatchString(sn.SourceRegion) {
			return v.fail(fs+".source_region", "%q is not a region name such as us-east-1", sn.SourceRegion)
		}
	}
	for i := range r.LogGroups {
		g := &r.LogGroups[i]
		fg := fmt.Sprintf("%s.log_groups[%d]", f, i)
		if !logGroupRE.MatchString(g.Name) {
			return v.fail(fg+".name", "%q is not a log group name", g.Name)
		}
		if err := uniq(fg+".name", "log group", g.Name); err != nil {
			return err
		}
		if g.RetentionDays != 0 && !retentionDays[g.RetentionDays] {
			return v.fail(fg+".retention_days", "%d is not a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ... 3653)", g.RetentionDays)
		}
		if g.StoredBytes < 0 {
			return v.fail(fg+".stored_bytes", "%d is negative", g.StoredBytes)
		}
		switch g.Class {
		case "":
			g.Class = "STANDARD"
		case "STANDARD", "INFREQUENT_ACCESS", "DELIVERY":
		default:
			return v.fail(fg+".class", "%q is not STANDARD, INFREQUENT_ACCESS or DELIVERY", g.Class)
		}
	}
	return nil
}

func (v *validator) scheme(field string, s *string) error {
	switch *s {
	case "":
		*s = "internet-facing"
	case "internet-facing", "internal":
	default:
		return v.fail(field, "%q is not internet-facing or internal", *s)
	}
	return nil
}

// organization validates the organization fields once the accounts are known.
func (v *validator) organization(est *Estate) error {
	for i := range est.Accounts {
		a := &est.Accounts[i]
		f := fmt.Sprintf("accounts[%d]", i)
		switch a.OrgStatus {
		case "", "ACTIVE", "SUSPENDED":
		default:
			return v.fail(f+".org_status", "%q is not ACTIVE or SUSPENDED", a.OrgStatus)
		}
		if a.Email == "" {
			name := a.Name
			if name == "" {
				name = a.ID
			}
			a.Email = name + "@example.com"
		}
	}
	if est.ManagementAccount == "" {
		return nil
	}
	for _, a := range est.Accounts {
		if a.ID == est.ManagementAccount {
			if a.OrgStatus != "ACTIVE" {
				return v.fail("management_account", "the management account %s needs org_status ACTIVE", a.ID)
			}
			return nil
		}
	}
	return v.fail("management_account", "%q is not one of the accounts", est.ManagementAccount)
}

var fixedResponseCodeRE = regexp.MustCompile(`^[245][0-9][0-9]$`)

// listenerActions validates a listener's default actions and fills in
// their defaults (ListenerAction). The rules are the Action data type's:
// redirect and fixed-response are Application Load Balancer actions
// (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Action.html).
func (v *validator) listenerActions(f string, lb *LoadBalancer, l *Listener) error {
	if len(l.DefaultActions) == 0 {
		l.DefaultActions = []ListenerAction{{Type: "forward"}}
	}
	for k := range l.DefaultActions {
		a := &l.DefaultActions[k]
		fa := fmt.Sprintf("%s.default_actions[%d]", f, k)
		if a.Type == "" {
			a.Type = "forward"
		}
		switch a.Type {
		case "forward":
			if a.TargetGroup == "" && len(lb.TargetGroups) > 0 {
				a.TargetGroup = lb.TargetGroups[0].Name
			} else if a.TargetGroup != "" && !slices.ContainsFunc(lb.TargetGroups, func(tg TargetGroup) bool { return tg.Name == a.TargetGroup }) {
				return v.fail(fa+".target_group", "%q is not a target group of load balancer %s", a.TargetGroup, lb.Name)
			}
		case "redirect", "fixed-response":
			if lb.Type != "application" {
				return v.fail(fa+".type", "a %s load balancer's listeners only forward, not %s", lb.Type, a.Type)
			}
		default:
			return v.fail(fa+".type", "%q is not forward, redirect or fixed-response", a.Type)
		}
		if a.Type == "redirect" {
			switch a.StatusCode {
			case "":
				a.StatusCode = "HTTP_301"
			case "HTTP_301", "HTTP_302":
			default:
				return v.fail(fa+".status_code", "%q is not HTTP_301 or HTTP_302", a.StatusCode)
			}
			a.Protocol = orString(a.Protocol, "HTTPS")
			a.Port = orString(a.Port, "443")
			a.Host = orString(a.Host, "#{host}")
			a.Path = orString(a.Path, "/#{path}")
			a.Query = orString(a.Query, "#{query}")
		}
		if a.Type == "fixed-response" {
			a.StatusCode = orString(a.StatusCode, "503")
			if !fixedResponseCodeRE.MatchString(a.StatusCode) {
				return v.fail(fa+".status_code", "%q is not a 2XX, 4XX or 5XX status code", a.StatusCode)
			}
			a.ContentType = orString(a.ContentType, "text/plain")
		}
	}
	return nil
}

func orString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
