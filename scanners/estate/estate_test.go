package estate

import (
	"strings"
	"testing"
	"time"
)

func TestParseSplitsSectionsAndExpect(t *testing.T) {
	t.Parallel()
	in := `name: tiny
aws:
  accounts: []
expect:
  - rule: aws.ebs.unattached
    resource: aws/111111111111/us-east-1/aws.ebs.volume/vol-1
    monthly_savings: "8.00"
`
	e, err := Parse("tiny.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if e.Name != "tiny" || len(e.Expect) != 1 || e.Sections["aws"] == nil {
		t.Fatalf("parsed %+v", e)
	}
	var aws struct {
		Accounts []struct{} `yaml:"accounts"`
	}
	if ok, err := e.DecodeSection("aws", &aws); !ok || err != nil {
		t.Fatalf("DecodeSection: %v %v", ok, err)
	}
}

func TestParseErrorsAreLocated(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, in, want string }{
		{"unknown top key", "name: x\nazure: {}\n", "e.yaml:2:1: azure: unknown top-level key"},
		{"bad savings", "expect:\n  - rule: r\n    resource: a/b/c/d/e\n    monthly_savings: lots\n", "e.yaml: expect[0].monthly_savings"},
		{"bad key", "expect:\n  - rule: r\n    resource: vol-1\n    monthly_savings: \"1\"\n", "e.yaml: expect[0].resource"},
		{"unknown expect field", "expect:\n  - rule: r\n    resourse: a/b/c/d/e\n", "e.yaml:3:5: "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("e.yaml", []byte(tc.in))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error %v, want prefix %q", err, tc.want)
			}
		})
	}
}

func TestSectionErrorsKeepPosition(t *testing.T) {
	t.Parallel()
	e, err := Parse("e.yaml", []byte("aws:\n  accounts:\n    - id: 1\n      bogus: 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	var aws struct {
		Accounts []struct {
			ID string `yaml:"id"`
		} `yaml:"accounts"`
	}
	_, err = e.DecodeSection("aws", &aws)
	if err == nil || !strings.HasPrefix(err.Error(), "e.yaml:4:7: ") {
		t.Fatalf("got %v", err)
	}
}

func TestTime(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"-45d":                 now.Add(-45 * 24 * time.Hour),
		"-36h":                 now.Add(-36 * time.Hour),
		"2026-01-02T03:04:05Z": time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	} {
		tm, err := ParseTime(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := tm.At(now); !got.Equal(want) {
			t.Errorf("%s: got %v want %v", in, got, want)
		}
	}
	if _, err := ParseTime("last tuesday"); err == nil {
		t.Error("want error")
	}
}

func TestBadTimeIsLocated(t *testing.T) {
	t.Parallel()
	e, err := Parse("e.yaml", []byte("aws:\n  when: last tuesday\n"))
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		When Time `yaml:"when"`
	}
	_, err = e.DecodeSection("aws", &v)
	if err == nil || !strings.HasPrefix(err.Error(), "e.yaml:2:") || !strings.Contains(err.Error(), "last tuesday") {
		t.Fatalf("got %v", err)
	}
}

func TestTimeFromYAML(t *testing.T) {
	t.Parallel()
	e, err := Parse("e.yaml", []byte("aws:\n  a: 2026-01-02T03:04:05Z\n  b: -45d\n  c: \"-2h\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		A, B, C, D Time
	}
	if _, err := e.DecodeSection("aws", &v); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	if !v.A.At(now).Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) || !v.B.At(now).Equal(now.Add(-45*24*time.Hour)) ||
		!v.C.At(now).Equal(now.Add(-2*time.Hour)) || !v.D.IsZero() {
		t.Errorf("decoded %+v %+v %+v", v.A.At(now), v.B.At(now), v.C.At(now))
	}
}
