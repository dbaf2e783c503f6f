package report

import (
	"net/url"
	"strings"
	"testing"

	"github.com/ghostaudit/ghostaudit/findings"
)

func TestConsoleURLs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		f    findings.Finding
		want string
	}{
		{findings.Finding{ResourceKind: "aws.ebs.volume", Region: "eu-west-1", ResourceID: "vol-1"}, "https://console.aws.amazon.com/ec2/home?region=eu-west-1#VolumeDetails:volumeId=vol-1"},
		{findings.Finding{ResourceKind: "gcp.compute.disk", Account: "acme-prod", ResourceID: "1"}, "https://console.cloud.google.com/compute/disks?project=acme-prod"},
		{findings.Finding{ResourceKind: "m365.license.seat", ResourceID: "SPE_E5:0000-1"}, "https://admin.microsoft.com/#/users/:/UserDetails/0000-1"},
		{findings.Finding{ResourceKind: "aws.something.new", ResourceID: "x"}, ""},
	} {
		if got := ConsoleURL(&tc.f); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.f.ResourceKind, got, tc.want)
		}
	}
	// A hostile ID cannot move the link to another host or scheme.
	for _, id := range []string{"x@evil.example", "x#//evil.example", "javascript:alert(1)", "x\nhttps://evil.example", "../../evil"} {
		f := findings.Finding{ResourceKind: "aws.rds.instance", Region: "us-east-1&x=@evil.example", ResourceID: id}
		got := ConsoleURL(&f)
		u, err := url.Parse(got)
		if got == "" || err != nil || u.Host != "console.aws.amazon.com" || u.Scheme != "https" || strings.ContainsAny(got, "\n@") {
			t.Errorf("id %q: link %q", id, got)
		}
	}
	if safeConsoleURL("http://console.aws.amazon.com/") || safeConsoleURL("https://evil.example/") || safeConsoleURL("https://user@console.aws.amazon.com/") {
		t.Error("an unsafe link passed")
	}
}
