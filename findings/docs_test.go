package findings

import (
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite generated docs")

func TestRulesDoc(t *testing.T) {
	t.Parallel()
	got := RulesMarkdown()
	path := "../docs/rules.md"
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil || string(want) != got {
		t.Errorf("docs/rules.md is stale: run go test ./findings -run TestRulesDoc -update (%v)", err)
	}
	for _, r := range Rules() {
		if r.Description == "" || r.Title == "" || r.Confidence == "" || r.Effort == "" || r.Risk == "" {
			t.Errorf("rule %s is not fully documented", r.ID)
		}
	}
}
