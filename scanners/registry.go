package scanners

import (
	"fmt"
	"regexp"
	"sort"
)

// Registry holds scanner descriptions. It is a value: tests build their own,
// and scanners/all builds the one the CLI uses.
type Registry struct {
	byName map[string]Info
	kinds  map[string]string // kind -> scanner name
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9]*$`)

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{byName: map[string]Info{}, kinds: map[string]string{}}
}

// Register adds a scanner. It rejects an invalid or duplicate name and a kind
// already declared by another scanner.
func (r *Registry) Register(info Info) error {
	if !nameRE.MatchString(info.Name) {
		return fmt.Errorf("scanners: register %q: name must be lower case letters and digits", info.Name)
	}
	if _, dup := r.byName[info.Name]; dup {
		return fmt.Errorf("scanners: register %q: duplicate scanner name", info.Name)
	}
	if info.New == nil || info.NewOptions == nil {
		return fmt.Errorf("scanners: register %q: New and NewOptions are required", info.Name)
	}
	if len(info.Kinds) == 0 {
		return fmt.Errorf("scanners: register %q: it declares no kinds", info.Name)
	}
	seen := map[string]bool{}
	for _, k := range info.Kinds {
		if owner, dup := r.kinds[k]; dup {
			return fmt.Errorf("scanners: register %q: kind %q is already declared by %q", info.Name, k, owner)
		}
		if seen[k] {
			return fmt.Errorf("scanners: register %q: kind %q declared twice", info.Name, k)
		}
		seen[k] = true
	}
	for k := range seen {
		r.kinds[k] = info.Name
	}
	r.byName[info.Name] = info
	return nil
}

// MustRegister is Register for the built-in list, where a failure is a
// programming error caught by the first test run.
func (r *Registry) MustRegister(info Info) *Registry {
	if err := r.Register(info); err != nil {
		panic(err)
	}
	return r
}

// Lookup returns the scanner called name.
func (r *Registry) Lookup(name string) (Info, bool) {
	info, ok := r.byName[name]
	return info, ok
}

// All returns every registered scanner, sorted by name.
func (r *Registry) All() []Info {
	out := make([]Info, 0, len(r.byName))
	for _, info := range r.byName {
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Names returns the registered names, sorted.
func (r *Registry) Names() []string {
	var names []string
	for _, info := range r.All() {
		names = append(names, info.Name)
	}
	return names
}
