package main

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/ghostaudit/ghostaudit/findings"
)

// specEntry documents one config key. configSpec is the single source of
// truth for `config example` and docs/configuration.md; a test checks it
// against the typed structs so that neither can drift.
type specEntry struct {
	Key     string // dotted path; list items as "prices[].item"
	Type    string
	Default string
	Env     string
	Flag    string
	Doc     string
}

// financeDocs describes the finance section (findings.Settings).
var financeDocs = []specEntry{
	{Key: "currency", Type: "ISO 4217 code", Doc: "Reporting currency. Prices in other currencies are converted with fx; a price without a rate makes its finding unpriced rather than mixing currencies."},
	{Key: "fx", Type: "mapping currency → decimal", Doc: "Units of the reporting currency per unit of each other currency, e.g. {USD: \"0.92\"} when reporting in EUR. List prices are in USD."},
	{Key: "fiscal_year_start_month", Type: "integer 1-12", Doc: "First month of the fiscal year, for the in-year impact."},
	{Key: "haircuts.high", Type: "percent 0-100", Doc: "Share of savings kept for high-confidence findings (risk-adjusted savings)."},
	{Key: "haircuts.medium", Type: "percent 0-100", Doc: "Share kept for medium confidence."},
	{Key: "haircuts.low", Type: "percent 0-100", Doc: "Share kept for low confidence."},
	{Key: "ev_ebitda_multiple", Type: "decimal", Doc: "EV/EBITDA multiple for the illustrative enterprise-value impact of risk-adjusted recurring OpEx savings."},
	{Key: "engineering_hourly_rate", Type: "decimal", Doc: "Loaded cost of one engineering hour in the reporting currency; one-time cost of a change = effort hours × this rate."},
	{Key: "effort_hours.low", Type: "decimal hours", Doc: "Engineering hours of a low-effort change."},
	{Key: "effort_hours.medium", Type: "decimal hours", Doc: "Hours of a medium-effort change."},
	{Key: "effort_hours.high", Type: "decimal hours", Doc: "Hours of a high-effort change."},
	{Key: "win_window_days", Type: "integer", Doc: "A 30-day win must be realisable within this many days."},
}

var priceDocs = []specEntry{
	{Key: "provider", Type: "string", Doc: "Provider, e.g. aws."},
	{Key: "region", Type: "string", Doc: "Region the price applies to, e.g. us-east-1."},
	{Key: "item", Type: "string", Doc: "Price item as in the snapshot (findings/pricing/snapshot), e.g. ebs.gp3.storage."},
	{Key: "unit", Type: "GB-Mo | IOPS-Mo | MiBps-Mo | Hrs | User-Mo", Doc: "Unit of the price."},
	{Key: "price", Type: "decimal string", Doc: "Negotiated price per unit."},
	{Key: "currency", Type: "ISO 4217 code", Doc: "Currency of the price."},
	{Key: "as_of", Type: "date YYYY-MM-DD", Doc: "Date the price was agreed or read."},
	{Key: "ref", Type: "string", Doc: "Where it comes from (contract, invoice); shown on the Assumptions sheet."},
}

var suppressionDocs = []specEntry{
	{Key: "rule", Type: "rule ID or *", Doc: "Rule whose finding is accepted, or * for every rule."},
	{Key: "resource", Type: "glob", Doc: "Resource key (provider/account/region/kind/id) or ID; * and ? match."},
	{Key: "reason", Type: "string", Doc: "Why the finding is accepted (required); shown with the finding."},
	{Key: "owner", Type: "string", Doc: "Who accepted it."},
	{Key: "expires", Type: "date YYYY-MM-DD", Doc: "After this day the finding resurfaces, saying the suppression expired. Empty: never."},
}

