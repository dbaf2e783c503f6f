// Package strictyaml decodes YAML into Go structs, rejecting unknown keys,
// and turns every decoding problem into an error that names the file, the
// line and column, and the field: "ghostaudit.yaml:12:3: aws.regions: ...".
package strictyaml

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Error is a located YAML problem.
type Error struct {
	File    string
	Line    int
	Column  int
	Field   string // dotted path when known, e.g. "aws.accounts[0].id"
	Problem string
}

func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Column)
	}
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", loc, e.Field, e.Problem)
	}
	return fmt.Sprintf("%s: %s", loc, e.Problem)
}

// Unmarshal decodes data (read from file) into v, strictly.
func Unmarshal(file string, data []byte, v any) error {
	if err := yaml.UnmarshalWithOptions(data, v, yaml.Strict()); err != nil {
		e := locate(file, data, err)
		if le, ok := e.(*Error); ok && le.Line == 0 {
			if f, perr := parser.ParseBytes(data, 0); perr == nil && f != nil {
				for _, doc := range f.Docs {
					if locateDuration(le, doc) {
						break
					}
				}
			}
		}
		return e
	}
	return nil
}

var badDurationRE = regexp.MustCompile(`time: (?:invalid duration|unknown unit .* in duration|missing unit in duration) "(.*)"`)

// locateDuration places a time.Duration parse error, which the decoder
// reports without a position, on the scalar holding the bad value, and
// says what a duration looks like. It reports whether it did.
func locateDuration(e *Error, node ast.Node) bool {
	m := badDurationRE.FindStringSubmatch(e.Problem)
	if m == nil || node == nil {
		return false
	}
	// The value of a "key: value" pair: durations are single settings, so
	// keys and list elements with the same text are not it.
	var hit ast.Node
	ast.Walk(visitFunc(func(n ast.Node) bool {
		if hit != nil {
			return false
		}
		if mv, ok := n.(*ast.MappingValueNode); ok {
			if sc, ok := mv.Value.(ast.ScalarNode); ok && fmt.Sprint(sc.GetValue()) == m[1] {
				hit = mv.Value
				return false
			}
		}
		return true
	}), node)
	if hit == nil || hit.GetToken() == nil {
		return false
	}
	e.Line, e.Column = hit.GetToken().Position.Line, hit.GetToken().Position.Column
	e.Field = strings.TrimPrefix(strings.TrimPrefix(hit.GetPath(), "$"), ".")
	e.Problem = fmt.Sprintf("%q is not a duration (write a number with a unit, e.g. 30s, 5m, 1h)", m[1])
	return true
}

type visitFunc func(ast.Node) bool

func (f visitFunc) Visit(n ast.Node) ast.Visitor {
	if n == nil || !f(n) {
		return nil
	}
	return f
}

// NodeToValue decodes one node of a parsed file into v, strictly, keeping
// the node's original position in errors.
func NodeToValue(file string, node ast.Node, v any) error {
	if err := yaml.NodeToValue(node, v, yaml.Strict()); err != nil {
		e := locate(file, nil, err)
		if le, ok := e.(*Error); ok && le.Line == 0 && locateDuration(le, node) {
			return e
		}
		if le, ok := e.(*Error); ok && le.Line > 0 {
			f := &finder{line: le.Line, col: le.Column}
			ast.Walk(f, node)
			le.Field = strings.TrimPrefix(strings.TrimPrefix(f.best, "$"), ".")
		}
		return e
	}
	return nil
}

// At builds an Error for a node, for validation done after decoding.
func At(file string, node ast.Node, field, problem string) *Error {
	e := &Error{File: file, Field: field, Problem: problem}
	if node != nil && node.GetToken() != nil {
		e.Line = node.GetToken().Position.Line
		e.Column = node.GetToken().Position.Column
	}
	return e
}

func locate(file string, data []byte, err error) error {
	var ye yaml.Error
	if !errors.As(err, &ye) {
		return &Error{File: file, Problem: err.Error()}
	}
	out := &Error{File: file, Problem: cleanMessage(ye.GetMessage())}
	if tk := ye.GetToken(); tk != nil {
		out.Line, out.Column = tk.Position.Line, tk.Position.Column
		out.Field = fieldPath(data, tk.Position.Line, tk.Position.Column)
	}
	var unknown *yaml.UnknownFieldError
	if errors.As(err, &unknown) && ye.GetToken() != nil {
		out.Problem = "unknown key (check the spelling; see the documented keys)"
	}
	return out
}

var goTypeRE = regexp.MustCompile(`(?:cannot unmarshal|cannot use) (\S+) into Go (?:struct field \S+ of type|value of type) (\S+)`)

func cleanMessage(m string) string {
	m = strings.TrimSpace(m)
	if sm := goTypeRE.FindStringSubmatch(m); sm != nil {
		want := strings.TrimPrefix(sm[2], "[]")
		if strings.HasPrefix(sm[2], "[]") {
			want = "a list of " + want
		}
		if want == "time.Duration" {
			return fmt.Sprintf("cannot use a %s here, want a duration with a unit, e.g. 30s, 5m, 1h", sm[1])
		}
		return fmt.Sprintf("cannot use a %s here, want %s", sm[1], want)
	}
	return strings.ReplaceAll(m, "cannot unmarshal", "cannot use")
}

// fieldPath finds the dotted path of the node at line:col by walking the
// parsed document. It returns "" when the document cannot be parsed.
func fieldPath(data []byte, line, col int) string {
	if data == nil {
		return ""
	}
	file, err := parser.ParseBytes(data, 0)
	if err != nil || file == nil {
		return ""
	}
	v := &finder{line: line, col: col}
	for _, doc := range file.Docs {
		ast.Walk(v, doc)
	}
	return strings.TrimPrefix(strings.TrimPrefix(v.best, "$"), ".")
}

type finder struct {
	line, col int
	best      string
	bestCol   int
}

func (f *finder) Visit(n ast.Node) ast.Visitor {
	if n == nil {
		return nil
	}
	if tk := n.GetToken(); tk != nil && tk.Position.Line == f.line && tk.Position.Column <= f.col && tk.Position.Column >= f.bestCol {
		if p := n.GetPath(); p != "" {
			f.best, f.bestCol = p, tk.Position.Column
		}
	}
	return f
}
