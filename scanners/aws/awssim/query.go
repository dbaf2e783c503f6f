package awssim

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Query protocol parameters: lists are flattened as Name.N (1-based) and
// filters as Filter.N.Name / Filter.N.Value.M
// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/Query-Requests.html).

// listParam returns the values of prefix.1, prefix.2, ... in index order.
func listParam(form url.Values, prefix string) []string {
	type kv struct {
		n int
		v string
	}
	var items []kv
	for k, vs := range form {
		rest, ok := strings.CutPrefix(k, prefix+".")
		if !ok || len(vs) == 0 {
			continue
		}
		n, err := strconv.Atoi(rest)
		if err != nil {
			continue
		}
		items = append(items, kv{n, vs[0]})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].n < items[j].n })
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, it.v)
	}
	return out
}

type filter struct {
	name   string
	values []string
}

// filters parses Filter.N.Name and Filter.N.Value.M.
func filters(form url.Values) ([]filter, *apiError) {
	byN := map[int]*filter{}
	for k, vs := range form {
		rest, ok := strings.CutPrefix(k, "Filter.")
		if !ok || len(vs) == 0 {
			continue
		}
		nStr, field, _ := strings.Cut(rest, ".")
		n, err := strconv.Atoi(nStr)
		if err != nil {
			return nil, errorf(http.StatusBadRequest, "InvalidParameterValue", "The parameter %s is not recognized", k)
		}
		f := byN[n]
		if f == nil {
			f = &filter{}
			byN[n] = f
		}
		switch {
		case field == "Name":
			f.name = vs[0]
		case strings.HasPrefix(field, "Value."):
			// Values are collected in index order below.
		default:
			return nil, errorf(http.StatusBadRequest, "InvalidParameterValue", "The parameter %s is not recognized", k)
		}
	}
	ns := make([]int, 0, len(byN))
	for n := range byN {
		ns = append(ns, n)
	}
	sort.Ints(ns)
	out := make([]filter, 0, len(ns))
	for _, n := range ns {
		f := byN[n]
		if f.name == "" {
			return nil, errorf(http.StatusBadRequest, "InvalidParameterValue", "The filter Filter.%d has no Name", n)
		}
		f.values = listParam(form, "Filter."+strconv.Itoa(n)+".Value")
		out = append(out, *f)
	}
	return out, nil
}

// unsupportedFilter is EC2's answer to a filter name the action does not
// know: InvalidParameterValue, never a silently ignored filter.
func unsupportedFilter(name string) *apiError {
	return errorf(http.StatusBadRequest, "InvalidParameterValue", "The filter '%s' is invalid", name)
}

// matchAny reports whether v matches one of the filter values. EC2 filter
// values accept the wildcards * (zero or more characters) and ? (one).
func matchAny(values []string, v string) bool {
	for _, p := range values {
		if glob(p, v) {
			return true
		}
	}
	return false
}

func glob(p, s string) bool {
	pr, sr := []rune(p), []rune(s)
	px, sx := 0, 0
	star, mark := -1, 0
	for sx < len(sr) {
		switch {
		case px < len(pr) && (pr[px] == '?' || pr[px] == sr[sx]):
			px++
			sx++
		case px < len(pr) && pr[px] == '*':
			star, mark = px, sx
			px++
		case star >= 0:
			px = star + 1
			mark++
			sx = mark
		default:
			return false
		}
	}
	for px < len(pr) && pr[px] == '*' {
		px++
	}
	return px == len(pr)
}

// tagFilter handles the tag:<key> and tag-key filters every Describe
// action supports. handled is false for other names.
func tagFilter(f filter, tags map[string]string) (match, handled bool) {
	if key, ok := strings.CutPrefix(f.name, "tag:"); ok {
		v, present := tags[key]
		return present && matchAny(f.values, v), true
	}
	if f.name == "tag-key" {
		for k := range tags {
			if matchAny(f.values, k) {
				return true, true
			}
		}
		return false, true
	}
	return false, false
}

// pageSpec is the documented MaxResults range of a paginated action.
type pageSpec struct {
	min, max int
	idsParam string // the id list that cannot be combined with MaxResults
}

// paginate selects one page from ids (sorted, already filtered). Without
// MaxResults every remaining result is returned in one page. Tokens are
// opaque: the action and the last id served, base64url-encoded, so a page
// boundary survives resources changing between calls.
func paginate(c *call, spec pageSpec, ids []string) (start, end int, next string, err *apiError) {
	form := c.r.Form
	limit := 0
	if raw := form.Get("MaxResults"); raw != "" {
		n, perr := strconv.Atoi(raw)
		if perr != nil || n < spec.min || n > spec.max {
			return 0, 0, "", errorf(http.StatusBadRequest, "InvalidParameterValue",
				"Value ( %s ) for parameter maxResults is invalid. Expecting a value between %d and %d.", raw, spec.min, spec.max)
		}
		if len(listParam(form, spec.idsParam)) > 0 {
			return 0, 0, "", errorf(http.StatusBadRequest, "InvalidParameterCombination",
				"The parameter %s cannot be used with the parameter maxResults", spec.idsParam)
		}
		limit = n
	}
	if tok := form.Get("NextToken"); tok != "" {
		after, ok := decodeToken(c.action, tok)
		if !ok {
			// InvalidPaginationToken: "The specified pagination token is not
			// valid or is expired." (EC2 common client errors)
			return 0, 0, "", errorf(http.StatusBadRequest, "InvalidPaginationToken", "The specified pagination token is not valid or is expired.")
		}
		start = sort.Search(len(ids), func(i int) bool { return ids[i] > after })
	}
	end = len(ids)
	if limit > 0 && start+limit < len(ids) {
		end = start + limit
		next = encodeToken(c.action, ids[end-1])
	}
	return start, end, next, nil
}

const tokenPrefix = "awssim1:"

func encodeToken(action, after string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(tokenPrefix + action + ":" + after))
}

func decodeToken(action, tok string) (after string, ok bool) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return "", false
	}
	rest, ok := strings.CutPrefix(string(raw), tokenPrefix+action+":")
	if !ok || rest == "" {
		return "", false
	}
	return rest, true
}