// configSpec lists every key of ghostaudit.yaml.
func (a *app) configSpec() []specEntry {
	var out []specEntry
	for _, info := range a.registry.All() {
		fs := pflag.NewFlagSet(info.Name, pflag.ContinueOnError)
		info.NewOptions().AddFlags(fs)
		fs.VisitAll(func(f *pflag.Flag) {
			key := strings.ReplaceAll(strings.TrimPrefix(f.Name, info.Name+"-"), "-", "_")
			out = append(out, specEntry{
				Key: "scanners." + info.Name + "." + key, Type: flagType(f), Default: flagDefault(f),
				Env: "GHOSTAUDIT_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_")), Flag: "--" + f.Name, Doc: f.Usage,
			})
		})
	}
	for _, r := range findings.Rules() {
		for _, p := range r.Params {
			out = append(out, specEntry{Key: "rules." + r.ID + "." + p.Name, Type: "integer", Default: p.Default, Doc: p.Description})
		}
	}
	out = append(out, specEntry{Key: "exclude_tags", Type: "list of strings", Doc: "Resources carrying one of these tags (\"key\" or \"key=value\") produce no finding at all, e.g. [\"env=prod-dr\", \"do-not-audit\"]. To keep a finding visible but out of the totals, use a suppression instead."})
	for _, e := range priceDocs {
		e.Key = "prices[]." + e.Key
		out = append(out, e)
	}
	def := findings.DefaultSettings()
	defaults := map[string]string{
		"currency": def.Currency, "fx": "{}", "fiscal_year_start_month": fmt.Sprint(def.FiscalYearStartMonth),
		"haircuts.high": fmt.Sprint(def.Haircuts.High), "haircuts.medium": fmt.Sprint(def.Haircuts.Medium), "haircuts.low": fmt.Sprint(def.Haircuts.Low),
		"ev_ebitda_multiple": def.EVMultiple, "engineering_hourly_rate": def.HourlyRate,
		"effort_hours.low": def.EffortHours.Low, "effort_hours.medium": def.EffortHours.Medium, "effort_hours.high": def.EffortHours.High,
		"win_window_days": fmt.Sprint(def.WinWindowDays),
	}
	envs := map[string]bool{}
	for _, k := range financeEnv {
		envs[k] = true
	}
	for _, e := range financeDocs {
		e.Default = defaults[e.Key]
		if envs[e.Key] {
			e.Env = "GHOSTAUDIT_FINANCE_" + strings.ToUpper(strings.ReplaceAll(e.Key, ".", "_"))
			e.Flag = "--set finance." + e.Key + "=…"
		}
		e.Key = "finance." + e.Key
		out = append(out, e)
	}
	acct := defaultAccounting()
	accDefaults := map[string]string{
		"framework": acct.Framework, "model": acct.Model, "hardware_threshold": acct.HardwareThreshold,
		"licence_threshold": acct.LicenceThreshold, "software_project_threshold": acct.SoftwareProjectThreshold,
		"useful_lives_months.laptop": fmt.Sprint(acct.UsefulLives.Laptop), "useful_lives_months.server": fmt.Sprint(acct.UsefulLives.Server),
		"useful_lives_months.network": fmt.Sprint(acct.UsefulLives.Network), "useful_lives_months.internal_use_software": fmt.Sprint(acct.UsefulLives.InternalUseSoftware),
		"useful_lives_months.perpetual_licence": fmt.Sprint(acct.UsefulLives.PerpetualLicence), "prepaid_term_months": fmt.Sprint(acct.PrepaidTermMonths),
		"add_back_implementation_amortisation": fmt.Sprint(acct.AddBackImplementationAmor), "tax_recoverable": fmt.Sprint(acct.TaxRecoverable),
		"tag_keys.project": strings.Join(acct.TagKeys.Project, ","), "tag_keys.phase": strings.Join(acct.TagKeys.Phase, ","),
		"tag_keys.capex_eligible": strings.Join(acct.TagKeys.CapexEligible, ","), "tag_keys.project_authorized": strings.Join(acct.TagKeys.ProjectAuthorized, ","),
		"tag_keys.probable_to_complete": strings.Join(acct.TagKeys.ProbableToComplete, ","), "tag_keys.cost_center": strings.Join(acct.TagKeys.CostCenter, ","),
	}
	for _, e := range accountingDocs {
		e.Default = accDefaults[e.Key]
		e.Key = "accounting." + e.Key
		out = append(out, e)
	}
	for _, e := range suppressionDocs {
		e.Key = "suppressions[]." + e.Key
		out = append(out, e)
	}
	return out
}

func flagType(f *pflag.Flag) string {
	switch f.Value.Type() {
	case "stringSlice":
		return "list of strings"
	case "int":
		return "integer"
	case "bool":
		return "boolean"
	}
	return f.Value.Type()
}

func flagDefault(f *pflag.Flag) string {
	if f.DefValue == "[]" {
		return ""
	}
	return f.DefValue
}

