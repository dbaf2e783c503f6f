package sanitize

import (
	"flag"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// Accepted so that `go test ./report/... -update` works in every package.
var _ = flag.Bool("update", false, "no golden files in this package")

func TestText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
		changed        bool
	}{
		{"empty", "", "", false},
		{"plain", "vol-0abc web data", "vol-0abc web data", false},
		{"inner trigger", "a=1+1", "a=1+1", false},
		{"cell breakout", `a","=1+1`, `a","=1+1`, false},
		{"quote already", "'=1+1", "'=1+1", false},
		{"unicode", "Daten für Köln 東京", "Daten für Köln 東京", false},
		{"equals", "=1+1", "'=1+1", true},
		{"plus", "+1+1", "'+1+1", true},
		{"minus", "-1+1", "'-1+1", true},
		{"at", "@SUM(1,1)", "'@SUM(1,1)", true},
		{"hyperlink", `=HYPERLINK("http://x","y")`, `'=HYPERLINK("http://x","y")`, true},
		{"dde", "=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0", true},
		{"dde plus", "+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0", true},
		{"tab", "\t=1+1", "'\t=1+1", true},
		{"tab text", "\tname", "'\tname", true},
		{"cr", "\r=1+1", "' =1+1", true},
		{"lf", "\n=1+1", "' =1+1", true},
		{"space", " =1+1", "' =1+1", true},
		{"spaces", "   +1", "'   +1", true},
		{"nbsp", "\u00a0=1+1", "'\u00a0=1+1", true},
		{"bom", "\ufeff=1+1", "'\ufeff=1+1", true},
		{"zero width space", "\u200b=1+1", "'\u200b=1+1", true},
		{"ideographic space", "\u3000@x", "'\u3000@x", true},
		{"fullwidth equals", "＝1+1", "'＝1+1", true},
		{"fullwidth plus", "＋1+1", "'＋1+1", true},
		{"fullwidth minus", "－1+1", "'－1+1", true},
		{"fullwidth at", "＠SUM(1,1)", "'＠SUM(1,1)", true},
		{"fullwidth dde", "＝cmd|' /C calc'!A0", "'＝cmd|' /C calc'!A0", true},
		{"only spaces", "   ", "   ", false},
		{"controls stripped", "a\x00b\x1bc\x07", "abc", true},
		{"newlines to spaces", "line1\r\nline2", "line1  line2", true},
		{"tab kept inside", "a\tb", "a\tb", false},
		{"control hides trigger", "\x1b=1+1", "'=1+1", true},
		{"invalid utf8", "a\xffb", "a\ufffdb", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, changed := Text(tt.in)
			if got != tt.want || changed != tt.changed {
				t.Errorf("Text(%q) = %q, %v; want %q, %v", tt.in, got, changed, tt.want, tt.changed)
			}
		})
	}
}

func TestTextTruncates(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		strings.Repeat("a", MaxCellLen+10),
		"=" + strings.Repeat("b", MaxCellLen),
		strings.Repeat("😀", MaxCellLen/2+5), // two UTF-16 units each
	} {
		got, changed := Text(in)
		if !changed || !strings.HasSuffix(got, TruncatedMarker) {
			t.Errorf("Text(len %d): changed=%v, suffix %q", len(in), changed, got[max(0, len(got)-20):])
		}
		if n := len(utf16.Encode([]rune(got))); n > MaxCellLen {
			t.Errorf("Text(len %d) = %d UTF-16 units, want ≤ %d", len(in), n, MaxCellLen)
		}
		if !utf8.ValidString(got) {
			t.Errorf("Text(len %d) cut a rune in half", len(in))
		}
	}
	exact := strings.Repeat("c", MaxCellLen)
	if got, changed := Text(exact); changed || got != exact {
		t.Errorf("a value of exactly MaxCellLen was changed")
	}
}

func FuzzText(f *testing.F) {
	for _, s := range []string{"", "plain", "=1+1", " =1+1", "\u00a0=1+1", "＝1+1", "\t=1", "\r\n@", `a","=1+1`, "-5", "\ufeff\u200b+x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, changed := Text(s)
		if first, _ := utf8.DecodeRuneInString(got); got != "" && IsTrigger(first) {
			t.Fatalf("Text(%q) = %q starts with a trigger", s, got)
		}
		if rest := strings.TrimLeftFunc(got, IsLeadingSpace); rest != "" {
			if r, _ := utf8.DecodeRuneInString(rest); IsTrigger(r) {
				t.Fatalf("Text(%q) = %q starts with a trigger after white space", s, got)
			}
		}
		if !Safe(got) {
			t.Fatalf("Text(%q) = %q is not Safe", s, got)
		}
		if changed != (got != s) {
			t.Fatalf("Text(%q): changed=%v but output %q", s, changed, got)
		}
		for i := 0; i < len(got); i++ {
			if c := got[i]; c < 0x20 && c != '\t' {
				t.Fatalf("Text(%q) = %q keeps control %#x", s, got, c)
			}
		}
		if isSafeInput(s) && (changed || got != s) {
			t.Fatalf("safe input %q changed to %q", s, got)
		}
		if again, ch := Text(got); ch || again != got {
			t.Fatalf("Text is not idempotent: %q -> %q -> %q", s, got, again)
		}
	})
}

// isSafeInput is the independent definition of a value Text must leave alone.
func isSafeInput(s string) bool {
	if !utf8.ValidString(s) || len(utf16.Encode([]rune(s))) > MaxCellLen {
		return false
	}
	for _, r := range s {
		if r < 0x20 && r != '\t' {
			return false
		}
	}
	if r, _ := utf8.DecodeRuneInString(s); s != "" && IsTrigger(r) {
		return false
	}
	rest := strings.TrimLeftFunc(s, IsLeadingSpace)
	r, _ := utf8.DecodeRuneInString(rest)
	return rest == "" || !IsTrigger(r)
}
