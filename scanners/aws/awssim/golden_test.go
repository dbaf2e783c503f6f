package awssim

import (
	"bytes"
	"encoding/xml"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ghostaudit/ghostaudit/scanners/estate"
)

var update = flag.Bool("update", false, "rewrite golden files")

// elementPaths returns the set of element paths (a/b/c) of an XML document,
// with the root's namespace, and whether each element had the namespace.
func elementPaths(t *testing.T, doc string) (map[string]bool, string) {
	t.Helper()
	paths := map[string]bool{}
	var stack []string
	ns := ""
	d := xml.NewDecoder(strings.NewReader(doc))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("parse: %v\n%s", err, doc)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 {
				ns = tk.Name.Space
			}
			stack = append(stack, tk.Name.Local)
			paths[strings.Join(stack, "/")] = true
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
	return paths, ns
}

// TestResponsesMatchDocumentedStructure compares the element names and
// nesting of our DescribeVolumes and DescribeAddresses bodies with AWS's
// documented example responses: every documented element must be there,
// and every element we add must be a documented field of the shape.
func TestResponsesMatchDocumentedStructure(t *testing.T) {
	t.Parallel()
	_, srv := newTestSim(t)
	cases := []struct {
		action, body string
		extra        []string // documented fields the example leaves out
	}{
		{"DescribeVolumes", "Action=DescribeVolumes&Version=2016-11-15&VolumeId.1=vol-00000000000000001&VolumeId.2=vol-0000000000000000c",
			[]string{"volumeSet/item/iops", "volumeSet/item/throughput", "volumeSet/item/tagSet", "volumeSet/item/tagSet/item", "volumeSet/item/tagSet/item/key", "volumeSet/item/tagSet/item/value"}},
		{"DescribeAddresses", "Action=DescribeAddresses&Version=2016-11-15",
			[]string{"addressesSet/item/tagSet", "addressesSet/item/tagSet/item", "addressesSet/item/tagSet/item/key", "addressesSet/item/tagSet/item/value", "addressesSet/item/publicIpv4Pool", "addressesSet/item/networkBorderGroup"}},
	}
	for _, tc := range cases {
		t.Run(tc.action, func(t *testing.T) {
			doc, err := os.ReadFile(filepath.Join("testdata", "docexamples", tc.action+".xml"))
			if err != nil {
				t.Fatal(err)
			}
			resp, body := rawPost(t, srv, tc.body, signedAuth("us-east-1", "ec2"))
			if resp.StatusCode != 200 {
				t.Fatalf("HTTP %d: %s", resp.StatusCode, body)
			}
			want, wantNS := elementPaths(t, string(doc))
			got, gotNS := elementPaths(t, body)
			if gotNS != wantNS {
				t.Errorf("namespace %q, want %q", gotNS, wantNS)
			}
			root := tc.action + "Response/"
			allowed := map[string]bool{}
			for p := range want {
				allowed[p] = true
				if !got[p] {
					t.Errorf("documented element %s is missing", p)
				}
			}
			for _, e := range tc.extra {
				allowed[root+e] = true
			}
			for _, p := range sortedKeys(got) {
				if !allowed[p] {
					t.Errorf("element %s is not in the documented shape", p)
				}
			}
			assertGolden(t, filepath.Join("testdata", "golden", tc.action+".xml"), prettyXML(t, body))
		})
	}
}

// prettyXML indents a body so golden diffs are readable.
func prettyXML(t *testing.T, body string) []byte {
	t.Helper()
	var out bytes.Buffer
	d := xml.NewDecoder(strings.NewReader(body))
	e := xml.NewEncoder(&out)
	e.Indent("", "  ")
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if cd, ok := tok.(xml.CharData); ok && len(bytes.TrimSpace(cd)) == 0 {
			continue
		}
		if pi, ok := tok.(xml.ProcInst); ok {
			tok = pi.Copy()
		}
		if err := e.EncodeToken(xml.CopyToken(tok)); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	out.WriteByte('\n')
	// The encoder repeats the default namespace on every element; strip it
	// from children so the file reads like AWS's examples.
	s := out.String()
	first := strings.Index(s, ` xmlns="`)
	if first >= 0 {
		head, tail := s[:first+1], s[first+1:]
		end := strings.Index(tail, `"`) + 1
		attr := tail[:strings.Index(tail[end:], `"`)+end+1]
		s = head + attr + strings.ReplaceAll(tail[len(attr):], " "+attr, "")
	}
	// Request ids depend on how many requests the sim has served.
	s = requestIDRE.ReplaceAllString(s, "<requestId>SCRUBBED</requestId>")
	return []byte(s)
}

var requestIDRE = regexp.MustCompile(`<requestId>[^<]*</requestId>`)

func assertGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs (go test -update rewrites it):\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}

// FuzzLoad checks that parsing an estate and loading its aws section never
// panics, whatever the input.
func FuzzLoad(f *testing.F) {
	seed, err := os.ReadFile("testdata/estate.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte("aws:\n  accounts:\n    - id: \"111111111111\"\n      regions:\n        - name: us-east-1\n          volumes:\n            - {id: vol-1, size_gib: 8, type: gp2, attached_to: i-1}\n"))
	f.Add([]byte("aws: []\n"))
	f.Add([]byte("aws:\n  accounts:\n    - regions: [{name: x, faults: {latency: -1s, throttle: {\"*\": -3}}}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := estate.Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		est, ok, err := Load(e)
		if err == nil && ok {
			// A loaded estate must also be servable.
			_ = New(est, Options{})
			ids := map[string]bool{}
			for _, a := range est.Accounts {
				if ids[a.ID] {
					t.Fatalf("duplicate account %s accepted", a.ID)
				}
				ids[a.ID] = true
			}
		}
	})
}