// exampleConfig renders a fully commented ghostaudit.yaml with every key at
// its default; `config validate` accepts it as is.
func (a *app) exampleConfig() string {
	var b strings.Builder
	b.WriteString("# ghostaudit.yaml: every option at its default. Generated by `ghostaudit config example`.\n")
	b.WriteString("# Precedence: this file < environment variables < flags. See docs/configuration.md.\n")
	spec := a.configSpec()
	section := ""
	sub := ""
	for _, e := range spec {
		parts := strings.SplitN(e.Key, ".", 2)
		if len(parts) == 1 {
			section, sub = parts[0], ""
			fmt.Fprintf(&b, "\n# %s\n%s: %s\n", e.Doc, e.Key, yamlValue(e))
			continue
		}
		if parts[0] != section {
			section = parts[0]
			sub = ""
			switch section {
			case "prices[]":
				b.WriteString("\n# Negotiated prices that override the list-price snapshot, one entry per item:\n")
				b.WriteString("prices: []\n")
				b.WriteString("#  - {provider: aws, region: us-east-1, item: ebs.gp3.storage, unit: GB-Mo, price: \"0.07\", currency: USD, as_of: 2026-10-01, ref: \"EDP contract\"}\n")
			case "suppressions[]":
				b.WriteString("\n# Findings accepted on purpose. They stay in the reports, marked, and leave the totals.\n")
				b.WriteString("# A resource tagged ghostaudit:ignore=<reason> is suppressed too.\n")
				b.WriteString("suppressions: []\n")
				b.WriteString("#  - {rule: aws.ebs.unattached, resource: \"aws/*/us-east-1/aws.ebs.volume/vol-0abc*\", reason: \"restore test until Q1\", owner: ops@example.com, expires: 2027-03-31}\n")
			default:
				b.WriteString("\n" + section + ":\n")
			}
		}
		if strings.HasSuffix(section, "[]") {
			fmt.Fprintf(&b, "#    %s: %s\n", parts[1], e.Doc)
			continue
		}
		rest := parts[1]
		indent := "  "
		if section == "scanners" || section == "rules" {
			var name string
			if section == "rules" {
				// rule IDs contain dots: the parameter is the last segment
				i := strings.LastIndex(rest, ".")
				name, rest = rest[:i], rest[i+1:]
			} else {
				name, rest, _ = strings.Cut(rest, ".")
			}
			if name != sub {
				sub = name
				fmt.Fprintf(&b, "  %s:\n", name)
			}
			indent = "    "
		} else if group, leaf, ok := strings.Cut(rest, "."); ok {
			if group != sub {
				sub = group
				fmt.Fprintf(&b, "  %s:\n", group)
			}
			rest, indent = leaf, "    "
		}
		fmt.Fprintf(&b, "%s# %s", indent, e.Doc)
		if e.Env != "" {
			fmt.Fprintf(&b, " [env %s]", e.Env)
		}
		b.WriteString("\n")
		fmt.Fprintf(&b, "%s%s: %s\n", indent, rest, yamlValue(e))
	}
	return b.String()
}

func yamlValue(e specEntry) string {
	switch {
	case e.Type == "list of strings":
		if e.Default == "" {
			return "[]"
		}
		return "[" + strings.Trim(e.Default, "[]") + "]"
	case e.Default == "{}":
		return "{}"
	case e.Type == "integer" || e.Type == "integer 1-12" || e.Type == "percent 0-100" || e.Type == "months" || e.Type == "boolean":
		return e.Default
	}
	return fmt.Sprintf("%q", e.Default)
}

// configDocs renders docs/configuration.md.
func (a *app) configDocs() string {
	var b strings.Builder
	b.WriteString("# Configuration\n\n")
	b.WriteString("<!-- Generated from cmd/ghostaudit/configspec.go by `go test ./cmd/ghostaudit -run TestConfigDocs -update`; do not edit. -->\n\n")
	b.WriteString("ghostaudit reads `ghostaudit.yaml` from the working directory, or the file given with `--config` or `GHOSTAUDIT_CONFIG`. ")
	b.WriteString("Environment variables override the file and flags override both. Unknown keys, wrong types and bad values stop the run with ")
	b.WriteString("`file:line:column: key: problem` and exit code 2. `ghostaudit config validate` checks a file; `ghostaudit config example` prints every option at its default.\n")
	section := ""
	for _, e := range a.configSpec() {
		s, _, _ := strings.Cut(e.Key, ".")
		if s != section {
			section = s
			fmt.Fprintf(&b, "\n## `%s`\n\n| key | type | default | env / flag | description |\n|---|---|---|---|---|\n", strings.TrimSuffix(s, "[]"))
		}
		over := strings.TrimSpace(strings.Join(nonEmpty(codeSpan(e.Env), codeSpan(e.Flag)), " "))
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", e.Key, e.Type, codeSpan(e.Default), over, strings.ReplaceAll(e.Doc, "|", "\\|"))
	}
	b.WriteString("\n## Example\n\n```yaml\n")
	b.WriteString(a.exampleConfig())
	b.WriteString("```\n")
	return b.String()
}

func codeSpan(s string) string {
	if s == "" {
		return ""
	}
	return "`" + s + "`"
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
