// Package report renders a findings.Result in the formats a run can emit:
// an xlsx workbook for the CFO, the findings JSON document, a CSV of the
// findings and a short table for the terminal. Every writer is fed the same
// *findings.Result, so formats never disagree.
//
// Untrusted text (names, tags, IDs, evidence, messages) goes through
// sanitize.Text in every spreadsheet-bound format; numbers are written as
// numbers. The only formulas are the workbook's, from a fixed allow-list
// over cell references and defined names (formulas.go).
package report

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ghostaudit/ghostaudit/findings"
)

// Writer renders a result in one format.
type Writer interface {
	// Format is the name the writer is looked up by: "xlsx", "json", ...
	Format() string
	// Write renders res to w. It does not modify res.
	Write(w io.Writer, res *findings.Result) error
}

// ErrUnknownFormat is returned (wrapped) by Lookup for a name no writer has.
var ErrUnknownFormat = errors.New("unknown report format")

// writers is the one list of built-in formats; each entry builds the
// default configuration of its writer.
var writers = map[string]func() Writer{
	"xlsx":  func() Writer { return XLSX{} },
	"json":  func() Writer { return JSON{} },
	"csv":   func() Writer { return CSV{} },
	"md":    func() Writer { return Markdown{} },
	"table": func() Writer { return NewTable(TableOptions{}) },
}

// Formats returns the names Lookup accepts, sorted.
func Formats() []string {
	out := make([]string, 0, len(writers))
	for name := range writers {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// Lookup returns the writer for a format name in its default configuration.
// The table writer it returns writes the piped (tab-separated) form; use
// NewTable for a terminal.
func Lookup(format string) (Writer, error) {
	if mk, ok := writers[strings.ToLower(strings.TrimSpace(format))]; ok {
		return mk(), nil
	}
	return nil, fmt.Errorf("report: %w %q: want one of %s", ErrUnknownFormat, format, strings.Join(Formats(), ", "))
}

// WriteFile renders res with wr into path atomically: it writes a
// temporary file in the same directory, syncs it and renames it over path.
// On any error (or panic in the writer) the temporary file is removed and
// path is left as it was. A new file gets mode 0644; a replaced file keeps
// its mode.
func WriteFile(path string, wr Writer, res *findings.Result) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	mode := os.FileMode(0o644)
	if fi, statErr := os.Stat(path); statErr == nil {
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("report: %s: not a regular file", path)
		}
		mode = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("report: %s: %w", path, err)
	}
	done := false
	defer func() {
		if !done {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := wr.Write(tmp, res); err != nil {
		return fmt.Errorf("report: write %s %s: %w", wr.Format(), path, err)
	}
	if err := tmp.Chmod(mode); err != nil {
		return fmt.Errorf("report: %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("report: sync %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("report: close %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("report: %s: %w", path, err)
	}
	done = true
	// Persist the rename itself; best effort, as some file systems refuse
	// to sync a directory.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
