package scanners

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"time"
)

// InventorySchema is the version of the inventory JSON format. Load accepts
// only this version; bump it (and add a migration) when a field changes meaning.
const InventorySchema = "ghostaudit.inventory/v1"

// ScanStatus is one scanner's outcome in a run.
type ScanStatus struct {
	Scanner   string         `json:"scanner"`
	Started   time.Time      `json:"started"`
	Duration  time.Duration  `json:"duration_ns"`
	Err       string         `json:"error,omitempty"`
	NoCreds   bool           `json:"no_credentials,omitempty"`
	Counts    map[string]int `json:"counts,omitempty"`  // per kind, plus "gaps" and "seats"
	Options   any            `json:"options,omitempty"` // the redacted options
	Succeeded bool           `json:"succeeded"`
}

// Inventory is everything a run saw: resources, seats, gaps and per-scanner
// status. It is the boundary between scanning and analysis: it can be saved
// as JSON and analysed again offline.
type Inventory struct {
	Schema      string       `json:"schema"`
	ToolVersion string       `json:"tool_version"`
	ScannedAt   time.Time    `json:"scanned_at"`
	Resources   []Resource   `json:"resources"`
	Seats       []Seat       `json:"seats"`
	Gaps        []Gap        `json:"gaps"`
	Status      []ScanStatus `json:"status"`
}

// Sort puts every list in key order so that output is deterministic
// whatever order the scanners emitted in.
func (inv *Inventory) Sort() {
	sort.SliceStable(inv.Resources, func(i, j int) bool { return inv.Resources[i].Key() < inv.Resources[j].Key() })
	sort.SliceStable(inv.Seats, func(i, j int) bool { return inv.Seats[i].Key() < inv.Seats[j].Key() })
	sort.SliceStable(inv.Gaps, func(i, j int) bool { return inv.Gaps[i].Key() < inv.Gaps[j].Key() })
	sort.SliceStable(inv.Status, func(i, j int) bool { return inv.Status[i].Scanner < inv.Status[j].Scanner })
}

// ResourceByKey returns an index of the resources by Key.
func (inv *Inventory) ResourceByKey() map[string]*Resource {
	m := make(map[string]*Resource, len(inv.Resources))
	for i := range inv.Resources {
		m[inv.Resources[i].Key()] = &inv.Resources[i]
	}
	return m
}

// Covered reports whether the run saw the given account and region of a
// scanner completely: false when a Gap names that scope (or the whole
// scanner). Used so that a resource missing from an uncovered scope is not
// mistaken for a removed one.
func (inv *Inventory) Covered(scanner, account, region string) bool {
	for _, g := range inv.Gaps {
		if g.Scanner != scanner {
			continue
		}
		if (g.Account == "" || g.Account == account) && (g.Region == "" || g.Region == region) {
			return false
		}
	}
	return true
}

// Encode writes the inventory as indented JSON.
func (inv *Inventory) Encode(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(inv)
}

// DecodeInventory reads an inventory written by Encode. name is used in
// errors (a file path). Unknown fields and other schema versions are errors.
func DecodeInventory(name string, r io.Reader) (*Inventory, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var probe struct {
		Schema string `json:"schema"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("%s: not an inventory JSON file: %w", name, jsonErr(data, err))
	}
	if probe.Schema != InventorySchema {
		return nil, fmt.Errorf("%s: schema: got %q, this version reads %q", name, probe.Schema, InventorySchema)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var inv Inventory
	if err := dec.Decode(&inv); err != nil {
		return nil, fmt.Errorf("%s: %w", name, jsonErr(data, err))
	}
	for i, r := range inv.Resources {
		if r.Provider == "" || r.Kind == "" || r.ID == "" {
			return nil, fmt.Errorf("%s: resources[%d]: provider, kind and id are required", name, i)
		}
	}
	inv.Sort()
	return &inv, nil
}

// jsonErr adds a line number to a JSON syntax or type error.
func jsonErr(data []byte, err error) error {
	var off int64 = -1
	switch e := err.(type) {
	case *json.SyntaxError:
		off = e.Offset
	case *json.UnmarshalTypeError:
		off = e.Offset
		if e.Field != "" {
			return fmt.Errorf("line %d: %s: cannot use %s as %s", lineOf(data, off), e.Field, e.Value, e.Type)
		}
	}
	if off < 0 {
		return err
	}
	return fmt.Errorf("line %d: %w", lineOf(data, off), err)
}

func lineOf(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}
