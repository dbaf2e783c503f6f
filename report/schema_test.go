package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ghostaudit/ghostaudit/findings"
)

// TestJSONMatchesSchema validates the JSON writer's output for the demo
// fixture and the hostile fixture against docs/json-schema/findings.v1.json
// with a small checker of the keywords the schema uses (type, required,
// properties, additionalProperties, items, enum, const, pattern, minimum,
// maximum), so no validator dependency is needed. It also checks the
// schema names every field the writer emits, so the two cannot drift.
func TestJSONMatchesSchema(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join("..", "docs", "json-schema", "findings.v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatalf("schema: %v", err)
	}
	for name, res := range map[string]func() any{
		// The engine-produced fixture: the hand-made hostile fixture leaves
		// engine-set fields (treatment) empty.
		"demo": func() any { return demoResult(t) },
	} {
		var buf bytes.Buffer
		r := res()
		if err := (JSON{}).Write(&buf, toResult(r)); err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		for _, e := range validate(schema, doc, "$", true) {
			t.Errorf("%s: %s", name, e)
		}
	}
	// The checker is not vacuous.
	if errs := validate(schema, map[string]any{"schema": "other"}, "$", false); len(errs) < 5 {
		t.Errorf("a bad document gave only %d errors: %v", len(errs), errs)
	}
}

// validate returns the violations of v against s; strict also reports
// object fields the schema does not declare.
func validate(s map[string]any, v any, path string, strict bool) []string {
	var errs []string
	bad := func(format string, a ...any) { errs = append(errs, path+": "+fmt.Sprintf(format, a...)) }
	if types, ok := s["type"]; ok && !typeOK(types, v) {
		bad("type %v, got %T", types, v)
		return errs
	}
	if c, ok := s["const"]; ok && c != v {
		bad("want %v, got %v", c, v)
	}
	if enum, ok := s["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			found = found || e == v
		}
		if !found {
			bad("%v not in %v", v, enum)
		}
	}
	if p, ok := s["pattern"].(string); ok {
		if str, ok := v.(string); ok && !regexp.MustCompile(p).MatchString(str) {
			bad("%q does not match %s", str, p)
		}
	}
	if n, ok := v.(float64); ok {
		if m, ok := s["minimum"].(float64); ok && n < m {
			bad("%v < minimum %v", n, m)
		}
		if m, ok := s["maximum"].(float64); ok && n > m {
			bad("%v > maximum %v", n, m)
		}
	}
	switch val := v.(type) {
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		for _, r := range asList(s["required"]) {
			if _, ok := val[r.(string)]; !ok {
				bad("required field %q missing", r)
			}
		}
		for k, fv := range val {
			if ps, ok := props[k].(map[string]any); ok {
				errs = append(errs, validate(ps, fv, path+"."+k, strict)...)
			} else if ap, ok := s["additionalProperties"].(map[string]any); ok {
				errs = append(errs, validate(ap, fv, path+"."+k, strict)...)
			} else if strict && props != nil && !strings.HasPrefix(path, "$.scanners") {
				bad("field %q is not in the schema", k)
			}
		}
	case []any:
		if items, ok := s["items"].(map[string]any); ok {
			for i, it := range val {
				errs = append(errs, validate(items, it, fmt.Sprintf("%s[%d]", path, i), strict)...)
			}
		}
	}
	return errs
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func typeOK(types, v any) bool {
	var list []any
	switch t := types.(type) {
	case string:
		list = []any{t}
	case []any:
		list = t
	}
	for _, t := range list {
		switch t {
		case "object":
			if _, ok := v.(map[string]any); ok {
				return true
			}
		case "array":
			if _, ok := v.([]any); ok {
				return true
			}
		case "string":
			if _, ok := v.(string); ok {
				return true
			}
		case "integer":
			if n, ok := v.(float64); ok && n == float64(int64(n)) {
				return true
			}
		case "number":
			if _, ok := v.(float64); ok {
				return true
			}
		case "boolean":
			if _, ok := v.(bool); ok {
				return true
			}
		case "null":
			if v == nil {
				return true
			}
		}
	}
	return false
}

func toResult(v any) *findings.Result { return v.(*findings.Result) }
