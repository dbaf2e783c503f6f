// Package estate reads simulated estates: YAML files that describe a
// company's cloud and SaaS footprint for the simulators, plus the findings
// a correct scan must produce (the expect list).
//
// Each simulator owns the schema of its own section (aws, gcp, m365); this
// package only splits the file, resolves relative times and reads expect.
package estate

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/scanners/strictyaml"
)

// Estate is a parsed estate file.
type Estate struct {
	File        string
	Name        string
	Description string
	// Sections holds each provider section as a parsed node, for the
	// provider's simulator to decode with DecodeSection.
	Sections map[string]ast.Node
	Expect   []Expectation
}

// Expectation is one finding a correct scan of the estate must produce.
type Expectation struct {
	Rule     string `yaml:"rule"`
	Resource string `yaml:"resource"` // the resource key provider/account/region/kind/id
	// MonthlySavings is the expected estimated monthly saving in USD; empty
	// for an unpriced finding.
	MonthlySavings string `yaml:"monthly_savings"`
	Unpriced       bool   `yaml:"unpriced"`
	// Suppressed is true when the finding must be produced but accepted on
	// purpose (a ghostaudit:ignore tag), so left out of the totals.
	Suppressed bool `yaml:"suppressed"`
}

// Savings parses MonthlySavings.
func (e Expectation) Savings() (decimal.Decimal, error) {
	return decimal.NewFromString(e.MonthlySavings)
}

type header struct {
	Name        string        `yaml:"name"`
	Description string        `yaml:"description"`
	Expect      []Expectation `yaml:"expect"`
}

// KnownSections are the provider sections an estate may have.
var KnownSections = []string{"aws", "gcp", "m365"}

// Load reads and parses an estate file.
func Load(path string) (*Estate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("estate: %w", err)
	}
	return Parse(path, data)
}

// Parse parses estate data; file names the source in errors.
func Parse(file string, data []byte) (*Estate, error) {
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, strictyaml.Unmarshal(file, data, &struct{}{})
	}
	if len(f.Docs) != 1 || f.Docs[0].Body == nil {
		return nil, &strictyaml.Error{File: file, Problem: "an estate is one YAML document with a mapping at the top"}
	}
	root, ok := f.Docs[0].Body.(*ast.MappingNode)
	if !ok {
		return nil, strictyaml.At(file, f.Docs[0].Body, "", "an estate is a mapping with name, provider sections and expect")
	}
	est := &Estate{File: file, Sections: map[string]ast.Node{}}
	var rest []*ast.MappingValueNode
	for _, mv := range root.Values {
		key := mv.Key.String()
		switch {
		case isSection(key):
			est.Sections[key] = mv.Value
		case key == "name" || key == "description" || key == "expect":
			rest = append(rest, mv)
		default:
			return nil, strictyaml.At(file, mv.Key, key, "unknown top-level key (want name, description, expect, "+strings.Join(KnownSections, ", ")+")")
		}
	}
	var h header
	if len(rest) > 0 {
		m := ast.Mapping(rest[0].GetToken(), false, rest...)
		if err := strictyaml.NodeToValue(file, m, &h); err != nil {
			return nil, err
		}
	}
	est.Name, est.Description, est.Expect = h.Name, h.Description, h.Expect
	for i, e := range est.Expect {
		field := fmt.Sprintf("expect[%d]", i)
		if e.Rule == "" || e.Resource == "" {
			return nil, &strictyaml.Error{File: file, Field: field, Problem: "rule and resource are required"}
		}
		if strings.Count(e.Resource, "/") < 4 { // an ID may itself contain "/" (log groups)
			return nil, &strictyaml.Error{File: file, Field: field + ".resource", Problem: fmt.Sprintf("%q is not a key provider/account/region/kind/id", e.Resource)}
		}
		if e.Unpriced != (e.MonthlySavings == "") {
			return nil, &strictyaml.Error{File: file, Field: field, Problem: "give monthly_savings, or unpriced: true, not both"}
		}
		if !e.Unpriced {
			if _, err := e.Savings(); err != nil {
				return nil, &strictyaml.Error{File: file, Field: field + ".monthly_savings", Problem: fmt.Sprintf("%q is not a decimal amount", e.MonthlySavings)}
			}
		}
	}
	return est, nil
}

func isSection(key string) bool {
	for _, s := range KnownSections {
		if s == key {
			return true
		}
	}
	return false
}

// DecodeSection decodes the named provider section into v, strictly, with
// errors that name the estate file, line and field. ok is false when the
// estate has no such section.
func (e *Estate) DecodeSection(name string, v any) (ok bool, err error) {
	node, present := e.Sections[name]
	if !present {
		return false, nil
	}
	if err := strictyaml.NodeToValue(e.File, node, v); err != nil {
		return true, err
	}
	return true, nil
}

// Time is an estate timestamp: either absolute (RFC 3339) or relative to
// the scan clock, written as a signed duration with units d, h, m or s,
// e.g. "-45d" or "-36h". Zero means "not set".
type Time struct {
	abs time.Time
	rel time.Duration
	set bool
	raw string
}

var relRE = regexp.MustCompile(`^([+-]?)(\d+)([dhms])$`)

// ParseTime parses an estate time.
func ParseTime(s string) (Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Time{}, nil
	}
	if m := relRE.FindStringSubmatch(s); m != nil {
		n, err := strconv.ParseInt(m[2], 10, 64)
		if err != nil {
			return Time{}, fmt.Errorf("time %q: %w", s, err)
		}
		unit := map[string]time.Duration{"d": 24 * time.Hour, "h": time.Hour, "m": time.Minute, "s": time.Second}[m[3]]
		d := time.Duration(n) * unit
		if m[1] == "-" {
			d = -d
		}
		return Time{rel: d, set: true, raw: s}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return Time{}, fmt.Errorf("time %q: want RFC 3339 or a relative time such as -45d", s)
	}
	return Time{abs: t.UTC(), set: true, raw: s}, nil
}

// UnmarshalText implements encoding.TextUnmarshaler for YAML decoding.
func (t *Time) UnmarshalText(b []byte) error {
	v, err := ParseTime(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// UnmarshalYAML decodes the time from its YAML node. goccy/go-yaml would
// route a TextUnmarshaler through a formatter of the whole file, which made
// large estates quadratic to load; reading the scalar node avoids it, and
// keeps the node's position in errors.
func (t *Time) UnmarshalYAML(node ast.Node) error {
	var s string
	switch n := node.(type) {
	case *ast.StringNode:
		s = n.Value
	case *ast.NullNode:
		*t = Time{}
		return nil
	default:
		s = node.String()
	}
	v, err := ParseTime(s)
	if err != nil {
		return &yaml.SyntaxError{Message: err.Error(), Token: node.GetToken()}
	}
	*t = v
	return nil
}

// MarshalText writes the time as it was given.
func (t Time) MarshalText() ([]byte, error) { return []byte(t.raw), nil }

// IsZero reports whether the time was not set.
func (t Time) IsZero() bool { return !t.set }

// At resolves the time against the scan clock now, truncated to seconds
// as the providers report them.
func (t Time) At(now time.Time) time.Time {
	if !t.set {
		return time.Time{}
	}
	if !t.abs.IsZero() {
		return t.abs
	}
	return now.Add(t.rel).UTC().Truncate(time.Second)
}
