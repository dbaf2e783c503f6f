package m365

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// usageRow is one user's row of the Office 365 active user detail report.
type usageRow struct {
	refresh string
	last    map[string]time.Time // service -> last activity date
}

// usageServices maps the report's "<Service> Last Activity Date" columns
// to the seat attribute names usage_<service>_last_activity.
var usageServices = []struct{ column, key string }{
	{"Exchange Last Activity Date", "exchange"},
	{"OneDrive Last Activity Date", "onedrive"},
	{"SharePoint Last Activity Date", "sharepoint"},
	{"Skype For Business Last Activity Date", "skype_for_business"},
	{"Yammer Last Activity Date", "yammer"},
	{"Teams Last Activity Date", "teams"},
}

// usageResult is what seats carry from the usage step: rows by lower-case
// UPN, or the reason there are none (usage_report attribute).
type usageResult struct {
	rows   map[string]usageRow
	status string // matched | concealed | unavailable | disabled
}

// usage reads GET /admin/reportSettings and, unless the tenant conceals
// user names in reports, the Office 365 active user detail report.
//
// With concealed names the report's UPNs are hashes that cannot be joined
// to users, so the report is not read at all and a gap (unsupported) says
// so; ghostaudit never changes the setting, a privacy decision of the
// tenant (and a write needing ReportSettings.ReadWrite.All).
func (s *Scanner) usage(ctx context.Context, g *graph, sink scanners.Sink) (usageResult, error) {
	if !s.opts.UsageReport {
		return usageResult{status: "disabled"}, nil
	}
	settings, err := g.client.Admin().ReportSettings().Get(ctx, nil)
	if err != nil {
		// Without the setting, a concealed report would silently match
		// nothing; do not read it.
		return usageResult{status: "unavailable"}, s.gap(ctx, sink, g.tenant, "admin.reportSettings", "GET /admin/reportSettings", err)
	}
	if c := settings.GetDisplayConcealedNames(); c != nil && *c {
		sink.Gap(scanners.Gap{Scanner: Info.Name, Account: g.tenant, Scope: "tenant " + g.tenant + " usage reports",
			Operation: "reports.getOffice365ActiveUserDetail", Reason: scanners.ReasonUnsupported,
			Message: "the tenant conceals user names in usage reports (admin/reportSettings displayConcealedNames is true), so report rows cannot be " +
				"matched to users and seats carry no per-service activity; an administrator can turn the setting off in the Microsoft 365 admin centre (Settings > Org settings > Reports)"})
		return usageResult{status: "concealed"}, nil
	}
	period := s.opts.ReportPeriod
	data, err := g.client.Reports().GetOffice365ActiveUserDetailWithPeriod(&period).Get(ctx, nil)
	if err != nil {
		return usageResult{status: "unavailable"}, s.gap(ctx, sink, g.tenant, "reports.getOffice365ActiveUserDetail",
			fmt.Sprintf("GET /reports/getOffice365ActiveUserDetail(period='%s')", period), err)
	}
	rows, err := parseUsageCSV(data)
	if err != nil {
		sink.Gap(scanners.Gap{Scanner: Info.Name, Account: g.tenant, Scope: "tenant " + g.tenant + " usage reports",
			Operation: "reports.getOffice365ActiveUserDetail", Reason: scanners.ReasonError, Message: err.Error()})
		return usageResult{status: "unavailable"}, nil
	}
	return usageResult{rows: rows, status: "matched"}, nil
}

// parseUsageCSV parses the report: UTF-8 with a byte-order mark, columns
// found by header name. Rows whose UPN is not an address (concealed
// hashes, "(Unknown)") and rows of deleted accounts (Is Deleted True) are
// dropped, so they can never match a user.
func parseUsageCSV(data []byte) (map[string]usageRow, error) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("usage report: header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	upnCol, ok := col["User Principal Name"]
	if !ok {
		return nil, fmt.Errorf("usage report: no User Principal Name column in %q", strings.Join(header, ","))
	}
	refreshCol, hasRefresh := col["Report Refresh Date"]
	deletedCol, hasDeleted := col["Is Deleted"]
	rows := map[string]usageRow{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("usage report: %w", err)
		}
		if upnCol >= len(rec) || !strings.Contains(rec[upnCol], "@") {
			continue
		}
		// A deleted account's row (the report keeps them) says nothing
		// about a live account that holds its UPN now.
		if hasDeleted && deletedCol < len(rec) && strings.EqualFold(strings.TrimSpace(rec[deletedCol]), "True") {
			continue
		}
		row := usageRow{last: map[string]time.Time{}}
		if hasRefresh && refreshCol < len(rec) {
			row.refresh = rec[refreshCol]
		}
		for _, svc := range usageServices {
			i, ok := col[svc.column]
			if !ok || i >= len(rec) || rec[i] == "" {
				continue
			}
			if t, err := time.Parse("2006-01-02", rec[i]); err == nil {
				row.last[svc.key] = t
			}
		}
		rows[strings.ToLower(rec[upnCol])] = row
	}
	return rows, nil
}
