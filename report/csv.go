package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ghostaudit/ghostaudit/findings"
	"github.com/ghostaudit/ghostaudit/report/sanitize"
)

// CSV writes one row per finding, with the columns of the Findings sheet,
// as UTF-8 with a byte-order mark (so Excel detects the encoding), CRLF
// line ends and every field quoted. Text fields go through sanitize.Text;
// money is a plain decimal, empty when unpriced. encoding/csv quotes only
// when needed, so this is a small writer of its own (OWASP: quote every
// field, double inner quotes, prefix triggers with ').
type CSV struct{}

// Format implements Writer.
func (CSV) Format() string { return "csv" }

// bom is the UTF-8 byte-order mark.
const bom = "\uFEFF"

// Write implements Writer.
func (CSV) Write(w io.Writer, res *findings.Result) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(bom)
	fields := make([]string, len(findingColumns))
	for i, c := range findingColumns {
		fields[i] = c.Name
	}
	writeCSVRecord(bw, fields)
	for i := range res.Findings {
		for j, v := range findingRow(&res.Findings[i]) {
			switch v.Kind {
			case kindText:
				fields[j], _ = sanitize.Text(v.Text)
			case kindInt:
				fields[j] = strconv.Itoa(v.Int)
			case kindMoney, kindDecimal:
				fields[j] = ""
				if v.Money != nil {
					fields[j] = v.Money.String()
				}
			case kindDate:
				fields[j] = ""
				if !v.Date.IsZero() {
					fields[j] = v.Date.UTC().Format("2006-01-02")
				}
			}
		}
		writeCSVRecord(bw, fields)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	return nil
}

// writeCSVRecord writes fields, each quoted with inner quotes doubled
// (RFC 4180), ended by CRLF. Errors surface at Flush.
func writeCSVRecord(w *bufio.Writer, fields []string) {
	for i, f := range fields {
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteByte('"')
		w.WriteString(strings.ReplaceAll(f, `"`, `""`))
		w.WriteByte('"')
	}
	w.WriteString("\r\n")
}
