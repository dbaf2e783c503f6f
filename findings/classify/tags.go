package classify

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// tri is a parsed boolean tag: absent, true or false.
type tri int8

const (
	unset tri = iota
	yes
	no
)

func (t tri) String() string {
	switch t {
	case yes:
		return "true"
	case no:
		return "false"
	}
	return "unset"
}

// tagSet is what the tags say, after strict parsing. problems lists every
// value that could not be parsed and every pair of keys that disagree.
type tagSet struct {
	project, costCenter string
	phase               string // a Phase* constant or ""
	capex               tri
	authorized          tri
	probable            tri
	problems            []string
}

// norm folds an enumerated value for comparison: lower case, trimmed, with
// '-' and ' ' read as '_' ("One-Time" = "one_time").
func norm(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.NewReplacer("-", "_", " ", "_").Replace(s)
}

// is reports whether v equals one of the enumerated values.
func is(v string, values ...string) bool {
	n := norm(v)
	for _, w := range values {
		if n == norm(w) {
			return true
		}
	}
	return false
}

// parseBool accepts exactly true/false/yes/no (any case, outer spaces
// trimmed); anything else is not a boolean.
func parseBool(v string) (tri, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "yes":
		return yes, true
	case "false", "no":
		return no, true
	}
	return unset, false
}

// parsePhase accepts the three stage names and, for IFRS wording, research
// (= preliminary) and development (= application_development).
func parsePhase(v string) (string, bool) {
	switch norm(v) {
	case PhasePreliminary, "research":
		return PhasePreliminary, true
	case PhaseApplicationDevelopment, "development":
		return PhaseApplicationDevelopment, true
	case PhasePostImplementation:
		return PhasePostImplementation, true
	}
	return "", false
}

// clip quotes an untrusted value for a rationale, bounded in length.
func clip(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		s = string(r[:max]) + "…"
	}
	return fmt.Sprintf("%q", s)
}

// readTags parses the tags under the configured keys. Keys match
// case-insensitively and are visited in sorted order so that messages are
// deterministic.
func readTags(tags map[string]string, keys TagKeys) tagSet {
	var ts tagSet
	names := make([]string, 0, len(tags))
	for k := range tags {
		names = append(names, k)
	}
	sort.Strings(names)
	// values returns the (key, value) pairs of one attribute.
	values := func(attr []string) (found [][2]string) {
		for _, k := range names {
			for _, a := range attr {
				if strings.EqualFold(strings.TrimSpace(k), strings.TrimSpace(a)) {
					found = append(found, [2]string{k, tags[k]})
					break
				}
			}
		}
		return found
	}
	boolean := func(attr []string) tri {
		got, from := unset, ""
		for _, kv := range values(attr) {
			b, ok := parseBool(kv[1])
			if !ok {
				ts.problems = append(ts.problems, fmt.Sprintf("tag %s=%s is not true, false, yes or no", clip(kv[0]), clip(kv[1])))
				continue
			}
			if got != unset && b != got {
				ts.problems = append(ts.problems, fmt.Sprintf("tags %s and %s disagree", clip(from), clip(kv[0])))
				continue
			}
			got, from = b, kv[0]
		}
		return got
	}
	text := func(attr []string) string {
		got, from := "", ""
		for _, kv := range values(attr) {
			v := strings.TrimSpace(kv[1])
			if from != "" && v != got {
				ts.problems = append(ts.problems, fmt.Sprintf("tags %s and %s disagree", clip(from), clip(kv[0])))
				continue
			}
			got, from = v, kv[0]
		}
		return got
	}
	ts.project = text(keys.Project)
	ts.costCenter = text(keys.CostCenter)
	ts.capex = boolean(keys.CapexEligible)
	ts.authorized = boolean(keys.ProjectAuthorized)
	ts.probable = boolean(keys.ProbableToComplete)
	from := ""
	for _, kv := range values(keys.Phase) {
		ph, ok := parsePhase(kv[1])
		if !ok {
			ts.problems = append(ts.problems, fmt.Sprintf("tag %s=%s is not a known phase (%s, %s, %s)",
				clip(kv[0]), clip(kv[1]), PhasePreliminary, PhaseApplicationDevelopment, PhasePostImplementation))
			continue
		}
		if from != "" && ph != ts.phase {
			ts.problems = append(ts.problems, fmt.Sprintf("tags %s and %s disagree", clip(from), clip(kv[0])))
			continue
		}
		ts.phase, from = ph, kv[0]
	}
	return ts
}
