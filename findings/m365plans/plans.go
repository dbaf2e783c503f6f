// Package m365plans holds Microsoft's service-plan reference for the
// Microsoft 365 SKUs ghostaudit prices or reasons about, and the
// "supersedes" table built from it that the redundant-licence rule uses.
//
// The reference is Microsoft's "Product names and service plan identifiers
// for licensing" CSV
// (https://learn.microsoft.com/en-us/entra/identity/users/licensing-service-plan-reference),
// one row per (product, service plan). A vendored, dated subset is embedded
// (service-plans.csv); its header comments say where and when it was read.
package m365plans

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// header is the CSV's column row, as Microsoft publishes it.
var header = []string{
	"Product_Display_Name", "String_Id", "GUID",
	"Service_Plan_Name", "Service_Plan_Id", "Service_Plans_Included_Friendly_Names",
}

// SKU is one product of the reference.
type SKU struct {
	PartNumber string            // String_Id: subscribedSku.skuPartNumber
	ID         string            // GUID: subscribedSku.skuId, lower case
	Name       string            // Product_Display_Name
	Plans      map[string]string // Service_Plan_Id (lower case) → Service_Plan_Name
}

// Catalog is a parsed reference, keyed by part number: the redundant-licence
// rule sees seats by part number (scanners/m365 sets Seat.SKU from
// skuPartNumber).
type Catalog struct {
	SKUs map[string]*SKU
	// Ambiguous lists part numbers the reference gives more than one SKU id
	// (Microsoft's full CSV has one: MCOPSTN5). A rule keyed by part number
	// cannot tell those products apart, so they are left out of SKUs.
	Ambiguous []string
}

// normalize undoes the noise saas.md §1.e measured in Microsoft's CSV: a
// byte-order mark, non-breaking spaces inside names (e.g.
// "O365_w/o\u00a0Teams\u00a0Bundle_M3") and stray leading or trailing
// whitespace (e.g. "AAD_PREMIUM_USGOV_GCCHIGH ").
func normalize(s string) string {
	s = strings.TrimPrefix(s, "\ufeff")
	s = strings.ReplaceAll(s, "\u00a0", " ")
	return strings.TrimSpace(s)
}

// isGUID reports whether s is a GUID in its 8-4-4-4-12 hex form.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// Parse reads a service-plan reference in Microsoft's CSV layout. Lines
// starting with # are comments. Names are normalised (BOM, NBSP, trailing
// whitespace) and GUIDs lower-cased. Errors name the file and line.
func Parse(name string, r io.Reader) (*Catalog, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comment = '#'
	cr.FieldsPerRecord = -1 // checked below, with the line

	head, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s:1: header: file is empty, want %q", name, strings.Join(header, ","))
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	for i := range head {
		head[i] = normalize(head[i])
	}
	if !slices.Equal(head, header) {
		line, _ := cr.FieldPos(0)
		return nil, fmt.Errorf("%s:%d: header: got %q, want %q", name, line, strings.Join(head, ","), strings.Join(header, ","))
	}

	cat := &Catalog{SKUs: map[string]*SKU{}}
	byID := map[string]string{}          // SKU id → part number, to catch one id under two part numbers
	idsOf := map[string][]string{}       // part number → SKU ids seen
	skus := map[string]map[string]*SKU{} // part number → SKU id → SKU
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			return nil, fmt.Errorf("%s:%d: got %d fields, want %d (%s)", name, line, len(rec), len(header), strings.Join(header, ","))
		}
		for i := range rec {
			rec[i] = normalize(rec[i])
		}
		display, part, id, planName, planID := rec[0], rec[1], strings.ToLower(rec[2]), rec[3], strings.ToLower(rec[4])
		switch {
		case part == "":
			return nil, fmt.Errorf("%s:%d: String_Id is empty", name, line)
		case !isGUID(id):
			return nil, fmt.Errorf("%s:%d: GUID %q is not a GUID", name, line, rec[2])
		case planName == "":
			return nil, fmt.Errorf("%s:%d: Service_Plan_Name is empty", name, line)
		case !isGUID(planID):
			return nil, fmt.Errorf("%s:%d: Service_Plan_Id %q is not a GUID", name, line, rec[4])
		}
		if prev, ok := byID[id]; ok && prev != part {
			return nil, fmt.Errorf("%s:%d: SKU %s is listed as %s and as %s", name, line, id, prev, part)
		}
		byID[id] = part
		if skus[part] == nil {
			skus[part] = map[string]*SKU{}
		}
		s := skus[part][id]
		if s == nil {
			s = &SKU{PartNumber: part, ID: id, Name: display, Plans: map[string]string{}}
			skus[part][id] = s
			idsOf[part] = append(idsOf[part], id)
		}
		if prev, ok := s.Plans[planID]; ok && prev != planName {
			return nil, fmt.Errorf("%s:%d: %s lists plan %s as %s and as %s", name, line, part, planID, prev, planName)
		}
		s.Plans[planID] = planName
	}
	if len(skus) == 0 {
		return nil, fmt.Errorf("%s: no SKU rows after the header", name)
	}
	for part, ids := range idsOf {
		if len(ids) > 1 {
			cat.Ambiguous = append(cat.Ambiguous, part)
			continue
		}
		cat.SKUs[part] = skus[part][ids[0]]
	}
	slices.Sort(cat.Ambiguous)
	return cat, nil
}

// csvError puts the line of an encoding/csv error first, as the other
// errors have it.
func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s:%d: %w", name, pe.Line, pe.Err)
	}
	return fmt.Errorf("%s: %w", name, err)
}
