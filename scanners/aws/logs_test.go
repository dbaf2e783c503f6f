package aws

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestLogGroups checks retention (absent = never expire), stored bytes and
// creation time, over several pages.
func TestLogGroups(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("aws:\n  accounts:\n    - id: \"111111111111\"\n      regions:\n        - name: us-east-1\n          log_groups:\n")
	b.WriteString("            - {name: /aws/lambda/forever, stored_bytes: 5000000000, created: -400d}\n")
	b.WriteString("            - {name: /aws/lambda/short, retention_days: 14, stored_bytes: 1000, created: -10d}\n")
	for i := 0; i < 8; i++ {
		fmt.Fprintf(&b, "            - {name: app-%d, retention_days: 30, created: -1d}\n", i)
	}
	r := scanEstate(t, b.String(), func(o *Options) { o.PageSize = 5 })
	noGaps(t, r)
	forever := r.get(t, KindLogGroup, "/aws/lambda/forever")
	wantAttrs(t, forever, map[string]string{AttrRetentionDays: "", AttrStoredBytes: "5000000000"})
	if forever.Created == nil || !forever.Created.Equal(testNow.Add(-400*24*time.Hour)) {
		t.Errorf("created: %v", forever.Created)
	}
	wantAttrs(t, r.get(t, KindLogGroup, "/aws/lambda/short"), map[string]string{AttrRetentionDays: "14", AttrStoredBytes: "1000"})
	if len(r.all) != 10 || r.calls("DescribeLogGroups") < 2 {
		t.Errorf("%d log groups in %d calls", len(r.all), r.calls("DescribeLogGroups"))
	}
}
